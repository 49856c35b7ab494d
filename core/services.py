"""What the core offers every plugin, in one object: `services` in a handler's parameters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pluggy

from core.config import Config
from core.db import DB
from core.settings import SettingsService


@dataclass
class Services:
    config: Config
    db: DB
    settings: SettingsService
    pm: pluggy.PluginManager

    @property
    def upload_dir(self) -> Path:
        return Path(self.config.upload_dir)
