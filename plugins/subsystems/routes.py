from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, delete, get, patch, post, put
from litestar.params import JSONBody

from core.audit import Audit
from core.auth import CurrentUser, visible_to
from core.db import DB, utcnow
from core.errors import Conflict, NotFound
from core.pagination import DEFAULT_LIMIT, Cursor, Limit, decode_cursor, page
from core.params import Id

# VARCHAR(255); no NUL, which PostgreSQL cannot store in text
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=r"^[^\x00]*$", examples=["The Garden"])]
# MySQL's TEXT holds 65,535 bytes: 16,383 characters of up to 4 bytes each always fit
Description = Annotated[str, msgspec.Meta(max_length=16_383, pattern=r"^[^\x00]*$")]
# the lengths also refuse a trailing newline, which `$` lets through
Color = Annotated[
    str, msgspec.Meta(min_length=7, max_length=7, pattern=r"^#[0-9A-Fa-f]{6}$", description="`#RRGGBB`", examples=["#2E8B57"])
]
# VARCHAR(50)
Role = Annotated[str, msgspec.Meta(min_length=1, max_length=50, pattern=r"^[^\x00]*$", examples=["member", "gatekeeper"])]


class Subsystem(msgspec.Struct):
    id: int
    system_id: int
    name: str
    description: str | None
    color: str | None
    created_at: datetime
    updated_at: datetime


class SubsystemPage(msgspec.Struct):
    items: list[Subsystem]
    next_cursor: str | None


class AlterSubsystem(msgspec.Struct):
    """A subsystem the alter belongs to, with the alter's role in it."""

    id: int
    system_id: int
    name: str
    description: str | None
    color: str | None
    created_at: datetime
    updated_at: datetime
    role: str


class AlterSubsystemPage(msgspec.Struct):
    items: list[AlterSubsystem]
    next_cursor: str | None


class MemberAlter(msgspec.Struct):
    id: int
    system_id: int
    name: str
    description: str | None
    avatar_url: str | None
    created_at: datetime
    updated_at: datetime


class SubsystemMember(msgspec.Struct):
    """A member alter of the subsystem and its role there."""

    alter: MemberAlter
    role: str


class SubsystemMemberPage(msgspec.Struct):
    items: list[SubsystemMember]
    next_cursor: str | None


class SubsystemMembership(msgspec.Struct):
    subsystem_id: int
    alter_id: int
    role: str


class SubsystemCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    description: Description | None = None
    color: Color | None = None


class SubsystemUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: Description | None | msgspec.UnsetType = msgspec.UNSET
    color: Color | None | msgspec.UnsetType = msgspec.UNSET


class MemberRole(msgspec.Struct, forbid_unknown_fields=True):
    role: Role = "member"


