"""`didhub`: serve, migrate, seed, backup, restore, plugins, and whatever commands plugins add."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from core import __version__
from core.config import Config, ConfigError, load_config
from core.db import parse_database_url
from core.logging import configure_logging
from core.migrations import MigrationError, Migrator, migration_sets
from core.plugins import PluginError, describe, load_plugins, per_plugin
from core.services import Services

T = TypeVar("T")


class Context:
    """What every command needs, built lazily so `didhub --help` works with a broken setting."""

    def __init__(self, config_file: str | None) -> None:
        self.config_file = config_file
        self._config: Config | None = None
        self._pm: Any = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_file)
        return self._config

    @property
    def pm(self) -> Any:
        if self._pm is None:
            self._pm = load_plugins(self.config)
        return self._pm

    def migrator(self) -> Migrator:
        url = parse_database_url(self.config.db)
        return Migrator(url, migration_sets(url.dialect, self.pm))


pass_context = click.make_pass_decorator(Context)


def run_with_services(ctx: Context, work: Callable[[Services], Awaitable[T]]) -> T:
    """Run `await work(services)` with the database migrated and connected, for CLI commands."""
    from core.app import build_services, started

    async def run() -> T:
        services, migrator = build_services(ctx.config)
        async with started(services, migrator):
            return await work(services)

    configure_logging(ctx.config)
    return asyncio.run(run())


@click.group()
@click.version_option(__version__, prog_name="didhub")
@click.option("-c", "--config", "config_file", type=click.Path(dir_okay=False), help="JSON config file (environment wins).")
@click.pass_context
def cli(ctx: click.Context, config_file: str | None) -> None:
    """DIDHub: a self-hostable home for plural systems."""
    if config_file:
        # workers started by uvicorn read the same file
        os.environ["DIDHUB_CONFIG"] = os.path.abspath(config_file)
    ctx.obj = Context(config_file)


@cli.command()
@click.option("--host", default=None, help="Address to listen on (DIDHUB_HOST).")
@click.option("--port", type=int, default=None, help="Port (DIDHUB_PORT).")
@click.option("--workers", type=click.IntRange(1), default=1, show_default=True)
@pass_context
def serve(ctx: Context, host: str | None, port: int | None, workers: int) -> None:
    """Apply pending migrations, then serve the API."""
    import uvicorn

    configure_logging(ctx.config)
    applied = ctx.migrator().up()
    if applied:
        logging.getLogger("didhub").info("applied %d migrations", applied)
    uvicorn.run(
        "core.app:create_app",
        factory=True,
        host=host or ctx.config.host,
        port=port or ctx.config.port,
        workers=workers,
        log_config=None,  # core.logging owns the format (DIDHUB_LOG, DIDHUB_LOG_FORMAT)
        access_log=False,  # DIDHub logs one line per request itself, with the request id
    )


@cli.group()
def migrate() -> None:
    """Database migrations (they also run at every start)."""


@migrate.command("status")
@pass_context
def migrate_status(ctx: Context) -> None:
    """List every migration and whether it is applied."""
    for owner, migration_id, applied in ctx.migrator().status():
        click.echo(f"{'applied' if applied else 'pending'}  {owner:<12} {migration_id}")


@migrate.command("up")
@pass_context
def migrate_up(ctx: Context) -> None:
    """Apply every pending migration."""
    click.echo(f"applied {ctx.migrator().up()} migrations")


@migrate.command("down")
@click.option("--steps", type=click.IntRange(1), default=None, help="How many to roll back (default: all).")
@click.option("--plugin", "owner", default=None, help="Only this plugin's migrations ('core' for the core's).")
@pass_context
def migrate_down(ctx: Context, steps: int | None, owner: str | None) -> None:
    """Roll back migrations, newest first."""
    click.echo(f"rolled back {ctx.migrator().down(steps, owner)} migrations")


@migrate.command("break-lock")
@pass_context
def migrate_break_lock(ctx: Context) -> None:
    """Remove the lock a crashed process left behind."""
    ctx.migrator().break_lock()
    click.echo("lock removed")


@cli.command("seed")
@click.option("-c", "--config", "seed_file", type=click.Path(dir_okay=False), help="The config file with a \"seed\" object.")
@pass_context
def seed_command(ctx: Context, seed_file: str | None) -> None:
    """Create the admin, demo accounts and systems of the config file's "seed" (a second run changes nothing)."""
    from core.seed import SeedError, load_seed, run_seed

    ctx.config_file = seed_file or ctx.config_file
    if ctx.config_file is None:
        raise click.UsageError("name the seed file: didhub seed -c config.example.json")
    try:
        seed = load_seed(ctx.config_file)
        created = asyncio.run(run_seed(ctx.config, seed, ctx.config_file))
    except SeedError as exc:
        _fail(str(exc))
    summary = ", ".join(f"{kind}: {count}" for kind, count in created.items())
    click.echo(f"created {summary}" if summary else "nothing to create: everything in the seed exists")


@cli.command()
@click.argument("archive", type=click.Path(dir_okay=False))
@pass_context
def backup(ctx: Context, archive: str) -> None:
    """Write every table and uploaded file to ARCHIVE (a tar; gzip when it ends in .gz), for any backend."""
    from core.backup import BackupError, backup as backup_instance

    configure_logging(ctx.config)
    try:
        result = asyncio.run(backup_instance(ctx.config, Path(archive)))
    except BackupError as exc:
        _fail(str(exc))
    manifest = result.manifest
    click.echo(f"backed up {manifest.row_count} rows and {len(manifest.files)} files ({manifest.file_bytes} bytes) to {archive}")
    if result.missing_files:
        click.echo(f"didhub: warning: {len(result.missing_files)} uploads have no file in {ctx.config.upload_dir}; the archive holds their rows only", err=True)


@cli.command()
@click.argument("archive", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Empty a database that is not empty first (everything in it is replaced).")
@pass_context
def restore(ctx: Context, archive: str, force: bool) -> None:
    """Load ARCHIVE (from `didhub backup`) into an empty database of any backend, checking every hash first."""
    from core.backup import BackupError, restore as restore_instance

    configure_logging(ctx.config)
    try:
        manifest = asyncio.run(restore_instance(ctx.config, Path(archive), force=force))
    except BackupError as exc:
        _fail(str(exc))
    click.echo(f"restored {manifest.row_count} rows and {len(manifest.files)} files from {archive}")


def _fail(message: str) -> NoReturn:
    click.echo(f"didhub: {message}", err=True)
    sys.exit(2)


@cli.command("plugins")
@pass_context
def plugins_command(ctx: Context) -> None:
    """List the loaded plugins, where they come from and the hooks each implements."""
    for row in describe(ctx.pm):
        click.echo(f"{row['name']:<16} {row['version']:<8} {row['source']:<28} {', '.join(row['hooks'])}")


def _add_plugin_commands(argv: list[str]) -> None:
    """Plugins add commands before click parses; read -c/--config early for that."""
    config_file = None
    for index, arg in enumerate(argv):
        if arg in ("-c", "--config") and index + 1 < len(argv):
            config_file = argv[index + 1]
        elif arg.startswith("--config="):
            config_file = arg.split("=", 1)[1]
    pm = load_plugins(load_config(config_file))
    per_plugin(pm, "didhub_cli", cli=cli)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    try:
        _add_plugin_commands(argv)
        cli.main(args=argv, prog_name="didhub", standalone_mode=True)
    except (ConfigError, PluginError, MigrationError) as exc:
        click.echo(f"didhub: {exc}", err=True)
        sys.exit(2)
