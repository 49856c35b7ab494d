"""A test-only plugin for tests/test_uploads.py: SQL to inspect the audit rows and count uploads."""

from pathlib import Path

from core import hookimpl


@hookimpl
def didhub_sql_dirs() -> list[Path]:
    return [Path(__file__).parent / "sql"]
