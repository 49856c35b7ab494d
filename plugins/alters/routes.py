from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.params import JSONBody, Parameter

from core.audit import Audit
from core.auth import CurrentUser, visible_to
from core.db import DB, contains_pattern, utcnow
from core.errors import validation_error
from core.pagination import DEFAULT_LIMIT, Cursor, Limit, decode_cursor, page
from core.params import Id, OptionalId
from core.plugins import first_async
from core.services import Services

# VARCHAR(255); no NUL, which PostgreSQL cannot store in text
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=r"^[^\x00]*$", examples=["Robin"])]
# MySQL's TEXT holds 65,535 bytes: 16,383 characters of up to 4 bytes each always fit
Description = Annotated[str, msgspec.Meta(max_length=16_383, pattern=r"^[^\x00]*$")]
# VARCHAR(500)
AvatarUrl = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=500,
        description="An http(s) URL, or the `url` of one of the system owner's uploads.",
        examples=["https://example.org/robin.png", "/api/v1/uploads/12/content"],
    ),
]
Search = Annotated[
    str | None,
    Parameter(
        description=(
            "Only alters whose name contains this text, ignoring case (Unicode case folding on every "
            "backend); `%` and `_` match themselves. MySQL/MariaDB also ignore accents."
        ),
        max_length=255,
        pattern=r"^[^\x00]*$",
    ),
]


class Alter(msgspec.Struct):
    id: int
    system_id: int
    name: str
    description: str | None
    avatar_url: str | None
    created_at: datetime
    updated_at: datetime


class AlterPage(msgspec.Struct):
    items: list[Alter]
    next_cursor: str | None


class AlterCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    description: Description | None = None
    avatar_url: AvatarUrl | None = None


class AlterUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: Description | None | msgspec.UnsetType = msgspec.UNSET
    avatar_url: AvatarUrl | None | msgspec.UnsetType = msgspec.UNSET


async def _check_avatar_url(services: Services, owner_id: int, url: str | None) -> None:
    """Accept an http(s) URL, or a path on this server that the owner owns (asked of the plugins)."""
    if url is None:
        return
    if any(char <= " " or char == "\x7f" for char in url):
        raise validation_error("avatar_url", "must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.hostname:
            return
    except ValueError:  # e.g. an unclosed IPv6 bracket
        pass
    else:
        if url.startswith("/") and not url.startswith("//"):
            owned = await first_async(services.pm, "didhub_owned_url", services=services, user_id=owner_id, url=url)
            if owned is True:
                return
    raise validation_error("avatar_url", "must be an http(s) URL or the url of one of the system owner's uploads")


class SystemAltersController(Controller):
    path = "/api/v1/systems/{system_id:int}/alters"
    tags = ["alters"]

    @get(
        "/",
        summary="List a system's alters",
        description=(
            "Owner or admin; anyone else gets 404. Ordered by id, paginated. Filters combine: `q` (name "
            "contains, ignoring case), `group_id`, `subsystem_id`. A group or subsystem that is not part of "
            "this system matches no alter, so the page is empty."
        ),
    )
    async def list_alters(
        self,
        system_id: Id,
        user: CurrentUser,
        db: DB,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        group_id: OptionalId = None,
        subsystem_id: OptionalId = None,
        q: Search = None,
    ) -> AlterPage:
        visible_to(await db.fetch_one("alters.system_owner", system_id=system_id), user)
        params: dict[str, Any] = {
            "system_id": system_id,
            "after": decode_cursor(cursor) or 0,
            "pattern": contains_pattern(q.lower()) if q else "%",
            "limit": limit + 1,
        }
        # each filter shape has its own query so that the page is read in order from an index
        if group_id is not None and subsystem_id is not None:
            rows = await db.fetch_all(
                "alters.list_in_group_and_subsystem", group_id=group_id, subsystem_id=subsystem_id, **params
            )
        elif group_id is not None:
            rows = await db.fetch_all("alters.list_in_group", group_id=group_id, **params)
        elif subsystem_id is not None:
            rows = await db.fetch_all("alters.list_in_subsystem", subsystem_id=subsystem_id, **params)
        else:
            rows = await db.fetch_all("alters.list_in_system", **params)
        items, next_cursor = page(rows, limit)
        return AlterPage(items=[msgspec.convert(row, Alter) for row in items], next_cursor=next_cursor)

    @post(
        "/",
        summary="Create an alter",
        description=(
            "Owner or admin; anyone else gets 404. `avatar_url` is an http(s) URL or the `url` of one of the "
            "system owner's uploads, at most 500 characters; anything else is 400 `validation_failed`."
        ),
    )
    async def create_alter(
        self, system_id: Id, data: JSONBody[AlterCreate], user: CurrentUser, db: DB, audit: Audit, services: Services
    ) -> Alter:
        now = utcnow()
        async with db.transaction():
            system = visible_to(await db.fetch_one("alters.system_owner", system_id=system_id), user)
            await _check_avatar_url(services, system["owner_id"], data.avatar_url)
            alter_id = await db.insert(
                "alters.insert",
                system_id=system_id,
                name=data.name,
                description=data.description,
                avatar_url=data.avatar_url,
                created_at=now,
                updated_at=now,
            )
            await audit.record("alter.create", "alter", alter_id, {"system_id": system_id})
            row = await db.fetch_one("alters.get", id=alter_id)
        return msgspec.convert(row, Alter)


class AltersController(Controller):
    path = "/api/v1/alters"
    tags = ["alters"]

    @get("/{alter_id:int}", summary="Read an alter", description="Owner of its system or admin; anyone else gets 404.")
    async def get_alter(self, alter_id: Id, user: CurrentUser, db: DB) -> Alter:
        return msgspec.convert(visible_to(await db.fetch_one("alters.get", id=alter_id), user), Alter)

    @patch(
        "/{alter_id:int}",
        summary="Change an alter",
        description=(
            "Owner or admin; anyone else gets 404. Only the fields sent change; `description` and "
            "`avatar_url` may be set to null. `avatar_url` is checked as on create."
        ),
    )
    async def update_alter(
        self, alter_id: Id, data: JSONBody[AlterUpdate], user: CurrentUser, db: DB, audit: Audit, services: Services
    ) -> Alter:
        changes = {field: value for field, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET}
        async with db.transaction():
            row = visible_to(await db.fetch_one("alters.get_for_update", id=alter_id), user)
            if "avatar_url" in changes:
                await _check_avatar_url(services, row["owner_id"], changes["avatar_url"])
            merged = {field: row[field] for field in ("name", "description", "avatar_url")} | changes
            await db.execute("alters.update", id=alter_id, updated_at=utcnow(), **merged)
            await audit.record("alter.update", "alter", alter_id, {"system_id": row["system_id"], "fields": sorted(changes)})
            row = await db.fetch_one("alters.get", id=alter_id)
        return msgspec.convert(row, Alter)

    @delete(
        "/{alter_id:int}",
        summary="Delete an alter",
        description="Owner or admin; anyone else gets 404. Its group and subsystem memberships go with it.",
    )
    async def delete_alter(self, alter_id: Id, user: CurrentUser, db: DB, audit: Audit) -> None:
        async with db.transaction():
            row = visible_to(await db.fetch_one("alters.get_for_update", id=alter_id), user)
            await db.execute("alters.delete", id=alter_id)
            await audit.record("alter.delete", "alter", alter_id, {"system_id": row["system_id"]})
