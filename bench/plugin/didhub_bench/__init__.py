"""The bench-only plugin: a reference handler to measure the API against, and bulk seeding.

`GET /bench/reference/alters/{id}` is the least a read can cost on this stack: one primary-key
select through the same pool and the same middleware, with no authentication, no ownership
check and no response Struct. `didhub bench seed` inserts alters in bulk (one multi-row
INSERT ... SELECT per batch, each batch in its own transaction) and accounts to sign in with.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import click
from argon2 import PasswordHasher
from litestar import get

from core import hookimpl
from core.cli import Context, pass_context, run_with_services
from core.db import DB, utcnow
from core.errors import NotFound
from core.params import Id
from core.services import Services

HERE = Path(__file__).parent
SEEDED_DESCRIPTION = "Seeded for the benchmark: a line of text about the same length as a real one."


@get(
    "/bench/reference/alters/{alter_id:int}",
    summary="Reference read (bench only)",
    description="One primary-key select on alters, no authentication: the floor the API is measured against.",
    tags=["bench"],
)
async def reference_alter(alter_id: Id, db: DB) -> dict[str, Any]:
    row = await db.fetch_one("bench.reference_alter", id=alter_id)
    if row is None:
        raise NotFound()
    return row


@hookimpl
def didhub_routes() -> list[Any]:
    return [reference_alter]


@hookimpl
def didhub_sql_dirs() -> list[Path]:
    return [HERE / "sql"]


@click.group("bench")
def bench_cli() -> None:
    """Benchmark helpers (loaded only by `make bench`)."""


async def insert_alters(db: DB, system_id: int, count: int, batch: int = 100_000) -> dict[str, Any] | None:
    """Add `count` alters to a system, a batch per statement and transaction; return its id range."""
    now = utcnow()
    for done in range(0, count, batch):
        async with db.transaction():
            await db.execute(
                "bench.insert_alters",
                system_id=system_id,
                first_number=done + 1,
                count=min(batch, count - done),
                description=SEEDED_DESCRIPTION,
                now=now,
            )
    # statistics as a server that has run a while has them (per dialect: see the query)
    await db.execute("bench.refresh_statistics")
    # an aggregate: always one row
    return await db.fetch_one("bench.alter_id_range", system_id=system_id)


async def insert_accounts(db: DB, prefix: str, count: int, password: str) -> None:
    """Approved ordinary accounts `<prefix>0` ... sharing one password (hashed once, as the
    accounts plugin hashes: argon2-cffi's defaults)."""
    password_hash = await asyncio.to_thread(PasswordHasher().hash, password)
    now = utcnow()
    rows = [
        {
            "username": f"{prefix}{number}",
            # what the accounts plugin stores: the username, case-folded
            "username_key": f"{prefix}{number}".casefold(),
            "password_hash": password_hash,
            "now": now,
        }
        for number in range(count)
    ]
    async with db.transaction():
        await db.execute_many("bench.insert_account", rows)


@bench_cli.command("seed")
@click.option("--system-id", type=click.IntRange(1), help="The system that gets --alters alters.")
@click.option("--alters", type=click.IntRange(1), help="How many alters to add.")
@click.option("--batch", type=click.IntRange(1, 1_000_000), default=100_000, show_default=True)
@click.option("--accounts", "account_prefix", help="Also make --count accounts named PREFIX0, PREFIX1, ...")
@click.option("--count", type=click.IntRange(1), default=20, show_default=True)
@click.option("--password", default="bench-login-password", show_default=True)
@pass_context
def seed(
    ctx: Context, system_id: int | None, alters: int | None, batch: int, account_prefix: str | None, count: int, password: str
) -> None:
    """Add alters to a system and/or accounts; print the system's alter id range as JSON."""
    if (system_id is None) != (alters is None):
        raise click.UsageError("--system-id and --alters go together")

    async def work(services: Services) -> dict[str, Any] | None:
        if account_prefix:
            await insert_accounts(services.db, account_prefix, count, password)
        if system_id is not None and alters is not None:
            return await insert_alters(services.db, system_id, alters, batch)
        return None

    click.echo(json.dumps(run_with_services(ctx, work)))


@hookimpl
def didhub_cli(cli: click.Group) -> None:
    cli.add_command(bench_cli)
