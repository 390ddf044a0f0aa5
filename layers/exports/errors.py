"""Errors of exports."""

from __future__ import annotations

from geo_ioc.core.errors import ApiError


class ExportBusy(ApiError):
    status = 429
    code = "too_many_exports"
    default_message = "Too many exports are running; try again in a minute."


class ExportTooLarge(ApiError):
    status = 413
    code = "export_too_large"
    default_message = "Too many features for a direct download; POST /exports to run a job."
