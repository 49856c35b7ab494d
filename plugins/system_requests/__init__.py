"""System requests: an account asks to become a system; an admin approves or rejects.

Approving marks the user `is_system` and `is_approved` in the same transaction as the
request's new status. The accounts plugin may insert pending requests itself (registration
with `is_system: true`); they are ordinary rows of the same table and show up here.
"""

from core import hookimpl
from plugins.system_requests.routes import SystemRequestsController


@hookimpl
def didhub_routes() -> list:
    return [SystemRequestsController]
