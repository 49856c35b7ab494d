"""The schema: up → down all → up leaves exactly a fresh up's schema, on every dialect."""

import asyncio

import pytest

import sample_plugin
from core.db import DB, parse_database_url
from core.migrations import Migrator, migration_sets
from core.plugins import load_plugins
from core.config import load_config
from core.resources import data_path
from core.sql import Queries

pytestmark = pytest.mark.anyio

GUIDE_TABLES = {
    "users", "systems", "alters", "groups", "subsystems", "uploads", "audit_logs", "settings",
    "system_requests", "alter_groups", "subsystem_members", "api_tokens",
}
INDEXES = {
    "ix_systems_user_id_id", "ix_alters_system_id_id", "ix_groups_system_id_id", "ix_subsystems_system_id_id",
    "ix_alter_groups_group_id_alter_id", "ix_subsystem_members_alter_id_subsystem_id", "ix_uploads_user_id_id",
    "ix_audit_logs_created_at", "ix_audit_logs_user_id_id", "ix_audit_logs_action_id",
    "ix_audit_logs_entity_type_entity_id_id", "ix_system_requests_user_id_id", "ix_system_requests_status_id",
    "ix_api_tokens_user_id_id",
}


async def _inspect(url: str) -> dict:
    parsed = parse_database_url(url)
    db = DB(parsed, Queries(parsed.dialect, [data_path("sql"), sample_plugin.HERE / "sql"]))
    await db.connect()
    try:
        return {
            "tables": {row["table_name"] for row in await db.fetch_all("sample.table_names")},
            "columns": await db.fetch_all("sample.schema_columns"),
            "indexes": await db.fetch_all("sample.schema_indexes"),
            "constraints": await db.fetch_all("sample.schema_constraints"),
        }
    finally:
        await db.disconnect()


def _migrator(url: str) -> Migrator:
    parsed = parse_database_url(url)
    pm = load_plugins(load_config(environ={"DIDHUB_PLUGINS": ""}), [sample_plugin])
    return Migrator(parsed, migration_sets(parsed.dialect, pm))


async def test_up_down_up_leaves_the_fresh_schema(didhub_db_url):
    migrator = _migrator(didhub_db_url)
    applied = await asyncio.to_thread(migrator.up)
    assert applied == 27  # 26 of the core's, 1 of the sample plugin
    fresh = await _inspect(didhub_db_url)
    assert GUIDE_TABLES | {"sample_notes"} <= fresh["tables"]
    assert INDEXES <= {row["index_name"] for row in fresh["indexes"]}

    assert await asyncio.to_thread(migrator.up) == 0  # a second up does nothing
    assert await _inspect(didhub_db_url) == fresh

    assert await asyncio.to_thread(migrator.down) == 27
    emptied = await _inspect(didhub_db_url)
    assert not (GUIDE_TABLES | {"sample_notes"}) & emptied["tables"]
    assert {row["index_name"] for row in emptied["indexes"]}.isdisjoint(INDEXES)

    assert await asyncio.to_thread(migrator.up) == 27
    assert await _inspect(didhub_db_url) == fresh


async def test_rolling_back_one_plugin_leaves_the_others(didhub_db_url):
    migrator = _migrator(didhub_db_url)
    await asyncio.to_thread(migrator.up)
    assert await asyncio.to_thread(migrator.down, None, "sample_plugin") == 1
    tables = (await _inspect(didhub_db_url))["tables"]
    assert "sample_notes" not in tables
    assert GUIDE_TABLES <= tables
    assert [row[2] for row in migrator.status()].count(False) == 1


async def test_down_by_steps(didhub_db_url):
    migrator = _migrator(didhub_db_url)
    await asyncio.to_thread(migrator.up)
    assert await asyncio.to_thread(migrator.down, 2) == 2
    assert await asyncio.to_thread(migrator.pending) == 2
    assert await asyncio.to_thread(migrator.up) == 2


async def test_the_fixtures_template_copy_has_the_migrated_schema(didhub_db_url, didhub_migrated_db_url):
    """Tests run on copies of a migrated template: the copy must be the schema migrations make."""
    parsed = parse_database_url(didhub_db_url)
    await asyncio.to_thread(Migrator(parsed, migration_sets(parsed.dialect, None)).up)
    assert await _inspect(didhub_migrated_db_url) == await _inspect(didhub_db_url)
