from datetime import datetime
from typing import Annotated, Literal

import msgspec
from litestar import Controller, get, post
from litestar.openapi import ResponseSpec
from litestar.params import Parameter

from core.audit import Audit
from core.auth import CurrentUser, visible_to
from core.db import DB, utcnow
from core.errors import Conflict, NotFound, Problem
from core.pagination import DEFAULT_LIMIT, Cursor, Limit, decode_cursor, page
from core.params import Id

Status = Literal["pending", "approved", "rejected"]
# TEXT columns: MySQL's TEXT holds 65,535 bytes, i.e. 16,383 characters of 4-byte UTF-8;
# no NUL, which PostgreSQL cannot store in text
Notes = Annotated[str, msgspec.Meta(max_length=16_383, pattern=r"^[^\x00]*$")]


class SystemRequest(msgspec.Struct):
    id: int
    user_id: int
    status: Status
    note: str | None
    admin_notes: str | None
    created_at: datetime
    updated_at: datetime


class SystemRequestPage(msgspec.Struct):
    items: list[SystemRequest]
    next_cursor: str | None


class SystemRequestCreate(msgspec.Struct, forbid_unknown_fields=True):
    note: Notes | None = None


class SystemRequestDecision(msgspec.Struct, forbid_unknown_fields=True):
    admin_notes: Notes | None = None


_PROBLEMS = {
    401: "No valid bearer token (`unauthenticated`)",
    403: "Not allowed: a read-only token, an unapproved account, or not an administrator",
    404: "No such request, or not the caller's",
    409: "`conflict`: already a system, a pending request exists, or the request was already decided",
}


def _problems(*statuses: int) -> dict[int, ResponseSpec]:
    return {status: ResponseSpec(data_container=Problem, description=_PROBLEMS[status]) for status in statuses}


def _request(row: dict) -> SystemRequest:
    return msgspec.convert(row, SystemRequest)


class SystemRequestsController(Controller):
    path = "/api/v1/system-requests"
    tags = ["system requests"]

    @post(
        "/",
        summary="Ask to become a system",
        description=(
            "Any signed-in account, approved or not, may ask an administrator to mark it as a system. "
            "The request starts `pending`. 409 `conflict` when the account is already a system or "
            "already has a pending request."
        ),
        responses=_problems(401, 403, 409),
    )
    async def create_request(
        self, account: CurrentUser, db: DB, audit: Audit, data: SystemRequestCreate | None = None
    ) -> SystemRequest:
        note = data.note if data else None
        now = utcnow()
        async with db.transaction():
            # locking the user's row serialises two concurrent requests of the same account
            user = await db.fetch_one("system_requests.lock_user", user_id=account.id)
            if user is None:
                raise NotFound()
            if user["is_system"]:
                raise Conflict("conflict", "This account is already a system.")
            if await db.fetch_one("system_requests.find_pending", user_id=account.id):
                raise Conflict("conflict", "This account already has a pending system request.")
            request_id = await db.insert(
                "system_requests.insert", user_id=account.id, note=note, created_at=now, updated_at=now
            )
            await audit.record("system_request.create", "system_request", request_id, {"user_id": account.id})
            row = await db.fetch_one("system_requests.get", id=request_id)
        return _request(row)

    @get(
        "/",
        summary="List system requests",
        description=(
            "An administrator sees every request, anyone else their own. Filter by `status`; "
            "ordered by id, paginated."
        ),
        responses=_problems(401, 403),
    )
    async def list_requests(
        self,
        user: CurrentUser,
        db: DB,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        status: Annotated[Status | None, Parameter(description="Only requests with this status.")] = None,
    ) -> SystemRequestPage:
        rows = await db.fetch_all(
            "system_requests.list",
            user_id=None if user.is_admin else user.id,
            status=status,
            after=decode_cursor(cursor) or 0,
            limit=limit + 1,
        )
        items, next_cursor = page(rows, limit)
        return SystemRequestPage([_request(row) for row in items], next_cursor)

    @get(
        "/{request_id:int}",
        summary="Read a system request",
        description="The requesting user or an administrator; for anyone else it does not exist (404).",
        responses=_problems(401, 403, 404),
    )
    async def get_request(self, request_id: Id, user: CurrentUser, db: DB) -> SystemRequest:
        return _request(visible_to(await db.fetch_one("system_requests.get", id=request_id), user, "user_id"))

    @post(
        "/{request_id:int}/approve",
        status_code=200,
        summary="Approve a system request",
        description=(
            "Administrators only. The request becomes `approved` and, in the same transaction, its user "
            "becomes a system and is approved. A request that is no longer pending is 409 `conflict`."
        ),
        responses=_problems(401, 403, 404, 409),
    )
    async def approve_request(
        self, request_id: Id, admin: CurrentUser, db: DB, audit: Audit, data: SystemRequestDecision | None = None
    ) -> SystemRequest:
        return await _decide(db, audit, request_id, "approved", data.admin_notes if data else None)

    @post(
        "/{request_id:int}/reject",
        status_code=200,
        summary="Reject a system request",
        description=(
            "Administrators only. The request becomes `rejected`; the user stays as they were. "
            "A request that is no longer pending is 409 `conflict`."
        ),
        responses=_problems(401, 403, 404, 409),
    )
    async def reject_request(
        self, request_id: Id, admin: CurrentUser, db: DB, audit: Audit, data: SystemRequestDecision | None = None
    ) -> SystemRequest:
        return await _decide(db, audit, request_id, "rejected", data.admin_notes if data else None)


async def _decide(db: DB, audit: Audit, request_id: int, status: Status, admin_notes: str | None) -> SystemRequest:
    now = utcnow()
    async with db.transaction():
        # the row lock makes a second admin wait, then see the request is no longer pending
        row = await db.fetch_one("system_requests.get_for_update", id=request_id)
        if row is None:
            raise NotFound()
        if row["status"] != "pending":
            raise Conflict("conflict", f"This request was already {row['status']}.")
        await db.execute("system_requests.decide", id=request_id, status=status, admin_notes=admin_notes, updated_at=now)
        if status == "approved":
            await db.execute("system_requests.make_user_system", user_id=row["user_id"], updated_at=now)
        action = "system_request.approve" if status == "approved" else "system_request.reject"
        await audit.record(action, "system_request", request_id, {"user_id": row["user_id"]})
        row = await db.fetch_one("system_requests.get", id=request_id)
    return _request(row)
