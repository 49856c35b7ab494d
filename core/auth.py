"""The current user, as dependencies a handler asks for by name: `user`, `account`, `admin`.

The core knows no accounts table: it asks the `didhub_authenticate` hook (the accounts plugin)
to turn the bearer token into a `CurrentUser`, once per request.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request

from core.errors import Forbidden, NotFound, Unauthorized
from core.plugins import first_async
from core.services import Services

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_STATE_KEY = "didhub_user"


class CurrentUser(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    username: str
    is_admin: bool
    is_system: bool
    is_approved: bool
    token_id: int
    scopes: tuple[str, ...]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def _resolve(request: Request, services: Services) -> CurrentUser:
    cached = request.scope["state"].get(_STATE_KEY)
    if cached is not None:
        return cached
    token = bearer_token(request)
    if token is None:
        raise Unauthorized("unauthenticated", "Sign in: send Authorization: Bearer <token>.")
    user = await first_async(services.pm, "didhub_authenticate", services=services, token=token)
    if user is None:
        raise Unauthorized("unauthenticated", "The token is invalid, expired or revoked.")
    if request.method not in _SAFE_METHODS and "write" not in user.scopes:
        raise Forbidden("forbidden", "This token may only read.")
    request.scope["state"][_STATE_KEY] = user
    return user


def visible_to(row: dict[str, Any] | None, user: CurrentUser, owner_key: str = "owner_id") -> dict[str, Any]:
    """The row when `user` owns it (`row[owner_key]`) or is an admin; otherwise 404 exactly as
    for a row that does not exist: privacy of existence."""
    if row is None or (row[owner_key] != user.id and not user.is_admin):
        raise NotFound()
    return row


def current_user_or_none(request: Request) -> CurrentUser | None:
    """The user already resolved for this request, if any (for audit rows and rate limits)."""
    return request.scope.get("state", {}).get(_STATE_KEY)


async def provide_account(request: Request, services: Services) -> CurrentUser:
    """Any signed-in user, approved or not."""
    return await _resolve(request, services)


async def provide_user(request: Request, services: Services) -> CurrentUser:
    """A signed-in, approved user."""
    user = await _resolve(request, services)
    if not user.is_approved:
        raise Forbidden("not_approved", "This account is waiting for an administrator's approval.")
    return user


async def provide_admin(request: Request, services: Services) -> CurrentUser:
    """A signed-in, approved administrator."""
    user = await provide_user(request, services)
    if not user.is_admin:
        raise Forbidden("forbidden", "Only administrators may do this.")
    return user
