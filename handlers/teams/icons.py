"""The app icons, drawn in code and written as PNG with the standard library."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

RGBA = tuple[int, int, int, int]
ACCENT: RGBA = (0x4F, 0x52, 0xB2, 0xFF)
WHITE: RGBA = (0xFF, 0xFF, 0xFF, 0xFF)
CLEAR: RGBA = (0, 0, 0, 0)


def png(width: int, height: int, pixel: Callable[[int, int], RGBA]) -> bytes:
    """An 8-bit RGBA PNG; every row uses filter 0, which keeps the writer (and readers) tiny."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _warning_sign(size: int) -> Callable[[float, float], str]:
    """Where a point falls in a warning triangle with an exclamation mark: in/out/mark."""

    def where(x: float, y: float) -> str:
        u, v = x / size, y / size  # 0..1
        top, bottom = 0.16, 0.84
        half = (v - top) / (bottom - top) * 0.40  # half-width of the triangle at this height
        if not (top <= v <= bottom and abs(u - 0.5) <= half):
            return "out"
        bar = abs(u - 0.5) <= 0.045 and 0.38 <= v <= 0.64
        dot = abs(u - 0.5) <= 0.045 and 0.70 <= v <= 0.78
        return "mark" if bar or dot else "in"

    return where


def color_icon(size: int = 192) -> bytes:
    """Full-colour icon: a white warning sign on the accent colour."""
    where = _warning_sign(size)
    palette = {"out": ACCENT, "in": WHITE, "mark": ACCENT}
    return png(size, size, lambda x, y: palette[where(x + 0.5, y + 0.5)])


def outline_icon(size: int = 32) -> bytes:
    """Outline icon: white on transparent, as Teams requires."""
    where = _warning_sign(size)
    palette = {"out": CLEAR, "in": WHITE, "mark": CLEAR}
    return png(size, size, lambda x, y: palette[where(x + 0.5, y + 0.5)])
