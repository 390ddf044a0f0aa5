"""Errors of the tile service."""

from geo_ioc.api.errors import ApiError


class InvalidTile(ApiError):
    code = "invalid_tile"
    default_message = "The tile coordinates are not valid."


class TooManyLayers(ApiError):
    code = "too_many_layers"
    default_message = "Too many layers in one composite tile."
