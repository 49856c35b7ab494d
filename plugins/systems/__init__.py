"""Systems: a system account's plural systems, the root of alters, groups and subsystems.

Routes in `routes.py`, SQL in `sql/<dialect>/systems.sql`. Deleting a system removes its
alters, groups, subsystems and memberships through the schema's ON DELETE CASCADE.
"""

from core import hookimpl
from plugins.systems.routes import SystemsController


@hookimpl
def didhub_routes() -> list:
    return [SystemsController]
