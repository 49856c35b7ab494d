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
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=r"^[^\x00]*$", examples=["Littles"])]
# MySQL's TEXT holds 65,535 bytes: 16,383 characters of up to 4 bytes each always fit
Description = Annotated[str, msgspec.Meta(max_length=16_383, pattern=r"^[^\x00]*$")]
# the lengths also refuse a trailing newline, which `$` lets through
Color = Annotated[
    str, msgspec.Meta(min_length=7, max_length=7, pattern=r"^#[0-9A-Fa-f]{6}$", description="`#RRGGBB`", examples=["#3366CC"])
]


class Group(msgspec.Struct):
    id: int
    system_id: int
    name: str
    description: str | None
    color: str | None
    created_at: datetime
    updated_at: datetime


class GroupPage(msgspec.Struct):
    items: list[Group]
    next_cursor: str | None


class GroupMember(msgspec.Struct):
    """An alter that is a member of the group."""

    id: int
    system_id: int
    name: str
    description: str | None
    avatar_url: str | None
    created_at: datetime
    updated_at: datetime


class GroupMemberPage(msgspec.Struct):
    items: list[GroupMember]
    next_cursor: str | None


class GroupCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    description: Description | None = None
    color: Color | None = None


class GroupUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: Description | None | msgspec.UnsetType = msgspec.UNSET
    color: Color | None | msgspec.UnsetType = msgspec.UNSET


