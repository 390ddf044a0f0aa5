"""Errors of the sensors API."""

from __future__ import annotations

from geo_ioc.core.errors import ApiError


class InvalidReadings(ApiError):
    code = "invalid_readings"
    default_message = 'The body must be a JSON list of readings (or {"readings": [...]}).'


class BatchTooLarge(ApiError):
    status = 413
    code = "batch_too_large"
    default_message = "Too many readings in one batch."
