"""Process settings: environment first, then an optional JSON config file, then defaults.

Every setting has an environment variable `DIDHUB_<NAME>`; the config file uses `<name>` in
lower case. An invalid value raises `ConfigError` with one line naming the setting.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import msgspec


class ConfigError(Exception):
    """A setting has an invalid value; the message is one line meant for the operator."""


class Config(msgspec.Struct, kw_only=True, frozen=True):
    db: str = "sqlite:///data/didhub.sqlite"
    host: str = "127.0.0.1"
    port: int = 8000
    upload_dir: str = "data/uploads"
    log: str = "didhub=info"
    log_format: str = "text"
    plugins: tuple[str, ...] | None = None
    disable_plugins: tuple[str, ...] = ()
    admin_username: str | None = None
    admin_password: str | None = None
    # requests per minute per token or client address; 0 turns the limit off
    rate_limit: int = 600
    auto_migrate: bool = True
    metrics: bool = False


_LIST_SETTINGS = {"plugins", "disable_plugins"}
_FALLBACK_ENV = {"db": "DATABASE_URL"}


def _from_env(environ: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in msgspec.structs.fields(Config):
        raw = environ.get(f"DIDHUB_{field.name.upper()}")
        if raw is None and field.name in _FALLBACK_ENV:
            raw = environ.get(_FALLBACK_ENV[field.name])
        if raw is None:
            continue
        if field.name in _LIST_SETTINGS:
            values[field.name] = [item.strip() for item in raw.split(",") if item.strip()]
        else:
            values[field.name] = raw
    return values


def _from_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"config file {path}: cannot be read ({exc.strerror})") from None
    except ValueError as exc:
        raise ConfigError(f"config file {path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path}: must hold a JSON object")
    known = {field.name for field in msgspec.structs.fields(Config)}
    # Other top-level keys (e.g. the seed's "users") belong to other readers of the same file.
    return {key: value for key, value in data.items() if key in known}


def load_config(config_file: str | Path | None = None, environ: dict[str, str] | None = None) -> Config:
    environ = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = {}
    if config_file is not None:
        values.update(_from_file(Path(config_file)))
    values.update(_from_env(environ))
    try:
        # strict=False lets "8000" and "true" from the environment become an int and a bool
        return msgspec.convert(values, Config, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"invalid setting: {_name_setting(str(exc))}") from None


def _name_setting(message: str) -> str:
    # msgspec says "Expected `int`, got `str` - at `$.port`"; name it as the operator set it.
    if " - at `$." in message:
        problem, _, where = message.rpartition(" - at `$.")
        name = where.rstrip("`").split("[")[0]
        return f"DIDHUB_{name.upper()} ({problem})"
    return message
