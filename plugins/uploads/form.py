"""Reading a multipart/form-data upload as it arrives, the file part straight to disk.

Litestar's own form parsing reads the whole body into memory first; here python-multipart's
streaming parser sees each chunk of `request.stream()` once, the file's bytes go to a
temporary file as they come, and reading stops the moment the file passes the size limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from litestar import Request
from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header

from core.errors import PayloadTooLarge, UnsupportedMediaType, validation_error

FILE_FIELD = "file"
TEXT_FIELDS = frozenset({"alt_text", "is_public"})
# bytes of one text field: alt_text's 16,383 characters of up to 4 bytes each
MAX_TEXT_FIELD_BYTES = 16383 * 4


@dataclass
class ReceivedForm:
    has_file: bool = False
    file_size: int = 0
    client_filename: str | None = None
    fields: dict[str, str] = field(default_factory=dict)


def too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge("payload_too_large", f"The file is larger than the limit of {max_bytes} bytes.")


def _decode_header_value(raw: bytes) -> str:
    # browsers send the filename as raw UTF-8 inside the quotes (RFC 7578 §4.2)
    return raw.decode("utf-8", errors="replace")


async def receive_form(request: Request, file_path: Path, max_bytes: int) -> ReceivedForm:
    """Stream the body: the `file` part into `file_path` (created here), text fields into memory.

    Raises 413 as soon as the file passes `max_bytes`, 415 for a body that is not
    multipart/form-data and 400 for a malformed one or unknown, repeated or missing parts.
    The caller removes `file_path` whatever happens.
    """
    media_type, options = parse_options_header(request.headers.get("content-type"))
    boundary = options.get(b"boundary")
    if media_type != b"multipart/form-data" or not boundary:
        raise UnsupportedMediaType("unsupported_media_type", "Send the upload as multipart/form-data.")

    # The parser's callbacks are synchronous: they only record what they saw, and the loop
    # below acts on it (awaiting the disk writes) after each chunk.
    events: list[tuple[str, bytes]] = []
    header_name = bytearray()
    header_value = bytearray()
    headers: dict[bytes, bytes] = {}

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_name.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        headers[bytes(header_name).lower()] = bytes(header_value)
        header_name.clear()
        header_value.clear()

    def on_headers_finished() -> None:
        events.append(("part", headers.get(b"content-disposition", b"")))
        headers.clear()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        events.append(("data", data[start:end]))

    def on_end() -> None:
        events.append(("end", b""))

    callbacks: Any = {
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished,
        "on_part_data": on_part_data,
        "on_end": on_end,
    }
    try:
        parser = MultipartParser(boundary, callbacks)
    except FormParserError:  # e.g. a boundary longer than RFC 2046 allows
        raise validation_error("body", "not an acceptable multipart boundary") from None
    form = ReceivedForm()
    texts: dict[str, bytearray] = {}
    current: str | None = None
    ended = False
    async with await anyio.open_file(file_path, "xb") as file:

        async def handle_events() -> None:
            nonlocal current, ended
            file_chunks: list[bytes] = []
            for kind, payload in events:
                if kind == "part":
                    current, filename = _start_part(payload, form, texts)
                    if current == FILE_FIELD:
                        form.client_filename = filename
                elif kind == "data" and current == FILE_FIELD:
                    form.file_size += len(payload)
                    if form.file_size > max_bytes:
                        raise too_large(max_bytes)
                    file_chunks.append(payload)
                elif kind == "data" and current is not None:
                    texts[current].extend(payload)
                    if len(texts[current]) > MAX_TEXT_FIELD_BYTES:
                        raise validation_error(current, "too long")
                elif kind == "end":
                    ended = True
            events.clear()
            if file_chunks:
                await file.write(b"".join(file_chunks))

        try:
            async for chunk in request.stream():
                parser.write(chunk)
                await handle_events()
            parser.finalize()
            await handle_events()
        except FormParserError:
            raise validation_error("body", "not well-formed multipart/form-data") from None
    if not ended:
        raise validation_error("body", "the multipart body ends early")
    if not form.has_file:
        raise validation_error(FILE_FIELD, "required")
    for name, raw in texts.items():
        try:
            form.fields[name] = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise validation_error(name, "not valid UTF-8") from None
    return form


def _start_part(content_disposition: bytes, form: ReceivedForm, texts: dict[str, bytearray]) -> tuple[str, str | None]:
    """Check a part's name (known, not repeated) and return it with the file's name, if any."""
    disposition, options = parse_options_header(content_disposition)
    raw_name = options.get(b"name")
    if disposition != b"form-data" or raw_name is None:
        raise validation_error("body", "every part needs Content-Disposition: form-data with a name")
    name = _decode_header_value(raw_name)
    if name == FILE_FIELD:
        if form.has_file:
            raise validation_error(name, "sent twice")
        form.has_file = True
        raw_filename = options.get(b"filename")
        return name, None if raw_filename is None else _decode_header_value(raw_filename)
    if name not in TEXT_FIELDS:
        raise validation_error(name, "unknown field")
    if name in texts:
        raise validation_error(name, "sent twice")
    texts[name] = bytearray()
    return name, None
