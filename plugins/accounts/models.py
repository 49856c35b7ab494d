"""Request and response types of the accounts API (msgspec Structs: validation and schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

USERNAME_RULE = "1–255 characters: ASCII letters, digits, `_`, `.` and `-`. Unique regardless of case."

# `$(?!\n)`: Python's `$` also matches before a final newline; this keeps "ann\n" out.
Username = Annotated[
    str,
    msgspec.Meta(
        min_length=1, max_length=255, pattern=r"^[A-Za-z0-9_.-]+$(?!\n)", description=USERNAME_RULE, examples=["ann"]
    ),
]
Password = Annotated[
    str,
    msgspec.Meta(min_length=8, max_length=1024, description="8–1024 characters.", examples=["correct horse battery"]),
]
# Sign-in takes whatever was typed (within the column's and the hasher's bounds): a name that
# breaks the rules is simply nobody's.
TypedUsername = Annotated[str, msgspec.Meta(min_length=1, max_length=255, examples=["ann"])]
TypedPassword = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
Note = Annotated[str, msgspec.Meta(max_length=16383, description="For the administrators who decide the request.")]
TokenName = Annotated[str, msgspec.Meta(min_length=1, max_length=100, examples=["phone"])]
Scope = Literal["read", "write"]
Scopes = Annotated[
    list[Scope],
    msgspec.Meta(
        min_length=1,
        max_length=2,
        description='`["read"]` (may only read) or `["read", "write"]`.',
        examples=[["read"], ["read", "write"]],
    ),
]
ExpiresInDays = Annotated[
    int, msgspec.Meta(ge=1, le=3650, description="1–3650 days; default: setting `auth.token_ttl_days`.")
]


class User(msgspec.Struct, kw_only=True):
    id: int
    username: str
    is_admin: bool
    is_system: bool
    is_approved: bool
    created_at: datetime
    updated_at: datetime


class UserPage(msgspec.Struct):
    items: list[User]
    next_cursor: str | None


class RegisterRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    username: Username
    password: Password
    is_system: bool = False
    note: Note | None = None


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    username: TypedUsername
    password: TypedPassword


class LoginResponse(msgspec.Struct, kw_only=True):
    token: str
    token_type: Literal["bearer"]
    expires_at: datetime
    user: User


class MeUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    username: Username | UnsetType = UNSET


class PasswordChange(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    current_password: TypedPassword
    new_password: Password


class TokenCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: TokenName
    scopes: Scopes = msgspec.field(default_factory=lambda: ["read", "write"])
    expires_in_days: ExpiresInDays | None = None


class Token(msgspec.Struct, kw_only=True):
    id: int
    name: str
    scopes: list[Scope]
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None


class NewToken(Token, kw_only=True):
    token: str


class TokenPage(msgspec.Struct):
    items: list[Token]
    next_cursor: str | None


class UserCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    username: Username
    password: Password
    is_admin: bool = False
    is_system: bool = False
    is_approved: bool = True


class UserUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    is_admin: bool | UnsetType = UNSET
    is_system: bool | UnsetType = UNSET
    is_approved: bool | UnsetType = UNSET
    password: Password | UnsetType = UNSET


def user_from_row(row: dict) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        is_admin=row["is_admin"],
        is_system=row["is_system"],
        is_approved=row["is_approved"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def token_from_row(row: dict) -> Token:
    return Token(
        id=row["id"],
        name=row["name"],
        scopes=row["scopes"].split(),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        last_used_at=row["last_used_at"],
    )
