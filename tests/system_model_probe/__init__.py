"""A test-only plugin for the system model's tests.

Its SQL reads the tables directly (so tests check rows, not only answers), and it answers
`didhub_owned_url` for `/test-owned/<user_id>/...` paths the way the uploads plugin does for
its own URLs.
"""

from pathlib import Path

from core import hookimpl

OWNED_PREFIX = "/test-owned/"


@hookimpl
def didhub_sql_dirs() -> list[Path]:
    return [Path(__file__).parent / "sql"]


@hookimpl
def didhub_owned_url(user_id: int, url: str) -> bool | None:
    if not url.startswith(OWNED_PREFIX):
        return None
    return url.startswith(f"{OWNED_PREFIX}{user_id}/")
