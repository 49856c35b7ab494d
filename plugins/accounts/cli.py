"""`didhub users create | list | approve`: accounts from the command line."""

from __future__ import annotations

import sys

import click
import msgspec

from core.audit import Audit
from core.cli import Context, pass_context, run_with_services
from core.db import utcnow
from core.errors import Conflict
from core.services import Services
from plugins.accounts import service
from plugins.accounts.models import USERNAME_RULE, Password, Username
from plugins.accounts.passwords import hash_password

_PAGE = 200


def _checked(value: str, kind: object, name: str, rule: str) -> str:
    try:
        return msgspec.convert(value, kind)
    except msgspec.ValidationError:
        raise click.BadParameter(rule, param_hint=name) from None


@click.group("users")
def users() -> None:
    """Accounts: create, list, approve."""


@users.command("create")
@click.argument("username")
@click.option("--admin", is_flag=True, help="Make it an administrator.")
@click.option("--system", is_flag=True, help="Mark it as a system account.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@pass_context
def create(ctx: Context, username: str, admin: bool, system: bool, password_stdin: bool) -> None:
    """Create an approved account. The password is asked for (hidden, twice) unless --password-stdin."""
    username = _checked(username, Username, "USERNAME", USERNAME_RULE)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    password = _checked(password, Password, "password", "8–1024 characters.")

    async def work(services: Services) -> int:
        password_hash = await hash_password(password)
        async with services.db.transaction():
            user_id = await service.insert_user(
                services.db,
                username=username,
                password_hash=password_hash,
                is_admin=admin,
                is_system=system,
                is_approved=True,
            )
            await Audit(services.db).record(
                "user.create",
                "user",
                user_id,
                {"username": username, "is_admin": admin, "is_system": system, "is_approved": True},
            )
        return user_id

    try:
        user_id = run_with_services(ctx, work)
    except Conflict as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"created user {username} (id {user_id})")


@users.command("list")
@pass_context
def list_users(ctx: Context) -> None:
    """Every account: id, username and its flags."""

    async def work(services: Services) -> list[dict]:
        rows: list[dict] = []
        after = 0
        while True:
            batch = await services.db.fetch_all(
                "accounts.list_users",
                after=after,
                pattern=None,
                is_admin=None,
                is_system=None,
                is_approved=None,
                limit=_PAGE,
            )
            rows.extend(batch)
            if len(batch) < _PAGE:
                return rows
            after = batch[-1]["id"]

    for row in run_with_services(ctx, work):
        flags = [name for name in ("admin", "system", "approved") if row[f"is_{name}"]]
        click.echo(f"{row['id']:>6}  {row['username']:<32} {' '.join(flags)}".rstrip())


@users.command("approve")
@click.argument("username")
@pass_context
def approve(ctx: Context, username: str) -> None:
    """Approve an account waiting for approval."""

    async def work(services: Services) -> bool:
        db = services.db
        async with db.transaction():
            row = await db.fetch_one("accounts.get_login", username_key=service.username_key(username))
            if row is None:
                return False
            if not row["is_approved"]:
                await db.execute(
                    "accounts.update_user",
                    id=row["id"],
                    is_admin=None,
                    is_system=None,
                    is_approved=True,
                    password_hash=None,
                    updated_at=utcnow(),
                )
                await Audit(db).record(
                    "user.update", "user", row["id"], {"fields": ["is_approved"], "is_approved": True}
                )
        return True

    if not run_with_services(ctx, work):
        raise click.ClickException(f"no user named {username!r}")
    click.echo(f"approved {username}")
