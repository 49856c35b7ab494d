"""Helpers for the seed and backup tests: the CLI, fresh databases, and what an instance holds."""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from core.app import build_services
from core.backup import TABLES
from core.cli import cli
from core.config import load_config
from core.testing import _URL_VARIABLES, _server_database, _with_database_name

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.json"


def instance_env(db_url: str, upload_dir: Path) -> dict[str, str | None]:
    """The environment of one instance; None removes a variable the outer environment may set."""
    return {
        "DIDHUB_DB": db_url,
        "DIDHUB_UPLOAD_DIR": str(upload_dir),
        "DIDHUB_LOG": "didhub=warning",
        "DIDHUB_RATE_LIMIT": "0",
        "DIDHUB_CONFIG": None,
        "DIDHUB_ADMIN_USERNAME": None,
        "DIDHUB_ADMIN_PASSWORD": None,
    }


def config_of(env: dict[str, str | None]):  # type: ignore[no-untyped-def]
    return load_config(environ={key: value for key, value in env.items() if value is not None})


def didhub(env: dict[str, str | None], *args: str) -> Result:
    """`didhub ARGS` with `env` (synchronously: the command runs an event loop of its own)."""
    return CliRunner().invoke(cli, [str(arg) for arg in args], env=env)


def table_contents(env: dict[str, str | None]) -> dict[str, list[dict[str, Any]]]:
    """Every row of every core table, in primary-key order, read straight from the database."""

    async def read() -> dict[str, list[dict[str, Any]]]:
        services, _ = build_services(config_of(env))
        await services.db.connect()
        try:
            return {
                table.name: await services.db.fetch_all(f"backup.dump_{table.name}", limit=1_000_000, **table.after(None))
                for table in TABLES
            }
        finally:
            await services.db.disconnect()

    return asyncio.run(read())


def files_under(folder: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every file below `folder`."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() or path.is_symlink()
    }


def backend_available(backend: str, request: pytest.FixtureRequest) -> bool:
    if backend == "sqlite" or os.environ.get(_URL_VARIABLES[backend]):
        return True
    if request.config.getoption("--require-all-backends"):
        pytest.fail(f"{_URL_VARIABLES[backend]} is not set")
    return False


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[Any]:
    """make(backend) → the URL of a new, empty database on that backend; all dropped afterwards."""
    created: list[tuple[str, str]] = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / f'fresh-{uuid.uuid4().hex[:8]}.sqlite'}"
        server_url = os.environ[_URL_VARIABLES[backend]]
        name = f"didhub_test_{uuid.uuid4().hex[:12]}"
        _server_database(server_url, name, "create")
        created.append((server_url, name))
        return _with_database_name(server_url, name)

    yield make
    for server_url, name in created:
        _server_database(server_url, name, "drop")
