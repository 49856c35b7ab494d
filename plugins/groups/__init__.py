"""Groups: named sets of a system's alters (many-to-many through `alter_groups`).

Routes in `routes.py`, SQL in `sql/<dialect>/groups.sql`. An alter joins only groups of its
own system (409 `cross_system`). Deleting a group or an alter removes the memberships through
the schema's ON DELETE CASCADE.
"""

from core import hookimpl
from plugins.groups.routes import AlterGroupsController, GroupsController, SystemGroupsController


@hookimpl
def didhub_routes() -> list:
    return [SystemGroupsController, GroupsController, AlterGroupsController]
