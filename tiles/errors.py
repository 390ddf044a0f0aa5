"""Errors of the tile service."""

from geo_ioc.core.errors import ApiError, NotFound


class InvalidTile(ApiError):
    code = "invalid_tile"
    default_message = "The tile coordinates are not valid."


class TooManyLayers(ApiError):
    code = "too_many_layers"
    default_message = "Too many layers in one composite tile."


class UnknownStyle(NotFound):
    code = "unknown_style"
    default_message = "There is no style of that name."


class UnknownFont(NotFound):
    code = "unknown_font"
    default_message = "None of the fonts asked for is served."


class UnknownGlyphRange(NotFound):
    code = "unknown_glyph_range"
    default_message = "Glyph ranges are blocks of 256 code points, such as 0-255."
