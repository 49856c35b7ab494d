"""Password hashing with argon2id, always in a worker thread, never on the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults: argon2id, RFC 9106's low-memory profile (64 MiB, 3 passes, 4 lanes).
HASHER = PasswordHasher()
T = TypeVar("T")


def _yield_cpu_to_requests() -> None:
    """Hashing threads (and the lane threads argon2 starts, which inherit it) run under
    SCHED_IDLE: they take only CPU time nothing else wants, and a waking request thread takes the
    CPU from them at once. On 2 cores, 20 clients signing in at once made reads' p99 2-5 times
    the quiet one at an equal share, and still ~2 times at nice 19, where a woken thread waits
    out the hasher's time slice (make bench). Under full load a sign-in waits, not the reads.
    The policy is per thread on Linux only; elsewhere this would apply to the whole process."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            os.sched_setscheduler(threading.get_native_id(), os.SCHED_IDLE, os.sched_param(0))


# A pool of its own rather than the loop's default one: every hash takes 64 MiB, so at most
# this many run at once however many logins arrive, and they never starve other thread work.
_POOL = ThreadPoolExecutor(
    max_workers=max(2, min(8, os.cpu_count() or 2)),
    thread_name_prefix="didhub-argon2",
    initializer=_yield_cpu_to_requests,
)


@functools.cache
def _dummy_hash() -> str:
    # verified against when the username does not exist, so both answers take as long
    return HASHER.hash("not anyone's password")


def _hash(password: str) -> str:
    return HASHER.hash(password)


def _check(password_hash: str | None, password: str) -> tuple[bool, bool]:
    """(password matches, hash should be renewed). `None` verifies against a dummy hash."""
    try:
        HASHER.verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False, False
    if password_hash is None:
        return False, False
    return True, HASHER.check_needs_rehash(password_hash)


async def _in_pool(function: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(_POOL, function, *args)


async def prepare() -> None:
    """Make the dummy hash before the first unknown username arrives, so that one answers as
    quickly as the others too."""
    await _in_pool(_dummy_hash)


async def hash_password(password: str) -> str:
    return await _in_pool(_hash, password)


async def check_password(password_hash: str | None, password: str) -> tuple[bool, bool]:
    """Verify `password`; pass `None` for an unknown user (the same work, always False)."""
    return await _in_pool(_check, password_hash, password)
