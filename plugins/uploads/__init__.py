"""Uploads: images a user stores on the instance (avatars, mostly), private unless made public.

Files live in DIDHUB_UPLOAD_DIR under generated names; rows in `uploads` describe them. A row
never names a missing file: the file is renamed into place before its row is inserted, and
removed only after the row's deletion has committed. Whatever a crash leaves behind (temporary
files, files whose row is gone) is swept at startup.
"""

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Literal

import msgspec

from core import hookimpl
from core.params import MAX_ID
from core.services import Services
from core.settings import SettingSpec
from plugins.uploads.images import SUPPORTED_MIME_TYPES
from plugins.uploads.routes import UploadsController
from plugins.uploads.storage import UploadStorage

logger = logging.getLogger("didhub.uploads")

_CONTENT_PATH = re.compile(r"/api/v1/uploads/([0-9]+)/content")


@hookimpl
def didhub_routes() -> list:
    return [UploadsController]


@hookimpl
def didhub_settings() -> list[SettingSpec]:
    return [
        SettingSpec(
            key="uploads.max_bytes",
            type=Annotated[int, msgspec.Meta(ge=1)],
            default=10 * 1024 * 1024,
            description="The largest file a user may upload, in bytes (413 above it).",
        ),
        SettingSpec(
            key="uploads.allowed_types",
            type=list[Literal[SUPPORTED_MIME_TYPES]],  # type: ignore[valid-type]
            default=list(SUPPORTED_MIME_TYPES),
            description=(
                "The image types users may upload, sniffed from the bytes (415 otherwise). "
                f"A subset of {', '.join(SUPPORTED_MIME_TYPES)}: the types DIDHub can re-encode without metadata."
            ),
        ),
    ]


@hookimpl
async def didhub_startup(services: Services) -> None:
    storage = UploadStorage(services.upload_dir)
    await asyncio.to_thread(storage.prepare)
    rows = await services.db.fetch_all("uploads.all_filenames")
    removed = await asyncio.to_thread(storage.sweep, {row["filename"] for row in rows})
    if removed:
        logger.info("removed %d orphaned or temporary upload files", removed)


@hookimpl
async def didhub_user_deleting(services: Services, user_id: int) -> Callable[[], Awaitable[None]] | None:
    # read inside the deleting transaction; the rows themselves go with the user (ON DELETE CASCADE)
    filenames = [row["filename"] for row in await services.db.fetch_all("uploads.filenames_of_user", user_id=user_id)]
    if not filenames:
        return None
    storage = UploadStorage(services.upload_dir)

    async def remove_files() -> None:
        await asyncio.to_thread(storage.remove, filenames)

    return remove_files


@hookimpl
async def didhub_owned_url(services: Services, user_id: int, url: str) -> bool | None:
    match = _CONTENT_PATH.fullmatch(url)
    if match is None:
        return None
    digits = match.group(1)
    if len(digits) > len(str(MAX_ID)) or not 1 <= int(digits) <= MAX_ID:
        return False
    row = await services.db.fetch_one("uploads.get", id=int(digits))
    return row is not None and row["user_id"] == user_id
