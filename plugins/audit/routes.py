from datetime import datetime, timezone
from typing import Annotated, Any

import msgspec
from litestar import get
from litestar.openapi import ResponseSpec
from litestar.params import Parameter

from core.auth import CurrentUser
from core.db import DB
from core.errors import Problem, validation_error
from core.pagination import DEFAULT_LIMIT, Cursor, Limit, decode_cursor, page
from core.params import MAX_ID


class AuditLog(msgspec.Struct):
    id: int
    user_id: int | None
    action: str
    entity_type: str | None
    entity_id: int | None
    details: dict[str, Any]
    ip_address: str | None
    user_agent: str | None
    created_at: datetime


class AuditLogPage(msgspec.Struct):
    items: list[AuditLog]
    next_cursor: str | None


# no NUL: PostgreSQL cannot compare text with it and would fail instead of finding nothing
_NO_NUL = r"^[^\x00]*$"

Timestamp = Annotated[
    datetime | None,
    Parameter(
        description="An ISO-8601 (RFC 3339) timestamp such as `2026-11-26T10:00:00Z`; without an offset it is taken as UTC.",
    ),
]


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


@get(
    "/api/v1/audit-logs",
    summary="Read the audit log",
    description=(
        "Administrators only. Every mutation leaves one row; newest first, paginated. Filters combine: "
        "`since` is inclusive and `until` exclusive (`since <= created_at < until`). A timestamp that is "
        "not ISO-8601, or `since` after `until`, is 400 `validation_failed`."
    ),
    tags=["audit"],
    responses={
        401: ResponseSpec(data_container=Problem, description="No valid bearer token (`unauthenticated`)"),
        403: ResponseSpec(data_container=Problem, description="Not an administrator (`forbidden`, `not_approved`)"),
    },
)
async def list_audit_logs(
    admin: CurrentUser,
    db: DB,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    action: Annotated[
        str | None, Parameter(max_length=100, pattern=_NO_NUL, description="e.g. `alter.create`")
    ] = None,
    user_id: Annotated[
        int | None, Parameter(ge=1, le=MAX_ID, description="Rows of this acting user.")
    ] = None,
    entity_type: Annotated[
        str | None, Parameter(max_length=50, pattern=_NO_NUL, description="e.g. `alter`")
    ] = None,
    entity_id: Annotated[
        int | None, Parameter(ge=1, le=MAX_ID, description="Rows about this entity (with `entity_type`).")
    ] = None,
    since: Timestamp = None,
    until: Timestamp = None,
) -> AuditLogPage:
    since, until = _utc(since), _utc(until)
    if since is not None and until is not None and since > until:
        raise validation_error("until", "must not be before since")
    before = decode_cursor(cursor)
    rows = await db.fetch_all(
        "audit.list",
        action=action,
        user_id=user_id,
        entity_type=entity_type,
        entity_id=entity_id,
        since=since,
        until=until,
        # newest first: the cursor is the last id seen, the next page lies below it
        before=MAX_ID if before is None else before,
        limit=limit + 1,
    )
    items, next_cursor = page(rows, limit)
    return AuditLogPage([msgspec.convert(row, AuditLog) for row in items], next_cursor)
