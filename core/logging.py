"""Logging from `DIDHUB_LOG` ("databases=debug,didhub=info") and `DIDHUB_LOG_FORMAT` (text|json)."""

from __future__ import annotations

import json
import logging
from typing import Any

from core.config import Config, ConfigError

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def parse_levels(spec: str) -> dict[str, int]:
    levels: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, sep, level = item.rpartition("=")
        if not sep:
            name, level = "", item
        if level.lower() not in _LEVELS:
            raise ConfigError(f"DIDHUB_LOG: unknown level {level!r} in {item!r} (use debug, info, warning, error)")
        levels[name] = _LEVELS[level.lower()]
    return levels


def configure_logging(config: Config) -> None:
    if config.log_format not in ("text", "json"):
        raise ConfigError("DIDHUB_LOG_FORMAT: must be text or json")
    levels = parse_levels(config.log)
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter() if config.log_format == "json" else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(levels.pop("", logging.WARNING))
    logging.getLogger("didhub").setLevel(logging.INFO)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
