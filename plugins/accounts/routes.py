"""The accounts API: sign-up and sign-in, the caller's own account and tokens, and the admin's users."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody, Parameter
from litestar.status_codes import HTTP_200_OK
from msgspec import UNSET

from core.audit import Audit
from core.auth import CurrentUser
from core.db import DB, contains_pattern, utcnow
from core.errors import Conflict, Forbidden, NotFound, Problem, Unauthorized, validation_error
from core.pagination import DEFAULT_LIMIT, Cursor, Limit, decode_cursor, page
from core.params import Id
from core.plugins import call_async
from core.services import Services
from plugins.accounts import service
from plugins.accounts.models import (
    LoginRequest,
    LoginResponse,
    MeUpdate,
    NewToken,
    PasswordChange,
    RegisterRequest,
    TokenCreate,
    TokenPage,
    User,
    UserCreate,
    UserPage,
    UserUpdate,
    token_from_row,
    user_from_row,
)
from plugins.accounts.passwords import check_password, hash_password
from plugins.accounts.throttle import LoginThrottle

logger = logging.getLogger("didhub.accounts")

_THROTTLE_STATE_KEY = "accounts.login_throttle"
_LOGIN_TOKEN_NAME = "login"


def provide_throttle(state: State) -> LoginThrottle:
    """One throttle per app (tests run many apps in one process)."""
    return state.setdefault(_THROTTLE_STATE_KEY, LoginThrottle())


def _throttle_keys(request: Request, username: str) -> tuple[str, str]:
    address = request.client.host if request.client else "unknown"
    return f"user:{service.username_key(username)}", f"address:{address}"


def _wrong_password() -> Unauthorized:
    return Unauthorized("invalid_credentials", "Wrong username or password.")


def _last_admin() -> Conflict:
    return Conflict("last_admin", "This is the last approved administrator; make another one first.")


_SIGNED_IN = {
    401: "No valid bearer token (`unauthenticated`)",
    403: "The account awaits approval (`not_approved`), or a read-only token tried to change something (`forbidden`)",
}
_ADMIN = {**_SIGNED_IN, 403: "Not an administrator (`forbidden`), or a read-only token tried to change something"}


def _problems(descriptions: dict[int, str]) -> dict[int, ResponseSpec]:
    return {status: ResponseSpec(data_container=Problem, description=text) for status, text in descriptions.items()}


_THROTTLED = (
    "After 10 failed sign-ins within 15 minutes for one username or from one address: "
    "`429 rate_limited` with `Retry-After`."
)


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["accounts"]
    dependencies = {"throttle": Provide(provide_throttle, sync_to_thread=False)}

    @post(
        "/register",
        summary="Create an account",
        description=(
            "Public. The account starts unapproved, unless setting `registration.mode` is `open`; with mode "
            "`closed` this answers `403 registration_closed`. With `is_system: true` a pending system request "
            "carrying `note` is filed as well (`note` only goes with `is_system`). A username that differs "
            "from a taken one only in case is taken too: `409 username_taken`."
        ),
        responses=_problems(
            {403: "Registration is closed (`registration_closed`)", 409: "The username is taken (`username_taken`)"}
        ),
    )
    async def register(self, data: JSONBody[RegisterRequest], services: Services, db: DB, audit: Audit) -> User:
        mode = await services.settings.get("registration.mode")
        if mode == "closed":
            raise Forbidden("registration_closed", "This instance does not take new accounts.")
        if data.note is not None and not data.is_system:
            raise validation_error("note", "only goes with is_system: true")
        # cheap check first, so a taken name costs no hashing; the unique key decides for real
        if await db.fetch_one("accounts.get_login", username_key=service.username_key(data.username)):
            raise service.username_taken(data.username)
        password_hash = await hash_password(data.password)
        async with db.transaction():
            user_id = await service.insert_user(
                db,
                username=data.username,
                password_hash=password_hash,
                is_admin=False,
                is_system=False,
                is_approved=mode == "open",
            )
            details: dict[str, Any] = {"username": data.username, "is_system": data.is_system}
            if data.is_system:
                now = utcnow()
                details["system_request_id"] = await db.insert(
                    "accounts.insert_system_request", user_id=user_id, note=data.note, created_at=now, updated_at=now
                )
            await audit.record("auth.register", "user", user_id, details, user_id=user_id)
            row = await service.get_user(db, user_id)
        return user_from_row(row)

    @post(
        "/login",
        status_code=HTTP_200_OK,
        summary="Sign in",
        description=(
            "Public. Answers a bearer token (valid for setting `auth.token_ttl_days` days, scopes read and write) "
            "and the user. An unknown username and a wrong password both answer `401 invalid_credentials`, in "
            "about the same time. An account waiting for approval gets `403 not_approved` (only once the "
            f"password is right). {_THROTTLED}"
        ),
        responses=_problems(
            {
                401: "Wrong username or password (`invalid_credentials`)",
                403: "The account awaits approval (`not_approved`)",
                429: "Too many failed sign-ins (`rate_limited`, see `Retry-After`)",
            }
        ),
    )
    async def login(
        self,
        data: JSONBody[LoginRequest],
        request: Request,
        services: Services,
        db: DB,
        audit: Audit,
        throttle: LoginThrottle,
    ) -> LoginResponse:
        user_key, address_key = _throttle_keys(request, data.username)
        throttle.check((user_key, address_key))
        # a guess counts before its password is checked (and is forgotten if right), so a burst
        # of concurrent guesses at one account cannot slip past the limit
        throttle.fail(user_key)
        row = await db.fetch_one("accounts.get_login", username_key=service.username_key(data.username))
        matches, needs_rehash = await check_password(row["password_hash"] if row else None, data.password)
        if row is None or not matches:
            throttle.fail(address_key)
            user_id = row["id"] if row else None
            # its own transaction: the request fails, the record of it must stay
            async with db.transaction():
                await audit.record("auth.login_failed", "user", user_id, {"username": data.username}, user_id=user_id)
            raise _wrong_password()
        throttle.forget(user_key)
        if not row["is_approved"]:
            raise Forbidden("not_approved", "This account is waiting for an administrator's approval.")
        new_hash = await hash_password(data.password) if needs_rehash else None
        days = await services.settings.get("auth.token_ttl_days")
        # sign-ins leave a token each: clear the user's expired ones away, by primary key (a range
        # DELETE would take gap locks on MySQL and deadlock with concurrent sign-ins' inserts)
        expired = await db.fetch_all("accounts.expired_tokens", user_id=row["id"], now=utcnow())
        async with db.transaction():
            if new_hash is not None:
                await db.execute(
                    "accounts.rehash_password", id=row["id"], password_hash=new_hash, old_hash=row["password_hash"]
                )
            for token_row in expired:
                await db.execute("accounts.delete_token", id=token_row["id"])
            token, token_id, _, expires_at = await service.issue_token(
                db, user_id=row["id"], name=_LOGIN_TOKEN_NAME, scopes=["read", "write"], days=days
            )
            await audit.record("auth.login", "token", token_id, {"username": data.username}, user_id=row["id"])
            user = await service.get_user(db, row["id"])
        return LoginResponse(token=token, token_type="bearer", expires_at=expires_at, user=user_from_row(user))

    @post(
        "/logout",
        status_code=204,
        summary="Sign out",
        description=(
            "Revokes the token this request presents. "
            "A read-only token may change nothing, so it cannot sign itself out: "
            "revoke it with `DELETE /api/v1/me/tokens/{id}`."
        ),
        responses=_problems(_SIGNED_IN),
    )
    async def logout(self, user: CurrentUser, db: DB, audit: Audit) -> None:
        async with db.transaction():
            await db.execute("accounts.delete_token", id=user.token_id)
            await audit.record("auth.logout", "token", user.token_id)


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["accounts"]
    dependencies = {"throttle": Provide(provide_throttle, sync_to_thread=False)}

    @get(
        "/",
        summary="The signed-in user",
        description="Never holds a password hash or a token.",
        responses=_problems(_SIGNED_IN),
    )
    async def get_me(self, user: CurrentUser, db: DB) -> User:
        return user_from_row(await service.get_user(db, user.id))

    @patch(
        "/",
        summary="Change your username",
        description="`409 username_taken` when it differs from a taken one only in case.",
        responses=_problems({**_SIGNED_IN, 409: "The username is taken (`username_taken`)"}),
    )
    async def update_me(self, data: JSONBody[MeUpdate], user: CurrentUser, db: DB, audit: Audit) -> User:
        async with db.transaction():
            if data.username is not UNSET:
                try:
                    await db.execute(
                        "accounts.set_username",
                        id=user.id,
                        username=data.username,
                        username_key=service.username_key(data.username),
                        updated_at=utcnow(),
                    )
                except Conflict:
                    raise service.username_taken(data.username) from None
                await audit.record("user.update", "user", user.id, {"fields": ["username"], "username": data.username})
            row = await service.get_user(db, user.id)
        return user_from_row(row)

    @post(
        "/password",
        status_code=204,
        summary="Change your password",
        description=(
            "Revokes every other token of yours; the one this request presents stays valid. A wrong "
            "`current_password` answers `403 forbidden` (not 401: the token itself is fine). Wrong guesses "
            f"count towards the sign-in throttle. {_THROTTLED}"
        ),
        responses=_problems(
            {
                **_SIGNED_IN,
                403: "The current password is wrong, the account awaits approval, or the token may only read",
                429: "Too many wrong passwords (`rate_limited`, see `Retry-After`)",
            }
        ),
    )
    async def change_password(
        self,
        data: JSONBody[PasswordChange],
        request: Request,
        user: CurrentUser,
        db: DB,
        audit: Audit,
        throttle: LoginThrottle,
    ) -> None:
        user_key, address_key = _throttle_keys(request, user.username)
        throttle.check((user_key, address_key))
        throttle.fail(user_key)
        current_hash = await db.fetch_val("accounts.get_password_hash", id=user.id)
        matches, _ = await check_password(current_hash, data.current_password)
        if not matches:
            throttle.fail(address_key)
            raise Forbidden("forbidden", "The current password is wrong.")
        throttle.forget(user_key)
        new_hash = await hash_password(data.new_password)
        async with db.transaction():
            await db.execute("accounts.set_password_hash", id=user.id, password_hash=new_hash, updated_at=utcnow())
            await db.execute("accounts.delete_other_tokens", user_id=user.id, keep_id=user.token_id)
            await audit.record("user.password_change", "user", user.id)

    @get(
        "/tokens",
        summary="Your tokens",
        description="The tokens that have not expired, sign-in tokens included; never the token itself. Paginated.",
        responses=_problems(_SIGNED_IN),
    )
    async def list_tokens(self, user: CurrentUser, db: DB, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> TokenPage:
        rows = await db.fetch_all(
            "accounts.list_tokens", user_id=user.id, now=utcnow(), after=decode_cursor(cursor) or 0, limit=limit + 1
        )
        items, next_cursor = page(rows, limit)
        return TokenPage(items=[token_from_row(row) for row in items], next_cursor=next_cursor)

    @post(
        "/tokens",
        summary="Create a personal API token",
        description=(
            'The token is in this answer only; store it. `scopes` defaults to `["read", "write"]`; a '
            '`["read"]` token gets `403 forbidden` on every request that changes something.'
        ),
        responses=_problems(_SIGNED_IN),
    )
    async def create_token(
        self, data: JSONBody[TokenCreate], user: CurrentUser, services: Services, db: DB, audit: Audit
    ) -> NewToken:
        scopes = service.canonical_scopes(data.scopes)
        if "read" not in scopes:
            raise validation_error("scopes", 'must be ["read"] or ["read", "write"]')
        days = data.expires_in_days or await services.settings.get("auth.token_ttl_days")
        async with db.transaction():
            token, token_id, created_at, expires_at = await service.issue_token(
                db, user_id=user.id, name=data.name, scopes=scopes, days=days
            )
            await audit.record(
                "token.create", "token", token_id, {"name": data.name, "scopes": scopes, "expires_in_days": days}
            )
        return NewToken(
            id=token_id,
            name=data.name,
            scopes=scopes,  # type: ignore[arg-type]
            created_at=created_at,
            expires_at=expires_at,
            last_used_at=None,
            token=token,
        )

    @delete(
        "/tokens/{token_id:int}",
        summary="Revoke one of your tokens",
        description="`404` when it is not yours.",
        responses=_problems({**_SIGNED_IN, 404: "No token of yours has this id"}),
    )
    async def revoke_token(self, token_id: Id, user: CurrentUser, db: DB, audit: Audit) -> None:
        async with db.transaction():
            row = await db.fetch_one("accounts.get_token", id=token_id, user_id=user.id)
            if row is None:
                raise NotFound()
            await db.execute("accounts.delete_token", id=token_id)
            await audit.record("token.revoke", "token", token_id, {"name": row["name"]})


Search = Annotated[str | None, Parameter(description="Part of the username, any case.", max_length=255)]
Flag = Annotated[bool | None, Parameter(description="Only users with this flag set (`true`) or unset (`false`).")]


class UsersController(Controller):
    path = "/api/v1/users"
    tags = ["users"]

    @get(
        "/",
        summary="List users",
        description="Admin only. Filters combine; ordered by id; paginated.",
        responses=_problems(_ADMIN),
    )
    async def list_users(
        self,
        admin: CurrentUser,
        db: DB,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        q: Search = None,
        is_admin: Flag = None,
        is_system: Flag = None,
        is_approved: Flag = None,
    ) -> UserPage:
        rows = await db.fetch_all(
            "accounts.list_users",
            after=decode_cursor(cursor) or 0,
            pattern=None if q is None else contains_pattern(service.username_key(q)),
            is_admin=is_admin,
            is_system=is_system,
            is_approved=is_approved,
            limit=limit + 1,
        )
        items, next_cursor = page(rows, limit)
        return UserPage(items=[user_from_row(row) for row in items], next_cursor=next_cursor)

    @post(
        "/",
        summary="Create a user",
        description="Admin only. Approved unless `is_approved: false`.",
        responses=_problems({**_ADMIN, 409: "The username is taken (`username_taken`)"}),
    )
    async def create_user(self, data: JSONBody[UserCreate], admin: CurrentUser, db: DB, audit: Audit) -> User:
        password_hash = await hash_password(data.password)
        async with db.transaction():
            user_id = await service.insert_user(
                db,
                username=data.username,
                password_hash=password_hash,
                is_admin=data.is_admin,
                is_system=data.is_system,
                is_approved=data.is_approved,
            )
            await audit.record(
                "user.create",
                "user",
                user_id,
                {
                    "username": data.username,
                    "is_admin": data.is_admin,
                    "is_system": data.is_system,
                    "is_approved": data.is_approved,
                },
            )
            row = await service.get_user(db, user_id)
        return user_from_row(row)

    @get(
        "/{user_id:int}",
        summary="Read a user",
        description="Admin only.",
        responses=_problems({**_ADMIN, 404: "No such user"}),
    )
    async def get_user(self, user_id: Id, admin: CurrentUser, db: DB) -> User:
        return user_from_row(await service.get_user(db, user_id))

    @patch(
        "/{user_id:int}",
        summary="Change a user",
        description=(
            "Admin only; changes only the fields sent. Setting `password` revokes all of the user's tokens. "
            "Taking admin rights or approval from the last approved admin answers `409 last_admin`."
        ),
        responses=_problems(
            {**_ADMIN, 404: "No such user", 409: "It would leave no approved administrator (`last_admin`)"}
        ),
    )
    async def update_user(
        self, user_id: Id, data: JSONBody[UserUpdate], admin: CurrentUser, db: DB, audit: Audit
    ) -> User:
        flags = {
            name: getattr(data, name)
            for name in ("is_admin", "is_system", "is_approved")
            if getattr(data, name) is not UNSET
        }
        password_hash = await hash_password(data.password) if data.password is not UNSET else None
        async with db.transaction():
            row = await service.get_user(db, user_id)
            if not flags and password_hash is None:
                return user_from_row(row)
            demotes = (
                row["is_admin"]
                and row["is_approved"]
                and (flags.get("is_admin") is False or flags.get("is_approved") is False)
            )
            if demotes and await service.would_remove_last_admin(db, user_id):
                raise _last_admin()
            await db.execute(
                "accounts.update_user",
                id=user_id,
                is_admin=flags.get("is_admin"),
                is_system=flags.get("is_system"),
                is_approved=flags.get("is_approved"),
                password_hash=password_hash,
                updated_at=utcnow(),
            )
            if password_hash is not None:
                await db.execute("accounts.delete_user_tokens", user_id=user_id)
            fields = sorted(flags) + (["password"] if password_hash is not None else [])
            await audit.record("user.update", "user", user_id, {"fields": fields, **flags})
            row = await service.get_user(db, user_id)
        return user_from_row(row)

    @delete(
        "/{user_id:int}",
        summary="Delete a user",
        description=(
            "Admin only. Everything of the user goes too: systems and all under them, uploads (rows and files), "
            "tokens, system requests. Deleting the last approved admin answers `409 last_admin`."
        ),
        responses=_problems(
            {**_ADMIN, 404: "No such user", 409: "It is the last approved administrator (`last_admin`)"}
        ),
    )
    async def delete_user(self, user_id: Id, admin: CurrentUser, services: Services, db: DB, audit: Audit) -> None:
        async with db.transaction():
            row = await service.get_user(db, user_id)
            if row["is_admin"] and row["is_approved"] and await service.would_remove_last_admin(db, user_id):
                raise _last_admin()
            after_commit = await call_async(services.pm, "didhub_user_deleting", services=services, user_id=user_id)
            await db.execute("accounts.delete_user", id=user_id)
            await audit.record("user.delete", "user", user_id, {"username": row["username"]})
        for plugin_name, callback in after_commit:
            try:
                await callback()
            except Exception:
                # the user is gone already; what is left behind (e.g. files) is logged, not undone
                logger.exception("plugin %s failed to clean up after deleting user %d", plugin_name, user_id)
