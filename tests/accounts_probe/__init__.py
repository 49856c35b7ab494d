"""A test-only plugin for tests/test_accounts.py: SQL to fill and inspect tables the accounts
API does not show, and a `didhub_user_deleting` hook that records when it runs."""

from pathlib import Path
from typing import Any

from core import hookimpl

HERE = Path(__file__).parent

# (user_id, the user's row still there when the hook ran, the row gone when the callback ran)
deletions: list[dict[str, Any]] = []


@hookimpl
def didhub_sql_dirs() -> list[Path]:
    return [HERE / "sql"]


@hookimpl
async def didhub_user_deleting(services: Any, user_id: int) -> Any:
    record = {
        "user_id": user_id,
        "row_during_hook": await services.db.fetch_one("accounts.get_user", id=user_id) is not None,
    }
    deletions.append(record)

    async def after_commit() -> None:
        record["row_after_commit"] = await services.db.fetch_one("accounts.get_user", id=user_id) is not None

    return after_commit
