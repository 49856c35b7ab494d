from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, delete, get, post

from core.audit import Audit
from core.auth import CurrentUser, visible_to
from core.db import DB, utcnow
from core.errors import NotFound, validation_error
from core.pagination import DEFAULT_LIMIT, Cursor, Limit, decode_cursor, page
from core.params import Id
from core.services import Services


class EntryCreate(msgspec.Struct, forbid_unknown_fields=True):
    body: Annotated[str, msgspec.Meta(min_length=1)]


class Entry(msgspec.Struct):
    id: int
    alter_id: int
    body: str
    created_at: datetime


class EntryPage(msgspec.Struct):
    items: list[Entry]
    next_cursor: str | None


async def _owned_alter(db: DB, user: CurrentUser, alter_id: int) -> None:
    """404 unless the alter exists and the user owns it (or is an admin): privacy of existence."""
    visible_to(await db.fetch_one("journal.alter_owner", alter_id=alter_id), user)


class JournalController(Controller):
    path = "/api/v1"
    tags = ["journal"]

    @get("/alters/{alter_id:int}/journal", summary="An alter's journal", description="Owner or admin; newest last.")
    async def list_entries(
        self, alter_id: Id, user: CurrentUser, db: DB, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> EntryPage:
        await _owned_alter(db, user, alter_id)
        rows = await db.fetch_all("journal.list_entries", alter_id=alter_id, after=decode_cursor(cursor) or 0, limit=limit + 1)
        items, next_cursor = page(rows, limit)
        return EntryPage([Entry(**row) for row in items], next_cursor)

    @post("/alters/{alter_id:int}/journal", summary="Write a journal entry", description="Owner or admin.")
    async def create_entry(
        self, alter_id: Id, data: EntryCreate, user: CurrentUser, db: DB, audit: Audit, services: Services
    ) -> Entry:
        await _owned_alter(db, user, alter_id)
        if len(data.body) > await services.settings.get("journal.max_entry_length"):
            raise validation_error("body", "longer than journal.max_entry_length")
        async with db.transaction():
            entry_id = await db.insert("journal.create_entry", alter_id=alter_id, body=data.body, created_at=utcnow())
            await audit.record("journal.create", "journal_entry", entry_id, {"alter_id": alter_id})
        return Entry(**await db.fetch_one("journal.get_entry", id=entry_id))

    @delete("/journal/{entry_id:int}", summary="Delete a journal entry", description="Owner or admin.")
    async def delete_entry(self, entry_id: Id, user: CurrentUser, db: DB, audit: Audit) -> None:
        entry = await db.fetch_one("journal.get_entry", id=entry_id)
        if entry is None:
            raise NotFound()
        await _owned_alter(db, user, entry["alter_id"])
        async with db.transaction():
            await db.execute("journal.delete_entry", id=entry_id)
            await audit.record("journal.delete", "journal_entry", entry_id, {"alter_id": entry["alter_id"]})
