"""Errors of the cameras API."""

from __future__ import annotations

from typing import Any

from geo_ioc.core.errors import ApiError


class InvalidHeartbeats(ApiError):
    code = "invalid_heartbeats"
    default_message = 'The body must be a JSON list of heartbeats (or {"heartbeats": [...]}).'


class InvalidFrame(ApiError):
    code = "invalid_frame"
    default_message = "The body must be one JPEG image (Content-Type: image/jpeg)."


class FrameTooLarge(ApiError):
    status = 413
    code = "frame_too_large"
    default_message = "The frame is larger than GEO_IOC_CAMERA_FRAME_MAX_BYTES."


class FramesUnavailable(ApiError):
    status = 503
    code = "frames_unavailable"
    default_message = "Frame uploads need GEO_IOC_CAMERA_FRAMES_REDIS (or REDIS_URL)."


class InvalidAnpr(ApiError):
    code = "invalid_anpr"
    default_message = 'The body must be a JSON list of plate reads (or {"events": [...]}).'


class InvalidRegistryFile(ApiError):
    code = "invalid_registry_file"
    default_message = "The body must be a camera registry as CSV (UTF-8) or GeoPackage."


class RegistryRowsRefused(ApiError):
    """Some rows of an import are wrong: nothing was written; the report says which and why."""

    status = 422
    code = "registry_rows_refused"
    default_message = "Some rows are not valid; nothing was imported."

    def __init__(self, report: dict[str, Any]) -> None:
        super().__init__(f"{report['error']} row(s) are not valid; nothing was imported.")
        self.report = report

    def as_dict(self) -> dict[str, Any]:
        """The error with the per-row report."""
        return {**super().as_dict(), "report": self.report}
