"""Errors of the socio-economic API."""

from __future__ import annotations

from geo_ioc.core.errors import ApiError, NotFound


class UnknownIndicator(NotFound):
    code = "unknown_indicator"
    default_message = "No such indicator."


class UnknownUnit(NotFound):
    code = "unknown_unit"
    default_message = "No such administrative unit."


class InvalidPeriod(ApiError):
    code = "invalid_period"
    default_message = "The period is not valid."


class NotYourIndicator(ApiError):
    status = 403
    code = "not_your_indicator"
    default_message = "Your agency does not report this indicator."
