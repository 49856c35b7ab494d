"""One database per process: URL parsing, the SQLite pool, named queries and transactions.

`databases` mishandles URL query strings and gives SQLite no pool (see stack-notes.md), so
`DIDHUB_DB` is parsed here into a clean URL plus keyword options, and yoyo gets its own URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import ssl
from collections.abc import AsyncIterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import aiosqlite
import databases
import sqlalchemy
from databases.backends.sqlite import SQLiteBackend, SQLiteConnection, SQLitePool, SQLiteTransaction
from sqlalchemy.dialects.mysql.aiomysql import MySQLDialect_aiomysql
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite

from core.config import ConfigError
from core.errors import Conflict
from core.sql import Queries

# the placeholder style of each driver, for execute_many's one compilation
_DRIVER_DIALECTS = {"sqlite": SQLiteDialect_aiosqlite, "postgres": PGDialect_asyncpg, "mysql": MySQLDialect_aiomysql}
_SCHEMES = {"sqlite": "sqlite", "postgres": "postgres", "postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql"}
_SSLMODES = ("disable", "require", "verify-full")
_holds_write_lock: ContextVar[bool] = ContextVar("didhub_holds_write_lock", default=False)


@dataclass(frozen=True)
class DatabaseUrl:
    """`DIDHUB_DB` taken apart: what `databases` gets, what yoyo gets, and the pool options."""

    dialect: str
    databases_url: str
    yoyo_url: str
    options: dict[str, Any] = field(default_factory=dict)
    sslmode: str | None = None
    sqlite_path: Path | None = None
    # the server-side database name, for tests and tools that create and drop databases
    name: str = ""

    @property
    def display(self) -> str:
        """The URL without its password, safe to log."""
        parts = urlsplit(self.databases_url)
        if parts.password:
            return self.databases_url.replace(f":{parts.password}@", ":***@", 1)
        return self.databases_url


def parse_database_url(url: str) -> DatabaseUrl:
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0].lower()
    if scheme not in _SCHEMES:
        raise ConfigError(f"DIDHUB_DB: unknown scheme {parts.scheme!r} (use sqlite://, postgres:// or mysql://)")
    dialect = _SCHEMES[scheme]
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    if dialect == "sqlite":
        if params:
            raise ConfigError(f"DIDHUB_DB: SQLite takes no URL parameters (got {', '.join(sorted(params))})")
        # sqlite:///relative/path and sqlite:////absolute/path
        path_text = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if not path_text or path_text == ":memory:":
            raise ConfigError("DIDHUB_DB: SQLite needs a file path, e.g. sqlite:///data/didhub.sqlite")
        path = Path(path_text)
        return DatabaseUrl(
            dialect="sqlite",
            databases_url=f"sqlite:///{path}",
            yoyo_url=f"sqlite:///{path}",
            sqlite_path=path,
            name=str(path),
        )

    options: dict[str, Any] = {}
    pool_names = {"postgres": ("min_size", "max_size"), "mysql": ("minsize", "maxsize")}[dialect]
    for param, option in zip(("min_connections", "max_connections"), pool_names):
        if param in params:
            try:
                options[option] = int(params.pop(param))
            except ValueError:
                raise ConfigError(f"DIDHUB_DB: {param} must be a whole number") from None
            if options[option] < 1 and param == "max_connections":
                raise ConfigError("DIDHUB_DB: max_connections must be at least 1")
    sslmode = params.pop("sslmode", None)
    if sslmode is not None and sslmode not in _SSLMODES:
        raise ConfigError(f"DIDHUB_DB: sslmode must be one of {', '.join(_SSLMODES)}")
    if params:
        raise ConfigError(f"DIDHUB_DB: unknown URL parameters {', '.join(sorted(params))}")
    min_key, max_key = pool_names
    if max_key in options:
        # the drivers' default minimum (asyncpg: 10) must not exceed a smaller maximum
        options.setdefault(min_key, 1)
        if options[min_key] > options[max_key]:
            raise ConfigError("DIDHUB_DB: min_connections is greater than max_connections")
    elif min_key in options:
        options[max_key] = max(options[min_key], 10)

    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ConfigError("DIDHUB_DB: the URL names no database")
    netloc = parts.netloc
    base_scheme = "postgresql" if dialect == "postgres" else "mysql"
    databases_url = f"{base_scheme}://{netloc}/{quote(name)}"
    if dialect == "postgres":
        # libpq (psycopg2, used by yoyo) honours sslmode itself
        yoyo_url = f"postgresql://{netloc}/{quote(name)}"
        if sslmode:
            yoyo_url += f"?sslmode={sslmode}"
        if sslmode:
            options["ssl"] = sslmode
    else:
        yoyo_url = f"mysql://{netloc}/{quote(name)}"
        if sslmode in ("require", "verify-full"):
            options["ssl"] = _mysql_ssl_context(sslmode)
            # PyMySQL turns TLS on when a CA or verification is asked for
            yoyo_url += "?ssl_verify_cert=true&ssl_verify_identity=true" if sslmode == "verify-full" else ""
        options.update(charset="utf8mb4", init_command="SET time_zone = '+00:00'")
    return DatabaseUrl(dialect, databases_url, yoyo_url, options, sslmode, None, name)


def _mysql_ssl_context(sslmode: str) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if sslmode == "require":
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


# --- SQLite: a small pool, per-connection PRAGMAs, BEGIN IMMEDIATE --------------------------


class _PooledSQLitePool(SQLitePool):
    """At most `max_size` connections, kept open, each with foreign keys on, WAL and a busy timeout.

    Stock `databases` opens a connection (and a thread) per query, so PRAGMAs such as
    `foreign_keys` are lost and ON DELETE CASCADE silently does nothing. Beyond `max_size`
    queries wait for a connection: opening one (a thread and three PRAGMAs) per query under
    load cost more than the query.
    """

    def __init__(self, url: Any, max_size: int = 8, **options: Any) -> None:
        super().__init__(url, **options)
        self._idle: list[aiosqlite.Connection] = []
        self._slots = asyncio.Semaphore(max_size)
        self.in_use = 0

    @property
    def idle(self) -> int:
        return len(self._idle)

    async def acquire(self) -> aiosqlite.Connection:
        await self._slots.acquire()
        try:
            connection = await self._take()
        except BaseException:
            self._slots.release()
            raise
        self.in_use += 1
        return connection

    async def _take(self) -> aiosqlite.Connection:
        while self._idle:
            connection = self._idle.pop()
            if connection._running:
                return connection
        connection = aiosqlite.connect(database=self._database, isolation_level=None, **self._options)
        await connection.__aenter__()
        for pragma in ("PRAGMA foreign_keys = ON", "PRAGMA busy_timeout = 10000", "PRAGMA synchronous = NORMAL"):
            await connection.execute(pragma)
        # SQLite's own LOWER() folds only ASCII; case-insensitive search must find "Élan" too
        await connection.create_function("lower", 1, _unicode_lower, deterministic=True)
        return connection

    async def release(self, connection: aiosqlite.Connection) -> None:
        self.in_use -= 1
        try:
            if connection.in_transaction:
                # a cancelled request left its transaction open; never hand that to someone else
                await connection.close()
            else:
                self._idle.append(connection)
        finally:
            self._slots.release()

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


class _ImmediateTransaction(SQLiteTransaction):
    async def start(self, is_root: bool, extra_options: dict[Any, Any]) -> None:
        if not is_root:
            return await super().start(is_root, extra_options)
        self._is_root = True
        # take the write lock up front: a deferred BEGIN that later upgrades can deadlock
        await self._connection._connection.execute("BEGIN IMMEDIATE")


class _PooledSQLiteConnection(SQLiteConnection):
    def transaction(self) -> SQLiteTransaction:
        return _ImmediateTransaction(self)


class PooledSQLiteBackend(SQLiteBackend):
    def __init__(self, database_url: Any, **options: Any) -> None:
        super().__init__(database_url, **options)
        self._pool = _PooledSQLitePool(self._database_url, **self._options)

    async def disconnect(self) -> None:
        await self._pool.close()
        await super().disconnect()

    def connection(self) -> SQLiteConnection:
        return _PooledSQLiteConnection(self._pool, self._dialect)


# --- Values in and out ----------------------------------------------------------------------


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, literally: use it with `ESCAPE '!'` in the SQL
    (a backslash escape means different things on MySQL)."""
    escaped = text.replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"%{escaped}%"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _to_utc(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    if isinstance(value, str):
        # SQLite keeps timestamps as text: "2026-11-26 10:00:00.123456" (UTC)
        return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
    return value


def _normalise_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """One shape for every backend: `*_at` columns are aware UTC datetimes, `is_*` are bools."""
    result = dict(row)
    for key, value in result.items():
        if value is None:
            continue
        if key.endswith("_at"):
            result[key] = _to_utc(value)
        elif key.startswith("is_"):
            result[key] = bool(value)
        elif key == "details" and isinstance(value, str):
            result[key] = json.loads(value)
    return result


def _is_unique_violation(exc: BaseException) -> bool:
    name = type(exc).__name__
    if name == "UniqueViolationError":  # asyncpg
        return True
    if isinstance(exc, sqlite3.IntegrityError):
        return "UNIQUE constraint failed" in str(exc) or "PRIMARY KEY" in str(exc)
    # pymysql: (1062, "Duplicate entry ...")
    return name == "IntegrityError" and bool(getattr(exc, "args", None)) and exc.args[0] == 1062


def _is_foreign_key_violation(exc: BaseException) -> bool:
    name = type(exc).__name__
    if name == "ForeignKeyViolationError":
        return True
    if isinstance(exc, sqlite3.IntegrityError):
        return "FOREIGN KEY constraint failed" in str(exc)
    return name == "IntegrityError" and bool(getattr(exc, "args", None)) and exc.args[0] in (1451, 1452)


async def _keep_session(connection: Any) -> None:
    """asyncpg's pool sends `RESET ALL; CLOSE ALL; UNLISTEN *; SELECT pg_advisory_unlock_all()` on
    every release: a round trip per query for session state DIDHub never changes. With a custom
    reset the pool still rolls back a transaction left open (`Connection._reset`) and sends
    nothing else."""


_POOL_OPTIONS: dict[str, dict[str, Any]] = {"postgres": {"reset": _keep_session}}


class DB:
    """The database a plugin talks to: named queries, bound parameters, one shape of rows.

    Every call runs on the current task's connection, so all calls inside `transaction()`
    share one connection and commit or roll back together.
    """

    def __init__(self, url: DatabaseUrl, queries: Queries) -> None:
        self.url = url
        self.dialect = url.dialect
        self.queries = queries
        self.database = databases.Database(url.databases_url, **url.options, **_POOL_OPTIONS.get(url.dialect, {}))
        if url.dialect == "sqlite":
            self.database._backend = PooledSQLiteBackend(self.database.url, **url.options)
        self._write_lock: asyncio.Lock | None = None
        # Writes (statements and transactions) this process has finished: something that keeps
        # rows in memory (the accounts plugin's token lookups) may reuse them while this stands still.
        self.writes = 0

    async def connect(self) -> None:
        if self.url.sqlite_path is not None:
            self.url.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        self._write_lock = asyncio.Lock()
        await self.database.connect()
        if self.dialect == "sqlite":
            await self.database.execute("PRAGMA journal_mode = WAL")
        if self.dialect == "mysql" and self.url.sslmode in ("require", "verify-full"):
            # PyMySQL silently stays in plaintext when the server offers no TLS
            status = await self.fetch_one("core.mysql_ssl_cipher")
            if not status or not status["Value"]:
                await self.database.disconnect()
                raise ConnectionError("sslmode requires TLS but the MySQL server did not start it")

    async def disconnect(self) -> None:
        await self.database.disconnect()

    def pool_usage(self) -> tuple[int, int]:
        """(connections in use, idle connections) of this process's pool."""
        pool = self.database._backend._pool
        if self.dialect == "postgres":
            return pool.get_size() - pool.get_idle_size(), pool.get_idle_size()
        if self.dialect == "mysql":
            return pool.size - pool.freesize, pool.freesize
        return pool.in_use, pool.idle

    def _bind(self, params: Mapping[str, Any]) -> dict[str, Any]:
        bound = {}
        for key, value in params.items():
            if isinstance(value, datetime):
                value = value.astimezone(timezone.utc)
                if self.dialect == "sqlite":
                    value = value.strftime("%Y-%m-%d %H:%M:%S.%f")
                elif self.dialect == "mysql":
                    value = value.replace(tzinfo=None)
            elif isinstance(value, (dict, list)):
                value = json.dumps(value, ensure_ascii=False)
            bound[key] = value
        return bound

    @contextlib.contextmanager
    def _mapped_errors(self) -> Any:
        try:
            yield
        except Exception as exc:
            if _is_unique_violation(exc):
                raise Conflict("conflict", "That already exists.") from exc
            if _is_foreign_key_violation(exc):
                raise Conflict("conflict", "That refers to something that does not exist.") from exc
            raise

    async def fetch_one(self, query: str, /, **params: Any) -> dict[str, Any] | None:
        with self._mapped_errors():
            row = await self.database.fetch_one(self.queries[query], self._bind(params))
        return None if row is None else _normalise_row(row._mapping)

    async def fetch_all(self, query: str, /, **params: Any) -> list[dict[str, Any]]:
        with self._mapped_errors():
            rows = await self.database.fetch_all(self.queries[query], self._bind(params))
        return [_normalise_row(row._mapping) for row in rows]

    async def fetch_val(self, query: str, /, **params: Any) -> Any:
        with self._mapped_errors():
            return await self.database.fetch_val(self.queries[query], self._bind(params))

    async def execute(self, query: str, /, **params: Any) -> None:
        try:
            with self._mapped_errors():
                await self.database.execute(self.queries[query], self._bind(params))
        finally:
            self.writes += 1

    async def insert(self, query: str, /, **params: Any) -> int:
        """Run an INSERT and return the new row's id (same connection: call it inside `transaction()`)."""
        try:
            with self._mapped_errors():
                async with self.database.connection() as connection:
                    await connection.execute(self.queries[query], self._bind(params))
                    return int(await connection.fetch_val(self.queries["core.last_insert_id"]))
        finally:
            self.writes += 1

    async def execute_many(self, query: str, /, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run one statement for many parameter sets in one driver call (on the current connection).

        `databases` compiles and sends each set on its own; this compiles once and lets the driver
        batch (asyncpg pipelines, PyMySQL folds an INSERT into one multi-row statement).
        """
        if not rows:
            return
        compiled = sqlalchemy.text(self.queries[query]).compile(dialect=_DRIVER_DIALECTS[self.dialect]())
        names = compiled.positiontup or []
        values = [tuple(bound[name] for name in names) for bound in map(self._bind, rows)]
        try:
            with self._mapped_errors():
                async with self.database.connection() as connection:
                    driver = connection.raw_connection
                    if self.dialect == "postgres":
                        await driver.executemany(compiled.string, values)
                    else:
                        cursor = await driver.cursor()
                        try:
                            await cursor.executemany(compiled.string, values)
                        finally:
                            await cursor.close()
        finally:
            self.writes += 1

    async def iterate(self, query: str, /, **params: Any) -> AsyncIterator[dict[str, Any]]:
        async for row in self.database.iterate(self.queries[query], self._bind(params)):
            yield _normalise_row(row._mapping)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """One write transaction; nested calls become savepoints of the outer one.

        On SQLite, writers queue on one lock instead of failing with "database is locked".
        """
        try:
            if self.dialect != "sqlite" or _holds_write_lock.get():
                async with self.database.transaction():
                    yield
                return
            assert self._write_lock is not None, "DB.connect() was not called"
            async with self._write_lock:
                token = _holds_write_lock.set(True)
                try:
                    async with self.database.transaction():
                        yield
                finally:
                    _holds_write_lock.reset(token)
        finally:
            # counted once committed (or rolled back): a reader that started before sees it move
            self.writes += 1
