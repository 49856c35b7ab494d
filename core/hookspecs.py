"""Every hook a DIDHub plugin can implement. Each docstring is that hook's documentation.

A plugin is a module (or object) with functions named like these hooks and decorated with
`core.hookimpl`. Built-in plugins live in `plugins/` and are listed in
`core.plugins.DEFAULT_PLUGINS`; third-party packages register a module under the entry-point
group "didhub". Hooks may be plain or `async def`: the host awaits what needs awaiting.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click

    from core.services import Services
    from core.settings import SettingSpec

hookspec = pluggy.HookspecMarker("didhub")
hookimpl = pluggy.HookimplMarker("didhub")


@hookspec
def didhub_routes() -> list[Any]:
    """Return Litestar route handlers, controllers or routers to mount on the app.

    Called once while the app is built. Paths are absolute (e.g. "/api/v1/journal"). Handlers
    receive the core's dependencies by parameter name: `db` (`core.db.DB`), `services`
    (`core.services.Services`), `audit` (`core.audit.Audit`), `user` (the approved
    `core.auth.CurrentUser`; 401/403 otherwise), `account` (the signed-in user even when not
    approved) and `admin` (an admin, 403 otherwise).
    """


@hookspec
def didhub_sql_dirs() -> list[Path]:
    """Return folders of named queries: each holds `sqlite/`, `postgres/` and `mysql/`.

    A file `<folder>/<dialect>/journal.sql` with a block starting `-- name: get` becomes the
    query "journal.get". Every name must exist in all three dialects and must not clash with
    another folder's; otherwise startup stops naming the query. Built-in plugins keep their SQL
    in the project's top-level `sql/` folder and need not implement this hook.
    """


@hookspec
def didhub_migration_dirs() -> list[Path]:
    """Return folders of yoyo migrations: each holds `sqlite/`, `postgres/` and `mysql/`.

    They are applied after the core's migrations, at startup and by `didhub migrate up`.
    Migration ids are file names: prefix them with the plugin's name (`journal-0001.create`)
    so they never clash with the core's or another plugin's. `didhub migrate down --plugin
    NAME` rolls back only this plugin's migrations.
    """


@hookspec
def didhub_settings() -> list[SettingSpec]:
    """Return the instance settings this plugin owns, as `core.settings.SettingSpec`s.

    Only declared keys can be stored; values are validated against the declared type. Read a
    value with `await services.settings.get("key")`.
    """


@hookspec
def didhub_startup(services: Services) -> None:
    """Called once when the app starts, after the database is connected and migrated.

    May be async. An exception stops startup with the plugin's name in the message.
    """


@hookspec
def didhub_shutdown(services: Services) -> None:
    """Called once when the app stops, before the database disconnects. May be async."""


@hookspec
def didhub_cli(cli: click.Group) -> None:
    """Add commands to the `didhub` command-line group (`cli.add_command(...)`)."""


@hookspec(firstresult=True)
def didhub_authenticate(services: Services, token: str) -> Any:
    """Turn a bearer token into a `core.auth.CurrentUser`, or None when it is not valid.

    Async. The first plugin that answers wins; the built-in accounts plugin implements it.
    Called at most once per request, only for requests that need a user.
    """


@hookspec
def didhub_user_deleting(services: Services, user_id: int) -> Any:
    """Called inside the transaction that deletes a user, before the user's row is deleted.

    May be async. Return an async callable to run once the deletion has committed (for
    example to remove files from disk), or None. Rows that reference the user through
    foreign keys are removed by the database's cascades.
    """


@hookspec(firstresult=True)
def didhub_owned_url(services: Services, user_id: int, url: str) -> Any:
    """Tell whether `url`, a path on this server, names a resource owned by `user_id`.

    Async. Return True or False when the URL is yours to judge, None otherwise. The alters
    plugin uses it to accept an `avatar_url` that points at the user's own upload.
    """
