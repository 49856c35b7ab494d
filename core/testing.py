"""Pytest fixtures for DIDHub and for plugin authors (registered as the `pytest11` plugin "didhub").

Every test that asks for `didhub_app` (or `client`, or `didhub`) runs once per backend:
SQLite always, PostgreSQL when `DIDHUB_TEST_POSTGRES_URL` is set, MySQL/MariaDB when
`DIDHUB_TEST_MYSQL_URL` is set. Each run gets a database of its own, dropped afterwards.
Mark async tests with `@pytest.mark.anyio`.

    async def test_journal(didhub, client):
        owner = await didhub.create_user("ann", system=True)
        response = await client.get("/api/v1/journal", headers=owner.headers)
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import pytest

from core.config import Config, load_config
from core.db import DB, parse_database_url

BACKENDS = ("sqlite", "postgres", "mysql")
_URL_VARIABLES = {"postgres": "DIDHUB_TEST_POSTGRES_URL", "mysql": "DIDHUB_TEST_MYSQL_URL"}
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin-password-for-tests"
DEFAULT_PASSWORD = "correct horse battery staple"


def _connect_server(url: str) -> Any:
    """A raw autocommit connection to the server `url` points at (PostgreSQL or MySQL)."""
    parsed = parse_database_url(url)
    if parsed.dialect == "postgres":
        import psycopg2

        connection = psycopg2.connect(parsed.yoyo_url)
        connection.autocommit = True
        return connection
    import pymysql

    parts = urlsplit(parsed.databases_url)
    return pymysql.connect(
        host=parts.hostname, port=parts.port or 3306, user=unquote(parts.username or "root"),
        password=unquote(parts.password or ""), autocommit=True,
    )


def _checked(name: str) -> str:
    # An identifier cannot be a bound parameter; only names this module made (or read from
    # the server's catalogue) get here, and they are checked first.
    if not re.fullmatch(r"[A-Za-z0-9_]{1,64}", name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return name


def _server_database(url: str, name: str, action: str, template: str | None = None) -> None:
    """Create (optionally as a copy of `template`) or drop database `name` on `url`'s server."""
    name = _checked(name)
    postgres = parse_database_url(url).dialect == "postgres"
    connection = _connect_server(url)
    try:
        with connection.cursor() as cursor:
            if action == "drop":
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' if postgres else f"DROP DATABASE IF EXISTS `{name}`")
            elif postgres:
                suffix = f' TEMPLATE "{_checked(template)}"' if template else ""
                cursor.execute(f'CREATE DATABASE "{name}"{suffix}')
            else:
                cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
                if template:
                    _copy_mysql_schema(cursor, _checked(template), name)
    finally:
        connection.close()


def _copy_mysql_schema(cursor: Any, template: str, name: str) -> None:
    """MySQL has no template databases: replay the template's CREATE TABLEs and copy its rows
    (only yoyo's bookkeeping has any). Several times faster than running every migration."""
    cursor.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE'",
        (template,),
    )
    tables = [_checked(row[0]) for row in cursor.fetchall()]
    cursor.execute(f"USE `{name}`")
    cursor.execute("SET FOREIGN_KEY_CHECKS = 0")
    for table in tables:
        cursor.execute(f"SHOW CREATE TABLE `{template}`.`{table}`")
        cursor.execute(cursor.fetchone()[1])
    for table in tables:
        cursor.execute(f"INSERT INTO `{table}` SELECT * FROM `{template}`.`{table}`")
    cursor.execute("SET FOREIGN_KEY_CHECKS = 1")


def _with_database_name(url: str, name: str) -> str:
    base, _, query = url.partition("?")
    base = base.rsplit("/", 1)[0] + "/" + name
    return f"{base}?{query}" if query else base


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--require-all-backends",
        action="store_true",
        help="Fail, instead of skipping, a test whose PostgreSQL or MySQL URL is not set (CI uses it).",
    )


@pytest.fixture(params=BACKENDS)
def didhub_backend(request: pytest.FixtureRequest) -> str:
    backend = request.param
    if backend != "sqlite" and not os.environ.get(_URL_VARIABLES[backend]):
        message = f"{_URL_VARIABLES[backend]} is not set"
        if request.config.getoption("--require-all-backends"):
            pytest.fail(message)
        pytest.skip(message)
    return backend


def _new_name() -> str:
    return f"didhub_test_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def didhub_db_url(didhub_backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL of a fresh, EMPTY database on the chosen backend; dropped after the test."""
    if didhub_backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'didhub.sqlite'}"
        return
    server_url = os.environ[_URL_VARIABLES[didhub_backend]]
    name = _new_name()
    _server_database(server_url, name, "create")
    try:
        yield _with_database_name(server_url, name)
    finally:
        _server_database(server_url, name, "drop")


@pytest.fixture(scope="session")
def _didhub_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Per backend, one database with the core's migrations applied, made on first use."""
    templates: dict[str, str] = {}
    yield templates
    for backend, url in templates.items():
        if backend != "sqlite":
            _server_database(os.environ[_URL_VARIABLES[backend]], url.rsplit("/", 1)[1], "drop")


