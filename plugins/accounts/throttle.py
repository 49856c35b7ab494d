"""Failed sign-in throttling: 10 failures within 15 minutes per username and per address.

Kept in this process's memory: with several workers each counts on its own, so an attacker
gets at most `workers` times the allowance, which still stops guessing at any useful speed.
Memory stays bounded: at most `max_keys` keys (under 1 KB each, so about 20 MB at worst), the
least recently failed dropped first, each remembering only its last `limit` failures.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from core.errors import RateLimited


class LoginThrottle:
    def __init__(
        self,
        limit: int = 10,
        window_seconds: float = 15 * 60,
        max_keys: int = 20_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self.max_keys = max_keys
        self.clock = clock
        self._failures: OrderedDict[str, list[float]] = OrderedDict()

    def check(self, keys: Iterable[str]) -> None:
        """Raise `RateLimited` when any of `keys` has reached the limit."""
        now = self.clock()
        waits = [wait for wait in (self._wait(key, now) for key in keys) if wait is not None]
        if waits:
            raise RateLimited(math.ceil(max(waits)), "Too many failed sign-ins; try again later.")

    def fail(self, key: str) -> None:
        """Count a failure for `key`."""
        now = self.clock()
        failures = self._failures.pop(key, [])
        failures.append(now)
        self._failures[key] = failures[-self.limit :]  # now the most recently failed
        while len(self._failures) > self.max_keys:
            self._failures.popitem(last=False)

    def forget(self, key: str) -> None:
        """Drop every failure of `key` (a user who signed in is not being guessed at)."""
        self._failures.pop(key, None)

    def _wait(self, key: str, now: float) -> float | None:
        failures = self._failures.get(key)
        if failures is None:
            return None
        failures[:] = [moment for moment in failures if moment > now - self.window]
        if not failures:
            del self._failures[key]
            return None
        return failures[0] + self.window - now if len(failures) >= self.limit else None
