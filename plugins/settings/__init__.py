"""Instance settings: the admin API over the settings every plugin declares, and /instance.

The shape every built-in plugin follows: hooks here, routes in `routes.py`, SQL (if any) in
`sql/<dialect>/<plugin>.sql`, request and response types as msgspec Structs.
"""

from typing import Annotated

import msgspec

from core import hookimpl
from core.settings import SettingSpec
from plugins.settings.routes import SettingsController, instance


@hookimpl
def didhub_routes() -> list:
    return [SettingsController, instance]


@hookimpl
def didhub_settings() -> list[SettingSpec]:
    return [
        SettingSpec(
            key="instance.name",
            type=Annotated[str, msgspec.Meta(min_length=1, max_length=100)],
            default="DIDHub",
            description="The instance's name, shown to clients before they sign in.",
        )
    ]
