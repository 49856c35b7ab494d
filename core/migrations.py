"""yoyo migrations: the core's folder for the dialect, then each plugin's. Sync: run in a thread."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pluggy
from yoyo import get_backend, read_migrations
from yoyo.migrations import MigrationList

from core.db import DatabaseUrl
from core.plugins import per_plugin
from core.resources import data_path

CORE_FOLDERS = {"sqlite": "migrations.sqlite", "postgres": "migrations_postgres", "mysql": "migrations_mysql"}


class MigrationError(Exception):
    """A migration folder is broken or a step failed; the message names it."""


@dataclass(frozen=True)
class MigrationSet:
    owner: str  # "core" or the plugin's name
    folder: Path


def migration_sets(dialect: str, pm: pluggy.PluginManager | None) -> list[MigrationSet]:
    sets = [MigrationSet("core", data_path(CORE_FOLDERS[dialect]))]
    if pm is not None:
        for plugin_name, folders in per_plugin(pm, "didhub_migration_dirs"):
            for folder in folders:
                sets.append(MigrationSet(plugin_name, Path(folder) / dialect))
    return sets


def _read(sets: list[MigrationSet]) -> MigrationList:
    migrations = read_migrations(*(str(s.folder) for s in sets))
    expected = sum(
        1 for s in sets for path in s.folder.glob("*.sql") if not path.name.endswith(".rollback.sql")
    ) + sum(1 for s in sets for _ in s.folder.glob("*.py"))
    # yoyo skips a migration that fails to load instead of saying so
    for migration in migrations:
        try:
            migration.load()
        except Exception as exc:
            raise MigrationError(f"migration {migration.id} cannot be loaded: {exc}") from exc
    if len(migrations) != expected:
        raise MigrationError(f"expected {expected} migrations in {[str(s.folder) for s in sets]}, read {len(migrations)}")
    return migrations


class Migrator:
    def __init__(self, url: DatabaseUrl, sets: list[MigrationSet]) -> None:
        self.url = url
        self.sets = sets

    def _backend(self):  # type: ignore[no-untyped-def]
        if self.url.sqlite_path is not None:
            self.url.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        return get_backend(self.url.yoyo_url)

    def _selected(self, owner: str | None) -> list[MigrationSet]:
        if owner is None:
            return self.sets
        chosen = [s for s in self.sets if s.owner == owner]
        if not chosen:
            raise MigrationError(f"no migrations belong to {owner!r} (known: {', '.join(sorted({s.owner for s in self.sets}))})")
        return chosen

    def up(self) -> int:
        """Apply every pending migration under yoyo's lock; return how many ran."""
        migrations = _read(self.sets)
        backend = self._backend()
        try:
            with backend.lock():
                pending = backend.to_apply(migrations)
                backend.apply_migrations(pending)
                return len(pending)
        finally:
            backend.connection.close()

    def down(self, steps: int | None = None, owner: str | None = None) -> int:
        """Roll back the newest `steps` applied migrations (all when None), of one owner if given."""
        migrations = _read(self._selected(owner))
        backend = self._backend()
        try:
            with backend.lock():
                applied = backend.to_rollback(migrations)
                chosen = applied if steps is None else applied[:steps]
                backend.rollback_migrations(chosen)
                return len(chosen)
        finally:
            backend.connection.close()

    def status(self) -> list[tuple[str, str, bool]]:
        """(owner, migration id, applied) for every known migration, in order."""
        backend = self._backend()
        try:
            rows = []
            for migration_set in self.sets:
                for migration in _read([migration_set]):
                    rows.append((migration_set.owner, migration.id, backend.is_applied(migration)))
            return rows
        finally:
            backend.connection.close()

    def pending(self) -> int:
        migrations = _read(self.sets)
        backend = self._backend()
        try:
            return len(backend.to_apply(migrations))
        finally:
            backend.connection.close()

    def break_lock(self) -> None:
        backend = self._backend()
        try:
            backend.break_lock()
        finally:
            backend.connection.close()
