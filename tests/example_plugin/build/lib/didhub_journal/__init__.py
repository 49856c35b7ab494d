"""didhub-journal: entries per alter, visible only to the alter's owner (and admins)."""

from pathlib import Path
from typing import Annotated

import click
import msgspec

from core import hookimpl
from core.cli import Context, pass_context, run_with_services
from core.services import Services
from core.settings import SettingSpec
from didhub_journal.routes import JournalController

HERE = Path(__file__).parent


@hookimpl
def didhub_routes() -> list:
    return [JournalController]


@hookimpl
def didhub_sql_dirs() -> list[Path]:
    return [HERE / "sql"]


@hookimpl
def didhub_migration_dirs() -> list[Path]:
    return [HERE / "migrations"]


@hookimpl
def didhub_settings() -> list[SettingSpec]:
    return [
        SettingSpec(
            key="journal.max_entry_length",
            type=Annotated[int, msgspec.Meta(ge=1, le=100_000)],
            default=10_000,
            description="The longest journal entry, in characters.",
        )
    ]


@click.group("journal")
def journal_cli() -> None:
    """The journal plugin's commands."""


@journal_cli.command("stats")
@pass_context
def stats(ctx: Context) -> None:
    """How many journal entries the instance holds."""

    async def count(services: Services) -> int:
        return await services.db.fetch_val("journal.count_entries")

    click.echo(f"{run_with_services(ctx, count)} journal entries")


@hookimpl
def didhub_cli(cli: click.Group) -> None:
    cli.add_command(journal_cli)
