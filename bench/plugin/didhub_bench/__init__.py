"""The bench-only plugin: a reference handler to measure the API against, and bulk seeding.

`GET /bench/reference/alters/{id}` is the least a read can cost on this stack: one primary-key
select through the same pool and the same middleware, with no authentication, no ownership
check and no response Struct. `didhub bench seed-alters` inserts alters in bulk, one
multi-row INSERT ... SELECT per batch, each batch in its own transaction.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
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
    # what autovacuum / InnoDB's persistent statistics would do after a bulk load
    await db.execute("bench.refresh_statistics")
    # an aggregate: always one row
    return await db.fetch_one("bench.alter_id_range", system_id=system_id)


@bench_cli.command("seed-alters")
@click.option("--system-id", type=click.IntRange(1), required=True)
@click.option("--count", type=click.IntRange(1), required=True)
@click.option("--batch", type=click.IntRange(1, 1_000_000), default=100_000, show_default=True)
@pass_context
def seed_alters(ctx: Context, system_id: int, count: int, batch: int) -> None:
    """Add COUNT alters to a system; print the system's alter id range as JSON."""

    async def seed(services: Services) -> dict[str, Any] | None:
        return await insert_alters(services.db, system_id, count, batch)

    click.echo(json.dumps(run_with_services(ctx, seed)))


@hookimpl
def didhub_cli(cli: click.Group) -> None:
    cli.add_command(bench_cli)
