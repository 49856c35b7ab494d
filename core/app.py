"""create_app(): the Litestar app, built from what the plugins' hooks return."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import time
import uuid
import warnings
from collections.abc import AsyncIterator, Iterable
from typing import Any, Literal

import msgspec
from litestar import Litestar, Request, Response, get
from litestar.datastructures import MutableScopeHeaders, State
from litestar.di import Provide
from litestar.exceptions import LitestarDeprecationWarning
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from core import __version__
from core.audit import Audit
from core.auth import bearer_token, provide_account, provide_admin, provide_user
from core.config import Config, load_config
from core.db import DB, parse_database_url
from core.errors import EXCEPTION_HANDLERS, Problem, problem
from core.logging import configure_logging
from core.migrations import Migrator, migration_sets
from core.plugins import PluginError, call_async, load_plugins, per_plugin
from core.resources import data_path
from core.services import Services
from core.settings import SettingsService
from core.sql import Queries

logger = logging.getLogger("didhub")
access_logger = logging.getLogger("didhub.access")

# Handlers receive `db`, `user`, `audit`... by parameter name: that is the plugin contract, and
# Litestar 2 (pinned <3) supports it; its 3.0 deprecation notice would only be noise here.
for notice in (".*Inferred dependency field", ".*Reserved kwarg 'data' declared without a body marker"):
    warnings.filterwarnings("ignore", message=notice, category=LitestarDeprecationWarning)


class Health(msgspec.Struct):
    status: Literal["ok"]


class Ready(msgspec.Struct):
    status: Literal["ready"]
    database: Literal["sqlite", "postgres", "mysql"]
    migrations: Literal["current"]


@get("/health", summary="Liveness", description="200 while the process is alive.", tags=["health"], sync_to_thread=False)
def health() -> Health:
    return Health(status="ok")


@get(
    "/ready",
    summary="Readiness",
    description="200 when the database answers and no migration is pending, 503 otherwise.",
    tags=["health"],
    responses={503: ResponseSpec(data_container=Problem, description="Database unreachable or migrations pending")},
)
async def ready(services: Services, migrator: Migrator) -> Ready | Response[Any]:
    try:
        await services.db.fetch_val("core.ping")
        pending = await asyncio.to_thread(migrator.pending)
    except Exception:
        logger.warning("readiness check failed", exc_info=True)
        return problem(503, "unavailable", "The database is unreachable.")
    if pending:
        return problem(503, "migrations_pending", f"{pending} migrations are pending.")
    return Ready(status="ready", database=services.db.dialect, migrations="current")  # type: ignore[arg-type]


def request_log_middleware(app: ASGIApp) -> ASGIApp:
    """One log line per request; the request id comes from X-Request-ID or is made, and is sent back."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        sent = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = sent if sent and len(sent) <= 200 and sent.isprintable() else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started_at = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            access_logger.info(
                "%s %s %d %.1fms request_id=%s",
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started_at) * 1000,
                request_id,
            )

    return middleware


def _rate_limit_identity(request: Request) -> str:
    token = bearer_token(request)
    if token:
        return "token:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    return "address:" + (request.client.host if request.client else "unknown")


def provide_audit(request: Request, db: DB) -> Audit:
    return Audit(db, request)


def build_services(config: Config, extra_plugins: Iterable[Any] = ()) -> tuple[Services, Migrator]:
    """Plugins, database, queries and settings for one process: used by the app and the CLI."""
    pm = load_plugins(config, extra_plugins)
    url = parse_database_url(config.db)
    sql_folders = [data_path("sql")] + [folder for _, folders in per_plugin(pm, "didhub_sql_dirs") for folder in folders]
    db = DB(url, Queries(url.dialect, sql_folders))
    specs = [spec for _, specs in per_plugin(pm, "didhub_settings") for spec in specs]
    services = Services(config=config, db=db, settings=SettingsService(db, specs), pm=pm)
    return services, Migrator(url, migration_sets(url.dialect, pm))


@contextlib.asynccontextmanager
async def started(services: Services, migrator: Migrator) -> AsyncIterator[Services]:
    """Migrate, connect and run the plugins' startup hooks; undo it all on exit.

    The app's lifespan is this; CLI commands that need the database use it too
    (`core.cli.run_with_services`).
    """
    if services.config.auto_migrate:
        applied = await asyncio.to_thread(migrator.up)
        if applied:
            logger.info("applied %d migrations", applied)
    await services.db.connect()
    try:
        await call_async(services.pm, "didhub_startup", services=services)
        try:
            yield services
        finally:
            await call_async(services.pm, "didhub_shutdown", services=services)
    finally:
        await services.db.disconnect()


def create_app(config: Config | None = None, *, extra_plugins: Iterable[Any] = ()) -> Litestar:
    """Build the app. `config` defaults to the environment (and `DIDHUB_CONFIG`, a file)."""
    if config is None:
        config = load_config(os.environ.get("DIDHUB_CONFIG"))
    configure_logging(config)
    services, migrator = build_services(config, extra_plugins)
    db = services.db

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with started(services, migrator):
            yield

    route_handlers: list[Any] = [health, ready]
    for _, handlers in per_plugin(services.pm, "didhub_routes"):
        route_handlers.extend(handlers)

    middleware: list[Any] = [request_log_middleware]
    if config.metrics:
        from core.metrics import PROMETHEUS, MetricsController

        middleware.append(PROMETHEUS.middleware)
        route_handlers.append(MetricsController)
    if config.rate_limit > 0:
        middleware.append(
            RateLimitConfig(
                rate_limit=("minute", config.rate_limit),
                exclude=["/health", "/ready", "/schema"],
                identifier_for_request=_rate_limit_identity,
                rate_limit_limit_header_key="X-RateLimit-Limit",
                rate_limit_remaining_header_key="X-RateLimit-Remaining",
                rate_limit_reset_header_key="X-RateLimit-Reset",
                rate_limit_policy_header_key="X-RateLimit-Policy",
            ).middleware
        )

    return Litestar(
        route_handlers=route_handlers,
        dependencies={
            "services": Provide(lambda: services, sync_to_thread=False, use_cache=True),
            "migrator": Provide(lambda: migrator, sync_to_thread=False, use_cache=True),
            "db": Provide(lambda: db, sync_to_thread=False, use_cache=True),
            "audit": Provide(provide_audit, sync_to_thread=False),
            "user": Provide(provide_user),
            "account": Provide(provide_account),
            "admin": Provide(provide_admin),
        },
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        middleware=middleware,
        lifespan=[lifespan],
        state=State({"services": services}),
        openapi_config=OpenAPIConfig(
            title="DIDHub",
            version=__version__,
            description="A self-hostable home for plural systems. Errors are RFC 9457 problem JSON with a `code`.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        ),
        logging_config=None,  # core.logging configures logging from DIDHUB_LOG
        debug=False,
    )


__all__ = ["create_app", "PluginError"]
