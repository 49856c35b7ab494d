"""The foundation: cascades, SQLite write concurrency, pool options, TLS, plugins, errors."""

import asyncio

import httpx
import pytest

import sample_plugin
from core.config import ConfigError, load_config
from core.db import parse_database_url, utcnow
from core.plugins import PluginError, load_plugins
from core.resources import data_path
from core.sql import DIALECTS, check_same_names, read_dialect

pytestmark = pytest.mark.anyio


@pytest.fixture
def didhub_extra_plugins():
    return [sample_plugin]


@pytest.fixture
def didhub_settings():
    # the foundation needs no feature plugin
    return {"DIDHUB_PLUGINS": ""}


async def test_health_ready_and_schema(client, didhub_backend):
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": didhub_backend, "migrations": "current"}
    schema = await client.get("/schema/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/sample/notes" in schema.json()["paths"]


async def test_ready_is_503_while_a_migration_is_pending(client, didhub_app):
    migrator = client._transport.app.state  # noqa: F841 - the app under test
    services = didhub_app.state.services
    from core.migrations import Migrator, migration_sets

    migrator = Migrator(services.db.url, migration_sets(services.db.dialect, services.pm))
    await asyncio.to_thread(migrator.down, 1)
    response = await client.get("/ready")
    assert response.status_code == 503
    assert response.json()["code"] == "migrations_pending"


async def test_deleting_a_user_cascades_and_keeps_the_audit_trail(didhub_app):
    db = didhub_app.state.services.db
    now = utcnow()
    async with db.transaction():
        user_id = await db.insert("sample.insert_user", username="ann", is_admin=False, now=now)
        other_id = await db.insert("sample.insert_user", username="bob", is_admin=False, now=now)
        for owner in (user_id, other_id):
            system_id = await db.insert("sample.insert_system", user_id=owner, name="s", now=now)
            alter_id = await db.insert("sample.insert_alter", system_id=system_id, name="a", now=now)
            group_id = await db.insert("sample.insert_group", system_id=system_id, name="g", now=now)
            subsystem_id = await db.insert("sample.insert_subsystem", system_id=system_id, name="ss", now=now)
            await db.execute("sample.insert_alter_group", alter_id=alter_id, group_id=group_id, now=now)
            await db.execute("sample.insert_subsystem_member", subsystem_id=subsystem_id, alter_id=alter_id, now=now)
        from core.audit import Audit

        await Audit(db).record("user.create", "user", user_id, user_id=user_id)
    before = await db.fetch_one("sample.counts")
    assert before == {"systems": 2, "alters": 2, "groups_count": 2, "subsystems": 2, "alter_groups": 2, "subsystem_members": 2}

    async with db.transaction():
        await db.execute("sample.delete_user", id=user_id)

    assert await db.fetch_one("sample.counts") == {key: 1 for key in before}
    assert [row["user_id"] for row in await db.fetch_all("sample.audit_user_ids")] == [None]


async def test_timestamps_come_back_as_utc_with_microseconds(didhub_app):
    db = didhub_app.state.services.db
    now = utcnow()
    async with db.transaction():
        user_id = await db.insert("sample.insert_user", username="ann", is_admin=False, now=now)
    stored = (await db.fetch_one("sample.get_user", id=user_id))["created_at"]
    assert stored == now and stored.utcoffset().total_seconds() == 0


async def test_a_unique_violation_is_a_conflict_not_a_driver_error(didhub_app):
    from core.errors import Conflict

    db = didhub_app.state.services.db
    async with db.transaction():
        await db.insert("sample.insert_user", username="ann", is_admin=False, now=utcnow())
    with pytest.raises(Conflict):
        async with db.transaction():
            await db.insert("sample.insert_user", username="ann", is_admin=False, now=utcnow())


async def test_fifty_concurrent_write_transactions_all_succeed(didhub_app):
    db = didhub_app.state.services.db

    async def write(number: int) -> None:
        async with db.transaction():
            # read, then write: the pattern that makes a deferred BEGIN fail with "database is locked"
            await db.fetch_val("sample.count_notes")
            await db.execute("sample.add_note", body=f"note {number}")

    results = await asyncio.gather(*(write(n) for n in range(50)), return_exceptions=True)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert await db.fetch_val("sample.count_notes") == 50


async def test_a_plugin_contributes_routes_sql_and_a_migration(client, didhub_app):
    db = didhub_app.state.services.db
    async with db.transaction():
        await db.execute("sample.add_note", body="hello")
    response = await client.get("/api/v1/sample/notes")
    assert response.status_code == 200
    assert response.json() == ["hello"]


async def test_an_unhandled_error_is_a_500_problem_without_internals(client):
    response = await client.get("/api/v1/sample/boom", headers={"X-Request-ID": "req-123"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "internal_error"
    assert "req-123" in body["detail"]
    assert "SELECT" not in response.text and "Traceback" not in response.text
    assert response.headers["x-request-id"] == "req-123"


async def test_unknown_routes_are_problem_json(client):
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("backend", ["postgres", "mysql"])
async def test_max_connections_bounds_the_pool(backend, tmp_path):
    import os

    variable = {"postgres": "DIDHUB_TEST_POSTGRES_URL", "mysql": "DIDHUB_TEST_MYSQL_URL"}[backend]
    if not os.environ.get(variable):
        pytest.skip(f"{variable} is not set")
    from core.db import DB
    from core.sql import Queries

    url = parse_database_url(os.environ[variable] + "?max_connections=3")
    db = DB(url, Queries(url.dialect, [data_path("sql"), sample_plugin.HERE / "sql"]))
    await db.connect()
    try:
        pids = await asyncio.gather(*(db.fetch_val("sample.backend_pid") for _ in range(12)))
    finally:
        await db.disconnect()
    assert 1 < len(set(pids)) <= 3


def test_database_urls_are_parsed_into_clean_urls_and_options():
    sqlite = parse_database_url("sqlite:///data/x.sqlite")
    assert (sqlite.dialect, str(sqlite.sqlite_path)) == ("sqlite", "data/x.sqlite")
    assert str(parse_database_url("sqlite:////var/lib/didhub.sqlite").sqlite_path) == "/var/lib/didhub.sqlite"

    pg = parse_database_url("postgres://u:p@db:5432/didhub?sslmode=require&max_connections=20&min_connections=2")
    assert pg.databases_url == "postgresql://u:p@db:5432/didhub"
    assert pg.options == {"max_size": 20, "min_size": 2, "ssl": "require"}
    assert parse_database_url("postgres://h/db?max_connections=3").options == {"max_size": 3, "min_size": 1}
    assert pg.yoyo_url == "postgresql://u:p@db:5432/didhub?sslmode=require"
    assert "p@" not in pg.display

    maria = parse_database_url("mariadb://root@db:3306/didhub?max_connections=5")
    assert maria.dialect == "mysql" and maria.databases_url == "mysql://root@db:3306/didhub"
    assert maria.options["maxsize"] == 5

    for bad in ("oracle://x/y", "postgres://h/db?sslmode=sometimes", "postgres://h/db?pool=3", "sqlite:///x?cache=shared",
                "postgres://h/db?max_connections=lots", "postgres://h/"):
        with pytest.raises(ConfigError, match="DIDHUB_DB"):
            parse_database_url(bad)


async def test_sslmode_is_really_honoured(didhub_backend, didhub_db_url):
    """`disable` gives plaintext; `require` gives TLS or refuses to connect, never silent plaintext."""
    if didhub_backend == "sqlite":
        pytest.skip("SQLite has no network")
    from core.db import DB
    from core.sql import Queries

    async def tls(mode: str):
        url = parse_database_url(f"{didhub_db_url}?sslmode={mode}")
        db = DB(url, Queries(url.dialect, [data_path("sql"), sample_plugin.HERE / "sql"]))
        try:
            await db.connect()
        except Exception:
            return "refused"
        try:
            return bool(int(await db.fetch_val("sample.tls_in_use") or 0))
        finally:
            await db.disconnect()

    assert await tls("disable") is False
    assert await tls("require") in (True, "refused")


def test_every_query_name_exists_in_every_dialect():
    check_same_names(data_path("sql"))
    names = [set(read_dialect(data_path("sql"), dialect)) for dialect in DIALECTS]
    assert names[0] == names[1] == names[2] and names[0]


def test_a_misspelt_hook_stops_startup_naming_the_plugin():
    class Typo:
        __name__ = "typo_plugin"

        from core import hookimpl

        @hookimpl
        def didhub_routez(self):  # misspelt on purpose
            return []

    with pytest.raises(PluginError, match="typo_plugin"):
        load_plugins(load_config(environ={"DIDHUB_PLUGINS": ""}), [Typo()])


def test_a_plugin_that_fails_to_import_stops_startup_naming_it(monkeypatch):
    import core.plugins

    class BrokenEntryPoint:
        name = "broken_journal"
        value = "broken_journal:plugin"
        dist = None

        def load(self):
            raise ImportError("No module named 'broken_journal'")

    monkeypatch.setattr(core.plugins, "entry_points", lambda group: [BrokenEntryPoint()])
    with pytest.raises(PluginError, match="broken_journal"):
        load_plugins(load_config(environ={"DIDHUB_PLUGINS": "broken_journal"}))


def test_settings_come_from_environment_then_file_then_defaults(tmp_path):
    config_file = tmp_path / "didhub.json"
    config_file.write_text('{"port": 9000, "host": "0.0.0.0", "users": []}')
    config = load_config(config_file, environ={"DIDHUB_PORT": "9100", "DATABASE_URL": "postgres://h/db"})
    assert (config.port, config.host, config.db) == (9100, "0.0.0.0", "postgres://h/db")
    assert load_config(environ={}).db == "sqlite:///data/didhub.sqlite"
    with pytest.raises(ConfigError, match="DIDHUB_PORT"):
        load_config(environ={"DIDHUB_PORT": "eighty"})


def test_the_plugin_guide_documents_every_hook_as_hookspecs_says():
    from pathlib import Path

    from core.hookdocs import rewrite

    guide = Path(__file__).parent.parent / "docs" / "plugins.md"
    text = guide.read_text(encoding="utf-8")
    assert rewrite(text) == text, "run: python -m core.hookdocs docs/plugins.md"
    assert "### `didhub_routes()" in text


async def test_a_plugin_that_raises_at_startup_stops_startup_naming_itself(didhub_config):
    from core import hookimpl
    from core.app import create_app

    class Faulty:
        __name__ = "faulty_plugin"

        @hookimpl
        def didhub_startup(self, services):
            raise RuntimeError("cannot reach the journal store")

    app = create_app(didhub_config, extra_plugins=[Faulty()])
    with pytest.raises(ExceptionGroup) as raised:  # Litestar groups lifespan errors
        async with app.lifespan():
            pass
    assert raised.group_contains(PluginError, match="faulty_plugin.*didhub_startup")
