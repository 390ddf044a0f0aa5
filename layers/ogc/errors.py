"""Errors of the OGC API Features endpoints."""

from __future__ import annotations

from typing import Any

from geo_ioc.core.errors import ApiError
from layers.ogc.cql2 import CqlError


class InvalidFilter(ApiError):
    code = "invalid_filter"
    default_message = "The filter is not valid CQL2."

    def __init__(self, error: CqlError) -> None:
        self.position = error.position
        super().__init__(
            f"{error.message} at position {error.position}:\n{error.pointer()}", field="filter"
        )

    def as_dict(self) -> dict[str, Any]:
        """The usual error body plus the 1-based `position` of the problem."""
        return {**super().as_dict(), "position": self.position}


class UnsupportedFilterLang(ApiError):
    code = "invalid_filter_lang"
    default_message = "Only filter-lang=cql2-text or cql2-json is supported."


class NoTimeField(ApiError):
    code = "no_time_field"
    default_message = "This collection has no time field; datetime does not apply."
