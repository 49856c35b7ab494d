from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.params import JSONBody

from core.audit import Audit
from core.auth import CurrentUser, visible_to
from core.db import DB, utcnow
from core.errors import Forbidden
from core.pagination import DEFAULT_LIMIT, Cursor, Limit, decode_cursor, page
from core.params import Id, OptionalId

# VARCHAR(255); no NUL, which PostgreSQL cannot store in text
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=r"^[^\x00]*$", examples=["The Lighthouse"])]
# MySQL's TEXT holds 65,535 bytes: 16,383 characters of up to 4 bytes each always fit
Description = Annotated[str, msgspec.Meta(max_length=16_383, pattern=r"^[^\x00]*$")]


class System(msgspec.Struct):
    id: int
    user_id: int
    name: str
    description: str | None
    created_at: datetime
    updated_at: datetime


class SystemPage(msgspec.Struct):
    items: list[System]
    next_cursor: str | None


class SystemCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    description: Description | None = None


class SystemUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: Description | None | msgspec.UnsetType = msgspec.UNSET


class SystemsController(Controller):
    path = "/api/v1/systems"
    tags = ["systems"]

    @get(
        "/",
        summary="List systems",
        description=(
            "The caller's systems, ordered by id, paginated. An admin may pass `user_id` to list another "
            "user's systems; anyone else passing a `user_id` other than their own gets 403 `forbidden`."
        ),
    )
    async def list_systems(
        self, user: CurrentUser, db: DB, user_id: OptionalId = None, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> SystemPage:
        owner_id = user.id if user_id is None else user_id
        if owner_id != user.id and not user.is_admin:
            raise Forbidden("forbidden", "Only administrators may list another user's systems.")
        rows = await db.fetch_all(
            "systems.list_for_user", user_id=owner_id, after=decode_cursor(cursor) or 0, limit=limit + 1
        )
        items, next_cursor = page(rows, limit)
        return SystemPage(items=[msgspec.convert(row, System) for row in items], next_cursor=next_cursor)

    @post(
        "/",
        summary="Create a system",
        description="Only system accounts (`is_system`) may create systems; others get 403 `not_a_system`.",
    )
    async def create_system(self, data: JSONBody[SystemCreate], user: CurrentUser, db: DB, audit: Audit) -> System:
        if not user.is_system:
            raise Forbidden("not_a_system", "Only system accounts may create systems; ask for a system request.")
        now = utcnow()
        async with db.transaction():
            system_id = await db.insert(
                "systems.insert", user_id=user.id, name=data.name, description=data.description, created_at=now, updated_at=now
            )
            await audit.record("system.create", "system", system_id, {"user_id": user.id})
            row = await db.fetch_one("systems.get", id=system_id)
        return msgspec.convert(row, System)

    @get(
        "/{system_id:int}",
        summary="Read a system",
        description="Owner or admin. Anyone else gets 404, as for a system that does not exist.",
    )
    async def get_system(self, system_id: Id, user: CurrentUser, db: DB) -> System:
        return msgspec.convert(visible_to(await db.fetch_one("systems.get", id=system_id), user, "user_id"), System)

    @patch(
        "/{system_id:int}",
        summary="Change a system",
        description="Owner or admin. Only the fields sent change; `description` may be set to null.",
    )
    async def update_system(self, system_id: Id, data: JSONBody[SystemUpdate], user: CurrentUser, db: DB, audit: Audit) -> System:
        changes = {field: value for field, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET}
        async with db.transaction():
            row = visible_to(await db.fetch_one("systems.get_for_update", id=system_id), user, "user_id")
            merged = {field: row[field] for field in ("name", "description")} | changes
            await db.execute("systems.update", id=system_id, updated_at=utcnow(), **merged)
            await audit.record("system.update", "system", system_id, {"fields": sorted(changes)})
            row = await db.fetch_one("systems.get", id=system_id)
        return msgspec.convert(row, System)

    @delete(
        "/{system_id:int}",
        summary="Delete a system",
        description="Owner or admin. Its alters, groups, subsystems and memberships are deleted with it.",
    )
    async def delete_system(self, system_id: Id, user: CurrentUser, db: DB, audit: Audit) -> None:
        async with db.transaction():
            row = visible_to(await db.fetch_one("systems.get_for_update", id=system_id), user, "user_id")
            await db.execute("systems.delete", id=system_id)
            await audit.record("system.delete", "system", system_id, {"user_id": row["user_id"]})
