"""Account operations shared by the routes, the CLI and startup; the ones that write run inside
the caller's transaction."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from core.db import DB, utcnow
from core.errors import Conflict, NotFound

TOKEN_PREFIX = "dh_"
# A token longer than this is none of ours; its hash is not even looked up.
MAX_TOKEN_LENGTH = 200


def canonical_scopes(scopes: list[str]) -> list[str]:
    """Scopes in one order ("read", then "write"), without repeats: `api_tokens.scopes` reads
    the same however a client listed them."""
    return [scope for scope in ("read", "write") if scope in scopes]


def username_key(username: str) -> str:
    """What `users.username_key` holds: the case-insensitive identity of a username."""
    return username.casefold()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def insert_user(
    db: DB, *, username: str, password_hash: str, is_admin: bool, is_system: bool, is_approved: bool
) -> int:
    now = utcnow()
    try:
        return await db.insert(
            "accounts.insert_user",
            username=username,
            username_key=username_key(username),
            password_hash=password_hash,
            is_admin=is_admin,
            is_system=is_system,
            is_approved=is_approved,
            created_at=now,
            updated_at=now,
        )
    except Conflict:
        raise username_taken(username) from None


def username_taken(username: str) -> Conflict:
    return Conflict("username_taken", f"The username {username!r} is taken (usernames ignore case).")


async def get_user(db: DB, user_id: int) -> dict[str, Any]:
    row = await db.fetch_one("accounts.get_user", id=user_id)
    if row is None:
        raise NotFound()
    return row


async def issue_token(
    db: DB, *, user_id: int, name: str, scopes: list[str], days: int
) -> tuple[str, int, datetime, datetime]:
    """Store a new token's hash; returns (the token, its id, created_at, expires_at)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    created_at = utcnow()
    expires_at = created_at + timedelta(days=days)
    token_id = await db.insert(
        "accounts.insert_token",
        user_id=user_id,
        name=name,
        token_hash=token_digest(token),
        scopes=" ".join(canonical_scopes(scopes)),
        created_at=created_at,
        expires_at=expires_at,
    )
    return token, token_id, created_at, expires_at


async def would_remove_last_admin(db: DB, user_id: int) -> bool:
    """True when `user_id` is the only approved admin. Locks the admin rows (postgres, mysql)
    until the transaction ends, so two concurrent demotions cannot both pass."""
    admin_ids = [row["id"] for row in await db.fetch_all("accounts.lock_admins")]
    return admin_ids == [user_id]
