"""Errors of the search API."""

from __future__ import annotations

from geo_ioc.core.errors import InvalidParameter


class InvalidQuery(InvalidParameter):
    code = "invalid_query"
    default_message = "The search text is not valid."
