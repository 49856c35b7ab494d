"""Turning an uploaded file into a clean image: sniff, check, decode, re-encode without metadata.

Everything here is blocking (Pillow decodes and encodes on the CPU) and runs in a worker
thread. The client's filename and content type play no part: the type is what Pillow finds
in the bytes. What is stored is a fresh encoding of the decoded pixels, so EXIF (GPS, camera,
dates), XMP, text chunks and comments of the original are gone; only the colour profile and
transparency, which are part of the picture, are carried over. The EXIF orientation is applied
to the pixels first, so a photo still stands the right way up. Animated GIF, WebP and PNG
(APNG) stay animated; every frame is re-encoded whole (GIF frames are re-quantised).
"""

from __future__ import annotations

import contextlib
import os
import struct
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

# Decoding allocates width × height × 4 bytes per frame; the header says how much before any
# pixel is decoded, so anything bigger is refused from the header alone.
MAX_PIXELS = 50_000_000
# frames are decoded into memory together when an animation is re-encoded
MAX_FRAMES = 1000

Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# Pillow only warns between MAX_IMAGE_PIXELS and twice that; the explicit check in
# `_check_size` is what refuses, this makes Pillow's own check refuse as well.
warnings.simplefilter("error", Image.DecompressionBombWarning)


@dataclass(frozen=True)
class ImageKind:
    pillow_format: str
    mime_type: str
    extension: str
    animatable: bool
    # the format's own limit on a side; a header claiming more is damaged
    max_side: int


# Pillow format → what is stored. MPO (a camera JPEG with extra pictures) is stored as a JPEG
# of its first picture.
KINDS = {
    "JPEG": ImageKind("JPEG", "image/jpeg", "jpg", False, 65_500),
    "MPO": ImageKind("JPEG", "image/jpeg", "jpg", False, 65_500),
    "PNG": ImageKind("PNG", "image/png", "png", True, 2**31 - 1),
    "GIF": ImageKind("GIF", "image/gif", "gif", True, 65_535),
    "WEBP": ImageKind("WEBP", "image/webp", "webp", True, 16_383),
}
SUPPORTED_MIME_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


class ImageRejected(Exception):
    """The file is not an acceptable image. `unsupported` separates 415 from 400."""

    def __init__(self, message: str, *, unsupported: bool = False) -> None:
        super().__init__(message)
        self.unsupported = unsupported


@dataclass(frozen=True)
class CleanImage:
    mime_type: str
    extension: str
    size: int


def clean_image(source: Path, target: Path, allowed_mime_types: frozenset[str]) -> CleanImage:
    """Check the image in `source` and write its re-encoded, metadata-free form to `target`.

    Raises ImageRejected: unsupported (415) when the bytes are no image of an allowed type,
    otherwise (400) when the image is too large in pixels, damaged or truncated. A failure to
    write (a full disk) is not the client's fault and propagates as it is.
    """
    # only the openers of the types we store ever look at the bytes
    openers = sorted({kind.pillow_format for kind in KINDS.values() if kind.mime_type in allowed_mime_types})
    with _rejecting_bad_input(allowed_mime_types):
        with Image.open(source, formats=openers) as probe:
            kind = KINDS[probe.format or ""]
            frame_count = _check_size(probe, kind)
            probe.verify()
        image = Image.open(source, formats=[kind.pillow_format])
    with image:
        with _rejecting_bad_input(allowed_mime_types):
            frames, options = _decode_animation(image, kind) if frame_count > 1 else _decode_still(image, kind)
        size = _write(target, lambda out: frames[0].save(out, format=kind.pillow_format, **options))
    return CleanImage(kind.mime_type, kind.extension, size)


@contextlib.contextmanager
def _rejecting_bad_input(allowed_mime_types: frozenset[str]) -> Iterator[None]:
    """Turn what Pillow raises while reading a file into ImageRejected."""
    try:
        yield
    except UnidentifiedImageError:
        allowed = ", ".join(sorted(allowed_mime_types)) or "none"
        raise ImageRejected(f"The file is not an image of an allowed type ({allowed}).", unsupported=True) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(f"The image has more than {MAX_PIXELS:,} pixels.") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error, zlib.error) as exc:
        # the ways Pillow's decoders say "damaged or truncated"
        raise ImageRejected("The image is damaged or truncated.") from exc


def _check_size(image: Image.Image, kind: ImageKind) -> int:
    """Refuse from the header what would be too big to decode; return the frames to keep."""
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageRejected("The image has no pixels.")
    if max(width, height) > kind.max_side:
        raise ImageRejected(f"The image is wider or taller than {kind.pillow_format} allows ({kind.max_side} pixels).")
    frame_count = getattr(image, "n_frames", 1) if kind.animatable else 1
    if frame_count > MAX_FRAMES:
        raise ImageRejected(f"The animation has more than {MAX_FRAMES} frames.")
    if width * height * frame_count > MAX_PIXELS:
        raise ImageRejected(f"The image has more than {MAX_PIXELS:,} pixels (counting every frame).")
    return frame_count


def _decode_still(image: Image.Image, kind: ImageKind) -> tuple[list[Image.Image], dict[str, Any]]:
    """Decode in place, upright, stripped of metadata; with the options that keep its look."""
    image.load()
    ImageOps.exif_transpose(image, in_place=True)
    options: dict[str, Any] = {}
    # colour profile and transparency are part of how the picture looks; keep only those
    if icc_profile := image.info.get("icc_profile"):
        options["icc_profile"] = icc_profile
    if kind.pillow_format in ("PNG", "GIF") and "transparency" in image.info:
        options["transparency"] = image.info["transparency"]
    if kind.pillow_format in ("JPEG", "WEBP"):
        options["quality"] = 90
    # savers fall back to `info` for comments, XMP and more: give them nothing to fall back to
    image.info = {}
    return [image], options


def _decode_animation(image: Image.Image, kind: ImageKind) -> tuple[list[Image.Image], dict[str, Any]]:
    loop = image.info.get("loop")
    frames: list[Image.Image] = []
    durations: list[int] = []
    for frame in ImageSequence.Iterator(image):
        durations.append(int(frame.info.get("duration") or 0))
        # Pillow hands out whole composited frames; RGBA keeps their transparency uniform
        upright = ImageOps.exif_transpose(frame).convert("RGBA")
        upright.info = {}
        frames.append(upright)
    options: dict[str, Any] = {"save_all": True, "append_images": frames[1:], "duration": durations}
    if loop is not None:
        options["loop"] = loop
    if kind.pillow_format == "WEBP":
        options["quality"] = 90
    return frames, options


def _write(target: Path, save: Any) -> int:
    """Write a new file through `save` and return its size; on disk before it is renamed into
    place, or not there at all."""
    out = open(target, "xb")
    try:
        with out:
            save(out)
            out.flush()
            os.fsync(out.fileno())
            return out.tell()
    except BaseException:
        target.unlink(missing_ok=True)
        raise
