"""Errors of the reports API (Open311 renders them in its own shape, `open311.py`)."""

from __future__ import annotations

from geo_ioc.core.errors import ApiError, Conflict
from geo_ioc.core.throttle import Throttled


class InvalidReport(ApiError):
    status = 400
    code = "invalid_report"
    default_message = "The report is not valid."


class OutsideProvince(ApiError):
    status = 400
    code = "outside_province"
    default_message = "The location is outside the province."


class InvalidPhoto(ApiError):
    status = 400
    code = "invalid_photo"
    default_message = "The photo is not a JPEG, PNG or WebP image within the limits."


class PhotoTooLarge(ApiError):
    status = 413
    code = "photo_too_large"
    default_message = "The photo is larger than allowed."


class InvalidStep(Conflict):
    code = "invalid_step"
    default_message = "The report cannot take that step from its current status."


class TooManyRequests(Throttled):
    """Over the reports' limit per address: 429 with Retry-After."""

    status = 429
    code = "too_many_requests"
    default_message = "Too many reports from this address; try again later."
