"""Glyphs of the map labels: MapLibre's SDF protobuf ranges, served from files built at set-up.

scripts/build-glyphs.sh writes `{GEO_IOC_GLYPHS_DIR}/{font}/{start}-{end}.pbf` from TTFs that npm
installed, so labels render with no font server on the internet.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from tiles.errors import UnknownFont, UnknownGlyphRange

# MapLibre asks for glyphs in blocks of 256 code points of the Basic Multilingual Plane.
RANGE_SIZE = 256
LAST_CODE_POINT = 0xFFFF
PBF_TYPE = "application/x-protobuf"


@dataclass(frozen=True)
class GlyphRange:
    """A block of 256 code points, as MapLibre names it in `{range}`: `start-end`."""

    start: int

    @property
    def end(self) -> int:
        """The last code point of the block."""
        return self.start + RANGE_SIZE - 1

    @property
    def file_name(self) -> str:
        """The file the block is stored in."""
        return f"{self.start}-{self.end}.pbf"


def parse_range(start: str, end: str) -> GlyphRange:
    """Validate `start-end` before touching the disk; the message says what would be valid."""
    try:
        first, last = int(start), int(end)
    except ValueError:
        first, last = -1, -1
    if first % RANGE_SIZE or last != first + RANGE_SIZE - 1 or not 0 <= last <= LAST_CODE_POINT:
        raise UnknownGlyphRange(
            f"No glyph range {start}-{end}: ranges are N-(N+255) with N a multiple of 256 "
            f"from 0 to {LAST_CODE_POINT + 1 - RANGE_SIZE}, e.g. 7680-7935.",
            field="range",
        )
    return GlyphRange(first)


def glyphs_dir() -> Path:
    """Where the built fonts live (GEO_IOC_GLYPHS_DIR)."""
    return Path(settings.GEO_IOC_GLYPHS_DIR)


def available_fonts(root: Path | None = None) -> list[str]:
    """Names of the fonts built so far, one folder each."""
    root = root or glyphs_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def resolve_font(fontstack: str, root: Path | None = None) -> str:
    """The first font of a comma-separated stack that is served.

    Names are matched against the folders that exist, never joined into a path as given, so a
    font name cannot reach outside the glyph folder.
    """
    served = set(available_fonts(root))
    for name in (part.strip() for part in fontstack.split(",")):
        if name in served:
            return name
    listed = ", ".join(sorted(served)) or "none (run scripts/setup.sh)"
    raise UnknownFont(f"No font of {fontstack!r} is served; fonts: {listed}.", field="fontstack")


def read_glyphs(fontstack: str, glyph_range: GlyphRange, root: Path | None = None) -> bytes:
    """The protobuf of one range of the stack's first served font."""
    root = root or glyphs_dir()
    font = resolve_font(fontstack, root)
    path = root / font / glyph_range.file_name
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UnknownGlyphRange(
            f"Font {font!r} has no glyph range {glyph_range.start}-{glyph_range.end}.",
            field="range",
        ) from None
