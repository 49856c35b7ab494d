"""Alters: the members of a system, with name, description and avatar.

Routes in `routes.py`, SQL in `sql/<dialect>/alters.sql`. An `avatar_url` that is a path on
this server is accepted only when the `didhub_owned_url` hook (the uploads plugin) confirms
the system's owner owns it. Deleting an alter removes its group and subsystem memberships
through the schema's ON DELETE CASCADE.
"""

from core import hookimpl
from plugins.alters.routes import AltersController, SystemAltersController


@hookimpl
def didhub_routes() -> list:
    return [SystemAltersController, AltersController]
