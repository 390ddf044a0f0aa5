"""Errors of the wall API and of the wall messages on the live WebSocket."""

from __future__ import annotations

from geo_ioc.core.errors import ApiError, NotFound


class UnknownWall(NotFound):
    code = "unknown_wall"
    default_message = "There is no such wall."


class UnknownScreen(NotFound):
    code = "unknown_screen"
    default_message = "The wall has no such screen."


class InvalidWallMessage(ApiError):
    code = "invalid_wall_message"
    default_message = "The wall message is not valid."
