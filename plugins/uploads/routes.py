import asyncio
import logging
import os
import re
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

import anyio
import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import Provide
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import Parameter
from litestar.response import Stream

from core.audit import Audit
from core.auth import CurrentUser, provide_user
from core.db import DB, utcnow
from core.errors import Forbidden, NotFound, Problem, UnsupportedMediaType, validation_error
from core.pagination import DEFAULT_LIMIT, Cursor, Limit, decode_cursor, page
from core.params import Id, OptionalId
from core.services import Services
from plugins.uploads.form import MAX_TEXT_FIELD_BYTES, receive_form, too_large
from plugins.uploads.images import ImageRejected, clean_image
from plugins.uploads.storage import UploadStorage

logger = logging.getLogger("didhub.uploads")

# TEXT columns: MySQL's TEXT holds 65,535 bytes, i.e. 16,383 characters of 4-byte UTF-8;
# no NUL, which PostgreSQL cannot store in text
AltText = Annotated[str, msgspec.Meta(max_length=16_383, pattern=r"^[^\x00]*$")]
# what a multipart body may carry besides the file itself: text fields, boundaries, part headers
FORM_OVERHEAD_BYTES = 2 * MAX_TEXT_FIELD_BYTES + 16 * 1024
CHUNK_BYTES = 64 * 1024
# bidirectional-text controls turn "gpj.exe" into what looks like "exe.jpg"
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


class Upload(msgspec.Struct):
    id: int
    user_id: int
    filename: str
    original_filename: str
    mime_type: str
    file_size: int
    alt_text: str | None
    is_public: bool
    created_at: datetime
    url: str


class UploadPage(msgspec.Struct):
    items: list[Upload]
    next_cursor: str | None


class UploadUpdate(msgspec.Struct, forbid_unknown_fields=True):
    alt_text: AltText | None | msgspec.UnsetType = msgspec.UNSET
    is_public: bool | msgspec.UnsetType = msgspec.UNSET


_PROBLEMS = {
    400: "`validation_failed`: a malformed form, an unknown or repeated field, or an image that is damaged, "
    "truncated or has too many pixels",
    401: "No valid bearer token (`unauthenticated`)",
    403: "Not allowed: a read-only token, an unapproved account, or someone else's public upload",
    404: "No such upload, or one the caller may not see",
    413: "`payload_too_large`: the file is larger than `uploads.max_bytes`",
    415: "`unsupported_media_type`: not multipart/form-data, or the bytes are no image of an allowed type",
}


@dataclass
class _MultipartUploadOperation(Operation):
    """The OpenAPI operation of the upload, whose body the handler reads itself (no `data`)."""

    def __post_init__(self) -> None:
        form = Schema(
            type=OpenAPIType.OBJECT,
            required=["file"],
            properties={
                "file": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY, description="The image."),
                "alt_text": Schema(type=OpenAPIType.STRING, max_length=16383, description="A description of the image."),
                "is_public": Schema(type=OpenAPIType.BOOLEAN, default=False, description="Readable by anyone, without a token."),
            },
        )
        self.request_body = RequestBody(content={"multipart/form-data": OpenAPIMediaType(schema=form)}, required=True)


def _problems(*statuses: int) -> dict[int, ResponseSpec]:
    return {status: ResponseSpec(data_container=Problem, description=_PROBLEMS[status]) for status in statuses}


def content_url(upload_id: int) -> str:
    return f"/api/v1/uploads/{upload_id}/content"


def _upload(row: dict[str, Any]) -> Upload:
    return msgspec.convert({**row, "url": content_url(row["id"])}, Upload)


async def provide_viewer(request: Request, services: Services) -> CurrentUser | None:
    """The signed-in user, or None when no Authorization header is sent (public uploads).

    A header that is sent must be valid: a bad token is 401, as everywhere else.
    """
    if "authorization" not in request.headers:
        return None
    return await provide_user(request, services)


def _may_read(row: dict[str, Any], viewer: CurrentUser | None) -> bool:
    return row["is_public"] or (viewer is not None and (viewer.id == row["user_id"] or viewer.is_admin))


def _check_may_change(row: dict[str, Any] | None, user: CurrentUser) -> dict[str, Any]:
    if row is None or not _may_read(row, user):
        raise NotFound()
    if row["user_id"] != user.id and not user.is_admin:
        raise Forbidden("forbidden", "Only the owner of an upload (or an administrator) may change it.")
    return row


def display_filename(client_filename: str | None, fallback: str) -> str:
    """The client's name for the file, for display only: no folders, no control characters."""
    name = re.split(r"[/\\]", client_filename or "")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) != "Cc" and ch not in _BIDI_CONTROLS)
    if name in ("", ".", ".."):
        return fallback
    return name[:255]


