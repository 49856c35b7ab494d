"""Keyset pagination shared by every list: `?limit=&cursor=` → `{items, next_cursor}`.

A cursor is the opaque form of the last key seen; a query reads `limit + 1` rows after it,
so a page costs the same at row 10 as at row 1,000,000 (given an index on the key).
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, Generic, TypeVar

import msgspec
from litestar.params import Parameter

from core.errors import validation_error

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

# Give the defaults in the signature: `limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None`.
Limit = Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description=f"Items per page, 1–{MAX_LIMIT}.")]
Cursor = Annotated[str | None, Parameter(description="Opaque cursor from the previous page's `next_cursor`.")]


class Page(msgspec.Struct, Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(key: int) -> str:
    return base64.urlsafe_b64encode(f"k{key}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The key after which the page starts, or None for the first page."""
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if text.startswith("k") and text[1:].isdigit():
            key = int(text[1:])
            if key < 2**63:
                return key
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise validation_error("cursor", "not a cursor this server gave out")


def page(rows: list[Any], limit: int, key: str = "id") -> tuple[list[Any], str | None]:
    """Cut `limit + 1` fetched rows into the page and the cursor of the next one."""
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        return rows, encode_cursor(last[key] if isinstance(last, dict) else getattr(last, key))
    return rows, None
