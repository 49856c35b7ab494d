"""The upload directory: generated names, temporary files, removal and the orphan sweep.

Stored names are `<32 hex digits>.<extension>`, generated here and never taken from a client.
Work in progress lives in `.tmp-<32 hex digits>` files in the same directory (same file
system, so the final rename is atomic). Nothing else in the directory is ever touched: an
operator who points DIDHUB_UPLOAD_DIR at a folder holding other files loses none of them.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Iterable
from pathlib import Path

logger = logging.getLogger("didhub.uploads")

STORED_NAME = re.compile(r"[0-9a-f]{32}\.[a-z]{3,4}")
TEMP_NAME = re.compile(r"\.tmp-[0-9a-f]{32}")
# An upload between its rename into place and its row's commit is young; a worker starting
# up beside busy ones must not take it for an orphan.
ORPHAN_MIN_AGE_SECONDS = 3600


class UploadStorage:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def prepare(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)

    def temp_path(self) -> Path:
        return self.directory / f".tmp-{secrets.token_hex(16)}"

    def new_name(self, extension: str) -> str:
        return f"{secrets.token_hex(16)}.{extension}"

    def path(self, filename: str) -> Path:
        # names come from our own rows; refuse anything else rather than follow it elsewhere
        if not STORED_NAME.fullmatch(filename):
            raise ValueError(f"not a stored upload name: {filename!r}")
        return self.directory / filename

    def place(self, temp: Path, filename: str) -> None:
        """Give a finished temporary file its final name (atomic; same directory)."""
        temp.replace(self.path(filename))

    def remove(self, filenames: Iterable[str]) -> None:
        for filename in filenames:
            try:
                self.path(filename).unlink(missing_ok=True)
            except OSError:
                # the row is gone already; the startup sweep retries what is left
                logger.warning("could not remove upload file %s", filename, exc_info=True)

    def sweep(self, stored_names: set[str]) -> int:
        """Remove old temporary files and old stored files no row names; return how many."""
        cutoff = time.time() - ORPHAN_MIN_AGE_SECONDS
        removed = 0
        for entry in self.directory.iterdir():
            name = entry.name
            is_orphan = STORED_NAME.fullmatch(name) is not None and name not in stored_names
            if not (is_orphan or TEMP_NAME.fullmatch(name)):
                continue
            try:
                if not entry.is_file() or entry.stat().st_mtime > cutoff:
                    continue
                entry.unlink()
                removed += 1
            except FileNotFoundError:
                continue
        return removed
