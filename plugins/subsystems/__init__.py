"""Subsystems: parts of a system, each alter a member with a role (`subsystem_members`).

Routes in `routes.py`, SQL in `sql/<dialect>/subsystems.sql`. An alter joins only subsystems
of its own system (409 `cross_system`). Deleting a subsystem or an alter removes the
memberships through the schema's ON DELETE CASCADE.
"""

from core import hookimpl
from plugins.subsystems.routes import AlterSubsystemsController, SubsystemsController, SystemSubsystemsController


@hookimpl
def didhub_routes() -> list:
    return [SystemSubsystemsController, SubsystemsController, AlterSubsystemsController]
