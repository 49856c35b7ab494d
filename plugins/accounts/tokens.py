"""Bearer tokens → the current user, for the `didhub_authenticate` hook."""

from __future__ import annotations

from datetime import timedelta

from core.auth import CurrentUser
from core.db import utcnow
from core.services import Services
from plugins.accounts.service import MAX_TOKEN_LENGTH, token_digest

# `last_used_at` is a write: refresh it at most this often per token, not on every request.
TOUCH_INTERVAL = timedelta(minutes=1)


async def authenticate(services: Services, token: str) -> CurrentUser | None:
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    db = services.db
    now = utcnow()
    row = await db.fetch_one("accounts.authenticate", token_hash=token_digest(token), now=now)
    if row is None:
        return None
    if row["last_used_at"] is None or row["last_used_at"] < now - TOUCH_INTERVAL:
        async with db.transaction():
            await db.execute("accounts.touch_token", id=row["token_id"], now=now, stale_before=now - TOUCH_INTERVAL)
    return CurrentUser(
        id=row["id"],
        username=row["username"],
        is_admin=row["is_admin"],
        is_system=row["is_system"],
        is_approved=row["is_approved"],
        token_id=row["token_id"],
        scopes=tuple(row["scopes"].split()),
    )