def _template_url(backend: str, templates: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> str:
    if backend not in templates:
        from core.migrations import Migrator, migration_sets

        if backend == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'template.sqlite'}"
        else:
            server_url = os.environ[_URL_VARIABLES[backend]]
            name = _new_name()
            _server_database(server_url, name, "create")
            url = _with_database_name(server_url, name)
        parsed = parse_database_url(url)
        Migrator(parsed, migration_sets(parsed.dialect, None)).up()
        templates[backend] = url
    return templates[backend]


@pytest.fixture
def didhub_migrated_db_url(
    didhub_backend: str, tmp_path: Path, _didhub_templates: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh database with the core's migrations already applied (copied from a template,
    which is much faster than migrating every test's database); dropped after the test."""
    template = _template_url(didhub_backend, _didhub_templates, tmp_path_factory)
    if didhub_backend == "sqlite":
        target = tmp_path / "didhub.sqlite"
        shutil.copyfile(template.removeprefix("sqlite:///"), target)
        yield f"sqlite:///{target}"
        return
    server_url = os.environ[_URL_VARIABLES[didhub_backend]]
    name = _new_name()
    _server_database(server_url, name, "create", template=template.rsplit("/", 1)[1])
    try:
        yield _with_database_name(server_url, name)
    finally:
        _server_database(server_url, name, "drop")


@pytest.fixture
def didhub_extra_plugins() -> list[Any]:
    """Override to load plugin modules beside the installed ones (e.g. a test-only plugin)."""
    return []


@pytest.fixture
def didhub_settings() -> dict[str, str]:
    """Override to add `DIDHUB_*` settings (as environment strings) for the test's app."""
    return {}


@pytest.fixture
def didhub_config(didhub_migrated_db_url: str, tmp_path: Path, didhub_settings: dict[str, str]) -> Config:
    environ = {
        "DIDHUB_DB": didhub_migrated_db_url,
        "DIDHUB_UPLOAD_DIR": str(tmp_path / "uploads"),
        "DIDHUB_ADMIN_USERNAME": ADMIN_USERNAME,
        "DIDHUB_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "DIDHUB_RATE_LIMIT": "0",
        "DIDHUB_LOG": "didhub=warning",
    }
    for key in ("DIDHUB_PLUGINS", "DIDHUB_DISABLE_PLUGINS"):
        if key in os.environ:
            environ[key] = os.environ[key]
    environ.update(didhub_settings)
    return load_config(environ=environ)


@pytest.fixture
async def didhub_app(didhub_config: Config, didhub_extra_plugins: list[Any]) -> AsyncIterator[Any]:
    """The app, started (migrated, plugins' startup run) in the test's own event loop."""
    from core.app import create_app

    app = create_app(didhub_config, extra_plugins=didhub_extra_plugins)
    async with app.lifespan():
        yield app


@pytest.fixture
async def client(didhub_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=didhub_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@dataclass
class TestUser:
    id: int
    username: str
    password: str
    token: str
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class DidhubHelper:
    """Make users through the public API, the way a client would."""

    __test__ = False

    def __init__(self, app: Any, client: httpx.AsyncClient) -> None:
        self.app = app
        self.client = client
        self._admin: TestUser | None = None

    @property
    def db(self) -> DB:
        return self.app.state.services.db

    async def login(self, username: str, password: str) -> str:
        response = await self.client.post("/api/v1/auth/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        return response.json()["token"]

    async def admin(self) -> TestUser:
        """The bootstrap administrator, signed in."""
        if self._admin is None:
            token = await self.login(ADMIN_USERNAME, ADMIN_PASSWORD)
            me = (await self.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).json()
            self._admin = TestUser(me["id"], ADMIN_USERNAME, ADMIN_PASSWORD, token, me)
        return self._admin

    async def create_user(
        self,
        username: str,
        *,
        admin: bool = False,
        system: bool = False,
        approved: bool = True,
        password: str = DEFAULT_PASSWORD,
    ) -> TestUser:
        """Create a user as the admin; sign it in when approved (an unapproved one gets no token)."""
        boss = await self.admin()
        response = await self.client.post(
            "/api/v1/users",
            json={"username": username, "password": password, "is_admin": admin, "is_system": system, "is_approved": approved},
            headers=boss.headers,
        )
        assert response.status_code == 201, response.text
        body = response.json()
        token = await self.login(username, password) if approved else ""
        return TestUser(body["id"], username, password, token, body)

    async def token(self, user: TestUser, scopes: list[str]) -> str:
        response = await self.client.post("/api/v1/me/tokens", json={"name": "test", "scopes": scopes}, headers=user.headers)
        assert response.status_code == 201, response.text
        return response.json()["token"]


@pytest.fixture
async def didhub(didhub_app: Any, client: httpx.AsyncClient) -> DidhubHelper:
    return DidhubHelper(didhub_app, client)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