def content_disposition(filename: str) -> str:
    """`inline` with an ASCII fallback name and the exact name in RFC 5987 form (RFC 6266)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    ascii_name = "".join(ch for ch in ascii_name if ch.isprintable() and ch not in '"\\').strip() or "upload"
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _etag(row: dict[str, Any]) -> str:
    # uploads never change their bytes, and every stored name is new
    return '"' + row["filename"].split(".", 1)[0] + '"'


def _matches(if_none_match: str, etag: str) -> bool:
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


def _form_value(fields: dict[str, str], name: str, kind: Any, default: Any) -> Any:
    if name not in fields:
        return default
    try:
        # strict=False: a form sends every value as text ("true", "false")
        return msgspec.convert(fields[name], kind, strict=False)
    except msgspec.ValidationError as exc:
        raise validation_error(name, str(exc)) from None


async def _stream(file: anyio.AsyncFile[bytes]) -> AsyncIterator[bytes]:
    async with file:
        while chunk := await file.read(CHUNK_BYTES):
            yield chunk


class UploadsController(Controller):
    path = "/api/v1/uploads"
    tags = ["uploads"]
    dependencies = {"viewer": Provide(provide_viewer)}

    @post(
        "/",
        summary="Upload an image",
        description=(
            "multipart/form-data with a `file` part and optional `alt_text` (text) and `is_public` "
            "(`true`/`false`, default false) parts; no other parts. The body is streamed to disk. "
            "The type is sniffed from the bytes (the part's filename and Content-Type are ignored); "
            "it must be one of the setting `uploads.allowed_types`, otherwise 415 "
            "`unsupported_media_type`. A file larger than `uploads.max_bytes` is 413 "
            "`payload_too_large` (refused from Content-Length when it already says so). An image "
            "that is damaged or truncated, has more than 50 megapixels (all frames counted) or "
            "more than 1000 frames is 400 `validation_failed`. What is stored is the image "
            "re-encoded without any metadata (EXIF, GPS, XMP, comments), turned upright by its "
            "EXIF orientation first; JPEGs at quality 90; animated GIF, WebP and PNG stay "
            "animated. `file_size` is the size of what is stored. `original_filename` is the "
            "client's name without folders or control characters, at most 255 characters."
        ),
        status_code=201,
        request_max_body_size=None,  # the file's own limit is enforced while streaming
        operation_class=_MultipartUploadOperation,
        responses=_problems(400, 401, 403, 413, 415),
    )
    async def create_upload(
        self, request: Request, user: CurrentUser, db: DB, audit: Audit, services: Services
    ) -> Upload:
        max_bytes: int = await services.settings.get("uploads.max_bytes")
        allowed = frozenset(await services.settings.get("uploads.allowed_types"))
        if (request.content_length or 0) > max_bytes + FORM_OVERHEAD_BYTES:
            raise too_large(max_bytes)
        storage = UploadStorage(services.upload_dir)
        received_path, clean_path = storage.temp_path(), storage.temp_path()
        try:
            form = await receive_form(request, received_path, max_bytes)
            alt_text = _form_value(form.fields, "alt_text", AltText, None)
            is_public = _form_value(form.fields, "is_public", bool, False)
            if form.file_size == 0:
                raise validation_error("file", "the file is empty")
            try:
                image = await asyncio.to_thread(clean_image, received_path, clean_path, allowed)
            except ImageRejected as exc:
                if exc.unsupported:
                    raise UnsupportedMediaType("unsupported_media_type", str(exc)) from None
                raise validation_error("file", str(exc)) from None
            filename = storage.new_name(image.extension)
            await asyncio.to_thread(storage.place, clean_path, filename)
        finally:
            # plain unlinks: they must run even when the request is cancelled
            received_path.unlink(missing_ok=True)
            clean_path.unlink(missing_ok=True)

        # the file is in place before its row exists, so no row ever names a missing file
        try:
            now = utcnow()
            async with db.transaction():
                upload_id = await db.insert(
                    "uploads.insert",
                    user_id=user.id,
                    filename=filename,
                    original_filename=display_filename(form.client_filename, filename),
                    mime_type=image.mime_type,
                    file_size=image.size,
                    alt_text=alt_text,
                    is_public=is_public,
                    created_at=now,
                    updated_at=now,
                )
                await audit.record(
                    "upload.create",
                    "upload",
                    upload_id,
                    {"filename": filename, "mime_type": image.mime_type, "file_size": image.size, "is_public": is_public},
                )
                row = await db.fetch_one("uploads.get", id=upload_id)
        except BaseException:
            storage.path(filename).unlink(missing_ok=True)
            raise
        return _upload(row)

    @get(
        "/",
        summary="List uploads",
        description=(
            "The caller's uploads, ordered by id, paginated. Administrators may pass `user_id` to list "
            "another user's; anyone else passing another user's id gets 403."
        ),
        responses=_problems(401, 403),
    )
    async def list_uploads(
        self,
        user: CurrentUser,
        db: DB,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
        user_id: Annotated[OptionalId, Parameter(description="Whose uploads (administrators only).")] = None,
    ) -> UploadPage:
        owner = user.id if user_id is None else user_id
        if owner != user.id and not user.is_admin:
            raise Forbidden("forbidden", "Only administrators may list another user's uploads.")
        rows = await db.fetch_all(
            "uploads.list_for_user", user_id=owner, after=decode_cursor(cursor) or 0, limit=limit + 1
        )
        items, next_cursor = page(rows, limit)
        return UploadPage([_upload(row) for row in items], next_cursor)

    @get(
        "/{upload_id:int}",
        summary="Read an upload's metadata",
        description=(
            "A public upload: anyone, without a token. A private one: its owner or an administrator; "
            "for anyone else it does not exist (404)."
        ),
        responses=_problems(401, 403, 404),
    )
    async def get_upload(self, upload_id: Id, viewer: CurrentUser | None, db: DB) -> Upload:
        row = await db.fetch_one("uploads.get", id=upload_id)
        if row is None or not _may_read(row, viewer):
            raise NotFound()
        return _upload(row)

    @get(
        "/{upload_id:int}/content",
        summary="Download an upload's bytes",
        description=(
            "Who may read it: as for the metadata. The stored bytes with the stored `Content-Type`, "
            "`Content-Length`, `X-Content-Type-Options: nosniff`, a strong `ETag` (uploads never "
            "change) and `Content-Disposition: inline` carrying the original filename (ASCII "
            "fallback and RFC 5987 `filename*`). A matching `If-None-Match` is 304. "
            "`Cache-Control` is `private, no-cache` for private uploads and `public, no-cache` for "
            "public ones: caches revalidate every time, so making an upload private or deleting it "
            "takes effect at once."
        ),
        responses={
            200: ResponseSpec(None, description="The image", media_type="image/*"),
            304: ResponseSpec(None, description="The client's copy (by `If-None-Match`) is current"),
            **_problems(401, 403, 404),
        },
    )
    async def get_content(
        self, request: Request, upload_id: Id, viewer: CurrentUser | None, db: DB, services: Services
    ) -> Response[Any]:
        row = await db.fetch_one("uploads.get", id=upload_id)
        if row is None or not _may_read(row, viewer):
            raise NotFound()
        headers = {
            "ETag": _etag(row),
            "Cache-Control": ("public" if row["is_public"] else "private") + ", no-cache",
            "X-Content-Type-Options": "nosniff",
        }
        if_none_match = request.headers.get("if-none-match")
        if if_none_match and _matches(if_none_match, headers["ETag"]):
            return Response(b"", status_code=304, headers=headers)
        try:
            # opened here, not when streaming starts: a DELETE racing this request cannot take
            # the bytes away once the headers promised them
            file = await anyio.open_file(UploadStorage(services.upload_dir).path(row["filename"]), "rb")
        except FileNotFoundError:
            logger.warning("upload %s has a row but no file %s", upload_id, row["filename"])
            raise NotFound() from None
        stat = await anyio.to_thread.run_sync(os.fstat, file.wrapped.fileno())
        headers["Content-Length"] = str(stat.st_size)
        headers["Content-Disposition"] = content_disposition(row["original_filename"])
        return Stream(_stream(file), media_type=row["mime_type"], headers=headers)

    @patch(
        "/{upload_id:int}",
        summary="Change an upload's alt text or visibility",
        description=(
            "The owner, or an administrator (to take down or describe an image). Only the fields "
            "sent change; `alt_text: null` clears it. Someone else's public upload is 403, a "
            "private one 404."
        ),
        responses=_problems(400, 401, 403, 404),
    )
    async def update_upload(self, upload_id: Id, data: UploadUpdate, user: CurrentUser, db: DB, audit: Audit) -> Upload:
        async with db.transaction():
            row = _check_may_change(await db.fetch_one("uploads.get_for_update", id=upload_id), user)
            changed = {name: getattr(data, name) for name in ("alt_text", "is_public") if getattr(data, name) is not msgspec.UNSET}
            merged = {"alt_text": row["alt_text"], "is_public": row["is_public"], **changed}
            await db.execute("uploads.update", id=upload_id, updated_at=utcnow(), **merged)
            await audit.record("upload.update", "upload", upload_id, {"fields": sorted(changed), "is_public": merged["is_public"]})
            row = await db.fetch_one("uploads.get", id=upload_id)
        return _upload(row)

    @delete(
        "/{upload_id:int}",
        summary="Delete an upload",
        description=(
            "The owner or an administrator. The row goes in the transaction, the file right after "
            "it commits. Someone else's public upload is 403, a private one 404."
        ),
        responses=_problems(401, 403, 404),
    )
    async def delete_upload(
        self, upload_id: Id, user: CurrentUser, db: DB, audit: Audit, services: Services
    ) -> None:
        async with db.transaction():
            row = _check_may_change(await db.fetch_one("uploads.get_for_update", id=upload_id), user)
            await db.execute("uploads.delete", id=upload_id)
            await audit.record("upload.delete", "upload", upload_id, {"user_id": row["user_id"], "filename": row["filename"]})
        # a crash before this line leaves an orphan file, which the startup sweep removes
        await asyncio.to_thread(UploadStorage(services.upload_dir).remove, [row["filename"]])