class SystemGroupsController(Controller):
    path = "/api/v1/systems/{system_id:int}/groups"
    tags = ["groups"]

    @get("/", summary="List a system's groups", description="Owner or admin; anyone else gets 404. Ordered by id, paginated.")
    async def list_groups(self, system_id: Id, user: CurrentUser, db: DB, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> GroupPage:
        visible_to(await db.fetch_one("groups.system_owner", system_id=system_id), user)
        rows = await db.fetch_all(
            "groups.list_in_system", system_id=system_id, after=decode_cursor(cursor) or 0, limit=limit + 1
        )
        items, next_cursor = page(rows, limit)
        return GroupPage(items=[msgspec.convert(row, Group) for row in items], next_cursor=next_cursor)

    @post(
        "/",
        summary="Create a group",
        description="Owner or admin; anyone else gets 404. `color` is `#RRGGBB` or null.",
    )
    async def create_group(self, system_id: Id, data: JSONBody[GroupCreate], user: CurrentUser, db: DB, audit: Audit) -> Group:
        now = utcnow()
        async with db.transaction():
            visible_to(await db.fetch_one("groups.system_owner", system_id=system_id), user)
            group_id = await db.insert(
                "groups.insert",
                system_id=system_id,
                name=data.name,
                description=data.description,
                color=data.color,
                created_at=now,
                updated_at=now,
            )
            await audit.record("group.create", "group", group_id, {"system_id": system_id})
            row = await db.fetch_one("groups.get", id=group_id)
        return msgspec.convert(row, Group)


class GroupsController(Controller):
    path = "/api/v1/groups"
    tags = ["groups"]

    @get("/{group_id:int}", summary="Read a group", description="Owner of its system or admin; anyone else gets 404.")
    async def get_group(self, group_id: Id, user: CurrentUser, db: DB) -> Group:
        return msgspec.convert(visible_to(await db.fetch_one("groups.get", id=group_id), user), Group)

    @patch(
        "/{group_id:int}",
        summary="Change a group",
        description="Owner or admin; anyone else gets 404. Only the fields sent change; `description` and `color` may be set to null.",
    )
    async def update_group(self, group_id: Id, data: JSONBody[GroupUpdate], user: CurrentUser, db: DB, audit: Audit) -> Group:
        changes = {field: value for field, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET}
        async with db.transaction():
            row = visible_to(await db.fetch_one("groups.get_for_update", id=group_id), user)
            merged = {field: row[field] for field in ("name", "description", "color")} | changes
            await db.execute("groups.update", id=group_id, updated_at=utcnow(), **merged)
            await audit.record("group.update", "group", group_id, {"system_id": row["system_id"], "fields": sorted(changes)})
            row = await db.fetch_one("groups.get", id=group_id)
        return msgspec.convert(row, Group)

    @delete(
        "/{group_id:int}",
        summary="Delete a group",
        description="Owner or admin; anyone else gets 404. The memberships go with it; the alters stay.",
    )
    async def delete_group(self, group_id: Id, user: CurrentUser, db: DB, audit: Audit) -> None:
        async with db.transaction():
            row = visible_to(await db.fetch_one("groups.get_for_update", id=group_id), user)
            await db.execute("groups.delete", id=group_id)
            await audit.record("group.delete", "group", group_id, {"system_id": row["system_id"]})

    @get(
        "/{group_id:int}/members",
        summary="List a group's members",
        description="Owner or admin; anyone else gets 404. The member alters, ordered by id, paginated.",
    )
    async def list_members(self, group_id: Id, user: CurrentUser, db: DB, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> GroupMemberPage:
        visible_to(await db.fetch_one("groups.get", id=group_id), user)
        rows = await db.fetch_all(
            "groups.list_members", group_id=group_id, after=decode_cursor(cursor) or 0, limit=limit + 1
        )
        items, next_cursor = page(rows, limit)
        return GroupMemberPage(items=[msgspec.convert(row, GroupMember) for row in items], next_cursor=next_cursor)

    @put(
        "/{group_id:int}/members/{alter_id:int}",
        summary="Add an alter to a group",
        status_code=204,
        description=(
            "Owner or admin; anyone else gets 404 (for the group or the alter). Idempotent: adding a member "
            "again changes nothing and writes no audit row. An alter of another system is 409 `cross_system`."
        ),
    )
    async def add_member(self, group_id: Id, alter_id: Id, user: CurrentUser, db: DB, audit: Audit) -> None:
        async with db.transaction():
            group = visible_to(await db.fetch_one("groups.get", id=group_id), user)
            alter = visible_to(await db.fetch_one("groups.alter_owner", alter_id=alter_id), user)
            if alter["system_id"] != group["system_id"]:
                raise Conflict("cross_system", "The alter and the group belong to different systems.")
            if await db.fetch_one("groups.membership", group_id=group_id, alter_id=alter_id) is None:
                await db.execute("groups.add_member", group_id=group_id, alter_id=alter_id, created_at=utcnow())
                await audit.record("group.member_add", "group", group_id, {"alter_id": alter_id})

    @delete(
        "/{group_id:int}/members/{alter_id:int}",
        summary="Remove an alter from a group",
        description="Owner or admin; anyone else gets 404. An alter that is not a member is 404.",
    )
    async def remove_member(self, group_id: Id, alter_id: Id, user: CurrentUser, db: DB, audit: Audit) -> None:
        async with db.transaction():
            visible_to(await db.fetch_one("groups.get", id=group_id), user)
            if await db.fetch_one("groups.membership", group_id=group_id, alter_id=alter_id) is None:
                raise NotFound("That alter is not a member of this group.")
            await db.execute("groups.remove_member", group_id=group_id, alter_id=alter_id)
            await audit.record("group.member_remove", "group", group_id, {"alter_id": alter_id})


class AlterGroupsController(Controller):
    path = "/api/v1/alters/{alter_id:int}/groups"
    tags = ["groups"]

    @get(
        "/",
        summary="List an alter's groups",
        description="Owner or admin; anyone else gets 404. The groups the alter belongs to, ordered by id, paginated.",
    )
    async def list_alter_groups(self, alter_id: Id, user: CurrentUser, db: DB, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> GroupPage:
        visible_to(await db.fetch_one("groups.alter_owner", alter_id=alter_id), user)
        rows = await db.fetch_all(
            "groups.list_for_alter", alter_id=alter_id, after=decode_cursor(cursor) or 0, limit=limit + 1
        )
        items, next_cursor = page(rows, limit)
        return GroupPage(items=[msgspec.convert(row, Group) for row in items], next_cursor=next_cursor)
