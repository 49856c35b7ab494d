"""A test-only plugin: contributes routes, SQL and a migration the way a third party would.

Its SQL also holds the statements the foundation tests use to fill and inspect the schema.
"""

from pathlib import Path

from litestar import get

from core import hookimpl
from core.db import DB

HERE = Path(__file__).parent


@get("/api/v1/sample/notes", summary="Sample notes", description="Test-only plugin route.", tags=["sample"])
async def list_notes(db: DB) -> list[str]:
    return [row["body"] for row in await db.fetch_all("sample.list_notes")]


@get("/api/v1/sample/boom", summary="Always fails", description="Test-only: raises to test the 500 answer.", tags=["sample"])
async def boom() -> None:
    raise RuntimeError("secret internals: SELECT password_hash FROM users")


@hookimpl
def didhub_routes() -> list:
    return [list_notes, boom]


@hookimpl
def didhub_sql_dirs() -> list[Path]:
    return [HERE / "sql"]


@hookimpl
def didhub_migration_dirs() -> list[Path]:
    return [HERE / "migrations"]
