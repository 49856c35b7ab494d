"""Accounts: registration, sign-in, personal API tokens, the admin's users API and `didhub users`.

Implements `didhub_authenticate`, so every other plugin's `user`/`admin` comes from here.
Passwords are argon2id hashes made in worker threads; tokens are stored only as SHA-256.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import click
import msgspec

from core import hookimpl
from core.auth import CurrentUser
from core.services import Services
from core.settings import SettingSpec
from plugins.accounts import passwords
from plugins.accounts.bootstrap import ensure_admin
from plugins.accounts.routes import AuthController, MeController, UsersController
from plugins.accounts.tokens import authenticate


@hookimpl
def didhub_routes() -> list[Any]:
    return [AuthController, MeController, UsersController]


@hookimpl
def didhub_settings() -> list[SettingSpec]:
    return [
        SettingSpec(
            key="registration.mode",
            type=Literal["open", "approval", "closed"],
            default="approval",
            description=(
                "Who may register: `open` (approved at once), `approval` (an admin approves each account) "
                "or `closed` (only admins create accounts)."
            ),
        ),
        SettingSpec(
            key="auth.token_ttl_days",
            type=Annotated[int, msgspec.Meta(ge=1, le=3650)],
            default=30,
            description="Days a sign-in token lasts; also the default lifetime of a personal API token.",
        ),
    ]


@hookimpl
async def didhub_startup(services: Services) -> None:
    await passwords.prepare()
    await ensure_admin(services)


@hookimpl
async def didhub_authenticate(services: Services, token: str) -> CurrentUser | None:
    return await authenticate(services, token)


@hookimpl
def didhub_cli(cli: click.Group) -> None:
    from plugins.accounts.cli import users

    cli.add_command(users)
