"""The audit log: the admin API over `audit_logs`, and its retention.

Rows are written by `core.audit` inside every mutation's transaction; this plugin reads them
and prunes those older than the setting `audit.retention_days` (0 keeps them forever), once
at startup and then daily.
"""

from typing import Annotated

import msgspec

from core import hookimpl
from core.services import Services
from core.settings import SettingSpec
from plugins.audit.retention import RETENTION_SETTING, DailyPruner
from plugins.audit.routes import list_audit_logs

# One pruner per running app (tests run several apps in one process).
_pruners: dict[int, DailyPruner] = {}


@hookimpl
def didhub_routes() -> list:
    return [list_audit_logs]


@hookimpl
def didhub_settings() -> list[SettingSpec]:
    return [
        SettingSpec(
            key=RETENTION_SETTING,
            type=Annotated[int, msgspec.Meta(ge=0)],
            default=0,
            description="Days to keep audit log rows; older ones are deleted daily. 0 keeps them forever.",
        )
    ]


@hookimpl
def didhub_startup(services: Services) -> None:
    _pruners[id(services)] = DailyPruner(services)


@hookimpl
async def didhub_shutdown(services: Services) -> None:
    pruner = _pruners.pop(id(services), None)
    if pruner is not None:
        await pruner.stop()
