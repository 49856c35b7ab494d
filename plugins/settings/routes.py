from typing import Any, Literal

import msgspec
from litestar import Controller, delete, get, put
from litestar.params import Parameter
from typing import Annotated

from core import __version__
from core.audit import Audit
from core.auth import CurrentUser
from core.db import DB
from core.services import Services
from core.settings import SettingValue

SettingKey = Annotated[str, Parameter(description="A declared setting's key, e.g. `registration.mode`.", max_length=255)]


class SettingUpdate(msgspec.Struct, forbid_unknown_fields=True):
    value: Any


class Instance(msgspec.Struct):
    name: str
    version: str
    registration_mode: Literal["open", "approval", "closed"]


class SettingsController(Controller):
    path = "/api/v1/settings"
    tags = ["settings"]

    @get("/", summary="List every declared setting", description="Admin only. Each with its value, default and description.")
    async def list_settings(self, admin: CurrentUser, services: Services) -> list[SettingValue]:
        return await services.settings.describe_all()

    @get("/{key:str}", summary="Read one setting", description="Admin only. An undeclared key is 404.")
    async def get_setting(self, key: SettingKey, admin: CurrentUser, services: Services) -> SettingValue:
        return await services.settings.describe(key)

    @put(
        "/{key:str}",
        summary="Set a setting",
        description="Admin only. The value is validated against the declared type (400 `validation_failed`).",
    )
    async def put_setting(
        self, key: SettingKey, data: SettingUpdate, admin: CurrentUser, services: Services, db: DB, audit: Audit
    ) -> SettingValue:
        async with db.transaction():
            value = await services.settings.set(key, data.value)
            await audit.record("setting.update", "setting", None, {"key": key, "value": msgspec.to_builtins(value)})
        return await services.settings.describe(key)

    @delete("/{key:str}", summary="Reset a setting to its default", description="Admin only.")
    async def delete_setting(self, key: SettingKey, admin: CurrentUser, services: Services, db: DB, audit: Audit) -> None:
        async with db.transaction():
            await services.settings.reset(key)
            await audit.record("setting.delete", "setting", None, {"key": key})


@get(
    "/api/v1/instance",
    summary="What a client needs before signing in",
    description="Public: the instance's name, DIDHub's version and how registration works.",
    tags=["settings"],
)
async def instance(services: Services) -> Instance:
    mode = await services.settings.get("registration.mode") if "registration.mode" in services.settings.specs else "closed"
    return Instance(name=await services.settings.get("instance.name"), version=__version__, registration_mode=mode)
