"""Instance settings declared by plugins and stored as overrides in the `settings` table."""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

import msgspec

from core.db import DB, utcnow
from core.errors import NotFound, validation_error


class SettingSpec(msgspec.Struct, frozen=True, kw_only=True):
    """A declared setting. `type` is any type msgspec can check, e.g. `int`,
    `Literal["open", "closed"]` or `Annotated[int, msgspec.Meta(ge=0)]`."""

    key: str
    type: Any
    default: Any
    description: str


class SettingValue(msgspec.Struct, frozen=True):
    key: str
    value: Any
    default: Any
    description: str
    updated_at: datetime | None


class SettingsService:
    """Reads are cached for a moment (other workers see a change within `CACHE_SECONDS`)."""

    CACHE_SECONDS = 2.0

    def __init__(self, db: DB, specs: list[SettingSpec]) -> None:
        self.db = db
        self.specs: dict[str, SettingSpec] = {}
        for spec in specs:
            if spec.key in self.specs:
                raise ValueError(f"setting {spec.key} is declared twice")
            msgspec.convert(spec.default, spec.type)  # a declared default must be valid
            self.specs[spec.key] = spec
        self._cache: dict[str, tuple[Any, datetime]] | None = None
        self._cached_at = 0.0

    def spec(self, key: str) -> SettingSpec:
        try:
            return self.specs[key]
        except KeyError:
            raise NotFound(f"No setting named {key!r}.") from None

    async def _overrides(self) -> dict[str, tuple[Any, datetime]]:
        if self._cache is None or time.monotonic() - self._cached_at > self.CACHE_SECONDS:
            rows = await self.db.fetch_all("core.get_setting_values")
            self._cache = {row["key"]: (json.loads(row["value"]), row["updated_at"]) for row in rows}
            self._cached_at = time.monotonic()
        return self._cache

    async def get(self, key: str) -> Any:
        spec = self.spec(key)
        stored = (await self._overrides()).get(key)
        if stored is None:
            return spec.default
        try:
            return msgspec.convert(stored[0], spec.type)
        except msgspec.ValidationError:
            # a value stored before its declaration tightened falls back to the default
            return spec.default

    async def describe(self, key: str) -> SettingValue:
        spec = self.spec(key)
        stored = (await self._overrides()).get(key)
        return SettingValue(key, await self.get(key), spec.default, spec.description, stored[1] if stored else None)

    async def describe_all(self) -> list[SettingValue]:
        return [await self.describe(key) for key in sorted(self.specs)]

    def validate(self, key: str, value: Any) -> Any:
        spec = self.spec(key)
        try:
            return msgspec.convert(value, spec.type)
        except msgspec.ValidationError as exc:
            raise validation_error("value", str(exc)) from None

    async def set(self, key: str, value: Any) -> Any:
        """Store a validated value; call inside the caller's transaction."""
        value = self.validate(key, value)
        await self.db.execute("core.upsert_setting", key=key, value=json.dumps(msgspec.to_builtins(value)), updated_at=utcnow())
        self._cache = None
        return value

    async def reset(self, key: str) -> None:
        self.spec(key)
        await self.db.execute("core.delete_setting", key=key)
        self._cache = None
