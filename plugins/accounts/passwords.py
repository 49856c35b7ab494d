"""Password hashing with argon2id, always in a worker thread, never on the event loop."""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults: argon2id, RFC 9106's low-memory profile (64 MiB, 3 passes, 4 lanes).
HASHER = PasswordHasher()
T = TypeVar("T")

# A pool of its own rather than the loop's default one: every hash takes 64 MiB, so at most
# this many run at once however many logins arrive, and they never starve other thread work.
_POOL = ThreadPoolExecutor(max_workers=max(2, min(8, os.cpu_count() or 2)), thread_name_prefix="didhub-argon2")


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
