"""Bearer tokens → the current user, for the `didhub_authenticate` hook.

A lookup is remembered briefly, so that a client's run of requests costs one query instead of
one each (the lookup was half the database work of a read). A remembered user is used only
while this process has written nothing to the database since the lookup (`DB.writes`: a
sign-out, a revoked token, a role change or an approval all write, here or in any plugin),
while the token has not expired, and for at most `CACHE_SECONDS`: a change made by another
worker process or by the CLI is seen within that time.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from weakref import WeakKeyDictionary

from core.auth import CurrentUser
from core.db import DB, utcnow
from core.services import Services
from plugins.accounts.service import MAX_TOKEN_LENGTH, token_digest

# `last_used_at` is a write: refresh it at most this often per token, not on every request.
TOUCH_INTERVAL = timedelta(minutes=1)
CACHE_SECONDS = 2.0
# tokens remembered per process, least recently used dropped first (well under 1 KB each)
CACHE_SIZE = 10_000


@dataclass(frozen=True)
class _Lookup:
    user: CurrentUser
    expires_at: datetime
    db_writes: int
    fresh_until: float


# one cache per database object, so apps in one process (tests) never share entries
_caches: WeakKeyDictionary[DB, OrderedDict[str, _Lookup]] = WeakKeyDictionary()


async def authenticate(services: Services, token: str) -> CurrentUser | None:
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    db = services.db
    digest = token_digest(token)
    now = utcnow()
    cache = _caches.setdefault(db, OrderedDict())
    remembered = cache.get(digest)
    if (
        remembered is not None
        and remembered.db_writes == db.writes
        and remembered.expires_at > now
        and time.monotonic() < remembered.fresh_until
    ):
        cache.move_to_end(digest)
        return remembered.user
    # counted before the query: a write that finishes while it runs makes this lookup stale
    writes_before = db.writes
    row = await db.fetch_one("accounts.authenticate", token_hash=digest, now=now)
    if row is None:
        cache.pop(digest, None)
        return None
    if row["last_used_at"] is None or row["last_used_at"] < now - TOUCH_INTERVAL:
        async with db.transaction():
            await db.execute("accounts.touch_token", id=row["token_id"], now=now, stale_before=now - TOUCH_INTERVAL)
    user = CurrentUser(
        id=row["id"],
        username=row["username"],
        is_admin=row["is_admin"],
        is_system=row["is_system"],
        is_approved=row["is_approved"],
        token_id=row["token_id"],
        scopes=tuple(row["scopes"].split()),
    )
    cache[digest] = _Lookup(user, row["expires_at"], writes_before, time.monotonic() + CACHE_SECONDS)
    cache.move_to_end(digest)
    while len(cache) > CACHE_SIZE:
        cache.popitem(last=False)
    return user
