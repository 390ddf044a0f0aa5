"""Errors of the sensors API."""

from __future__ import annotations

from geo_ioc.api.errors import ApiError


class InvalidReadings(ApiError):
    code = "invalid_readings"
    default_message = 'The body must be a JSON list of readings (or {"readings": [...]}).'
