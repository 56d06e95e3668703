"""What an image file is, read from its first bytes, and what stops a post's images.

One header parser serves every platform: the extension may lie, and a file
that cannot be read or whose header is cut short has no known size (``None``)
rather than raising, so a check that needs the size is skipped and the
platform's own answer decides.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from publisher.platforms.base import MediaFile

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GIF_SIGNATURES = (b"GIF87a", b"GIF89a")
JPEG_START = b"\xff\xd8"


def image_type(path: Path) -> str:
    """The image's MIME type from its first bytes (the extension may lie)."""
    with open(path, "rb") as handle:
        return image_type_of(handle.read(12))


def image_type_of(head: bytes) -> str:
    """The MIME type of an image whose first (12 or more) bytes are ``head``."""
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head.startswith(JPEG_START):
        return "image/jpeg"
    if head[:6] in GIF_SIGNATURES:
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF or JPEG from its header; None when the file
    cannot be read, is another kind, or its header is cut short."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(26)
            if head.startswith(PNG_SIGNATURE) and head[12:16] == b"IHDR" and len(head) >= 24:
                return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
            if head[:6] in GIF_SIGNATURES and len(head) >= 10:
                return int.from_bytes(head[6:8], "little"), int.from_bytes(head[8:10], "little")
            if not head.startswith(JPEG_START):
                return None
            handle.seek(2)
            return _jpeg_size(handle)
    except OSError:
        return None


def _jpeg_size(handle: BinaryIO) -> tuple[int, int] | None:
    """Walk the JPEG's segments to its frame header (SOFn) and read the size there."""
    while True:
        marker = handle.read(2)
        if len(marker) < 2 or marker[0] != 0xFF:
            return None
        kind = marker[1]
        if kind in (0xD8, 0x01) or 0xD0 <= kind <= 0xD7:  # markers without a length
            continue
        length_bytes = handle.read(2)
        if len(length_bytes) < 2:
            return None
        length = int.from_bytes(length_bytes, "big")
        if 0xC0 <= kind <= 0xCF and kind not in (0xC4, 0xC8, 0xCC):  # not DHT, JPG, DAC
            frame = handle.read(5)
            if len(frame) < 5:
                return None
            return int.from_bytes(frame[3:5], "big"), int.from_bytes(frame[1:3], "big")
        if length < 2:
            return None
        handle.seek(length - 2, 1)


def gif_frames(path: Path) -> int:
    """How many images a GIF holds (its image descriptors); 0 when unreadable."""
    data = path.read_bytes()
    if data[:6] not in GIF_SIGNATURES or len(data) < 13:
        return 0
    position = 13
    if data[10] & 0x80:  # global colour table
        position += 3 * (2 << (data[10] & 7))
    frames = 0
    while position < len(data):
        block = data[position]
        if block == 0x3B:  # trailer
            break
        if block == 0x21:  # extension: label, then sub-blocks
            position += 2
        elif block == 0x2C:  # image descriptor, local colour table, LZW size, sub-blocks
            frames += 1
            if position + 10 > len(data):
                break
            flags = data[position + 9]
            position += 10 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0) + 1
        else:
            break
        while position < len(data) and data[position]:
            position += data[position] + 1
        position += 1
    return frames


def media_problems(
    platform: str,
    media: tuple[MediaFile, ...],
    *,
    max_images: int,
    max_bytes: int | None = None,
    alt_required: bool = False,
    max_alt: int | None = None,
    file_problems: Callable[[MediaFile], list[str]] | None = None,
) -> list[str]:
    """What stops a post's images: how many, how big, and their alt text.

    ``file_problems`` adds a platform's own checks of an image that is there
    (its type, its pixels), in the image's place in the list.
    """
    problems = []
    if len(media) > max_images:
        problems.append(f"{len(media)} images: {platform} takes at most {max_images}")
    for image in media:
        name = image.path.name
        if not image.path.is_file():
            problems.append(f"missing image {name}")
        elif max_bytes is not None and image.path.stat().st_size > max_bytes:
            problems.append(f"image {name} is over {platform}'s limit of {max_bytes:,} bytes")
        elif file_problems is not None:
            problems += file_problems(image)
        if alt_required and not image.alt.strip():
            problems.append(f"image {name} needs alt text")
        if max_alt is not None and len(image.alt) > max_alt:
            problems.append(f"alt text of {name} is over {max_alt} characters")
    return problems