class SystemSubsystemsController(Controller):
    path = "/api/v1/systems/{system_id:int}/subsystems"
    tags = ["subsystems"]

    @get(
        "/",
        summary="List a system's subsystems",
        description="Owner or admin; anyone else gets 404. Ordered by id, paginated.",
    )
    async def list_subsystems(
        self, system_id: Id, user: CurrentUser, db: DB, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> SubsystemPage:
        visible_to(await db.fetch_one("subsystems.system_owner", system_id=system_id), user)
        rows = await db.fetch_all(
            "subsystems.list_in_system", system_id=system_id, after=decode_cursor(cursor) or 0, limit=limit + 1
        )
        items, next_cursor = page(rows, limit)
        return SubsystemPage(items=[msgspec.convert(row, Subsystem) for row in items], next_cursor=next_cursor)

    @post(
        "/",
        summary="Create a subsystem",
        description="Owner or admin; anyone else gets 404. `color` is `#RRGGBB` or null.",
    )
    async def create_subsystem(
        self, system_id: Id, data: JSONBody[SubsystemCreate], user: CurrentUser, db: DB, audit: Audit
    ) -> Subsystem:
        now = utcnow()
        async with db.transaction():
            visible_to(await db.fetch_one("subsystems.system_owner", system_id=system_id), user)
            subsystem_id = await db.insert(
                "subsystems.insert",
                system_id=system_id,
                name=data.name,
                description=data.description,
                color=data.color,
                created_at=now,
                updated_at=now,
            )
            await audit.record("subsystem.create", "subsystem", subsystem_id, {"system_id": system_id})
            row = await db.fetch_one("subsystems.get", id=subsystem_id)
        return msgspec.convert(row, Subsystem)


class SubsystemsController(Controller):
    path = "/api/v1/subsystems"
    tags = ["subsystems"]

    @get(
        "/{subsystem_id:int}",
        summary="Read a subsystem",
        description="Owner of its system or admin; anyone else gets 404.",
    )
    async def get_subsystem(self, subsystem_id: Id, user: CurrentUser, db: DB) -> Subsystem:
        return msgspec.convert(visible_to(await db.fetch_one("subsystems.get", id=subsystem_id), user), Subsystem)

    @patch(
        "/{subsystem_id:int}",
        summary="Change a subsystem",
        description=(
            "Owner or admin; anyone else gets 404. Only the fields sent change; `description` and `color` "
            "may be set to null."
        ),
    )
    async def update_subsystem(
        self, subsystem_id: Id, data: JSONBody[SubsystemUpdate], user: CurrentUser, db: DB, audit: Audit
    ) -> Subsystem:
        changes = {field: value for field, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET}
        async with db.transaction():
            row = visible_to(await db.fetch_one("subsystems.get_for_update", id=subsystem_id), user)
            merged = {field: row[field] for field in ("name", "description", "color")} | changes
            await db.execute("subsystems.update", id=subsystem_id, updated_at=utcnow(), **merged)
            await audit.record(
                "subsystem.update", "subsystem", subsystem_id, {"system_id": row["system_id"], "fields": sorted(changes)}
            )
            row = await db.fetch_one("subsystems.get", id=subsystem_id)
        return msgspec.convert(row, Subsystem)

    @delete(
        "/{subsystem_id:int}",
        summary="Delete a subsystem",
        description="Owner or admin; anyone else gets 404. The memberships go with it; the alters stay.",
    )
    async def delete_subsystem(self, subsystem_id: Id, user: CurrentUser, db: DB, audit: Audit) -> None:
        async with db.transaction():
            row = visible_to(await db.fetch_one("subsystems.get_for_update", id=subsystem_id), user)
            await db.execute("subsystems.delete", id=subsystem_id)
            await audit.record("subsystem.delete", "subsystem", subsystem_id, {"system_id": row["system_id"]})

    @get(
        "/{subsystem_id:int}/members",
        summary="List a subsystem's members",
        description="Owner or admin; anyone else gets 404. Each member alter with its role, ordered by alter id, paginated.",
    )
    async def list_members(
        self, subsystem_id: Id, user: CurrentUser, db: DB, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> SubsystemMemberPage:
        visible_to(await db.fetch_one("subsystems.get", id=subsystem_id), user)
        rows = await db.fetch_all(
            "subsystems.list_members", subsystem_id=subsystem_id, after=decode_cursor(cursor) or 0, limit=limit + 1
        )
        items, next_cursor = page(rows, limit)
        members = [SubsystemMember(alter=msgspec.convert(row, MemberAlter), role=row["role"]) for row in items]
        return SubsystemMemberPage(items=members, next_cursor=next_cursor)

    @put(
        "/{subsystem_id:int}/members/{alter_id:int}",
        summary="Add an alter to a subsystem, or change its role",
        description=(
            "Owner or admin; anyone else gets 404 (for the subsystem or the alter). `role` defaults to "
            "`member`; sending it again sets the new role. A PUT that changes nothing writes no audit row. "
            "An alter of another system is 409 `cross_system`."
        ),
    )
    async def set_member(
        self,
        subsystem_id: Id,
        alter_id: Id,
        user: CurrentUser,
        db: DB,
        audit: Audit,
        data: JSONBody[MemberRole | None] = None,
    ) -> SubsystemMembership:
        role = (data or MemberRole()).role
        async with db.transaction():
            subsystem = visible_to(await db.fetch_one("subsystems.get", id=subsystem_id), user)
            alter = visible_to(await db.fetch_one("subsystems.alter_owner", alter_id=alter_id), user)
            if alter["system_id"] != subsystem["system_id"]:
                raise Conflict("cross_system", "The alter and the subsystem belong to different systems.")
            current = await db.fetch_one("subsystems.membership", subsystem_id=subsystem_id, alter_id=alter_id)
            if current is None or current["role"] != role:
                await db.execute(
                    "subsystems.set_member", subsystem_id=subsystem_id, alter_id=alter_id, role=role, created_at=utcnow()
                )
                await audit.record("subsystem.member_set", "subsystem", subsystem_id, {"alter_id": alter_id, "role": role})
        return SubsystemMembership(subsystem_id=subsystem_id, alter_id=alter_id, role=role)

    @delete(
        "/{subsystem_id:int}/members/{alter_id:int}",
        summary="Remove an alter from a subsystem",
        description="Owner or admin; anyone else gets 404. An alter that is not a member is 404.",
    )
    async def remove_member(self, subsystem_id: Id, alter_id: Id, user: CurrentUser, db: DB, audit: Audit) -> None:
        async with db.transaction():
            visible_to(await db.fetch_one("subsystems.get", id=subsystem_id), user)
            if await db.fetch_one("subsystems.membership", subsystem_id=subsystem_id, alter_id=alter_id) is None:
                raise NotFound("That alter is not a member of this subsystem.")
            await db.execute("subsystems.remove_member", subsystem_id=subsystem_id, alter_id=alter_id)
            await audit.record("subsystem.member_remove", "subsystem", subsystem_id, {"alter_id": alter_id})


class AlterSubsystemsController(Controller):
    path = "/api/v1/alters/{alter_id:int}/subsystems"
    tags = ["subsystems"]

    @get(
        "/",
        summary="List an alter's subsystems",
        description=(
            "Owner or admin; anyone else gets 404. The subsystems the alter belongs to, each with the alter's "
            "`role`, ordered by id, paginated."
        ),
    )
    async def list_alter_subsystems(
        self, alter_id: Id, user: CurrentUser, db: DB, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> AlterSubsystemPage:
        visible_to(await db.fetch_one("subsystems.alter_owner", alter_id=alter_id), user)
        rows = await db.fetch_all(
            "subsystems.list_for_alter", alter_id=alter_id, after=decode_cursor(cursor) or 0, limit=limit + 1
        )
        items, next_cursor = page(rows, limit)
        return AlterSubsystemPage(items=[msgspec.convert(row, AlterSubsystem) for row in items], next_cursor=next_cursor)
