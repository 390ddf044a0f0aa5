"""Errors of the cameras API."""

from __future__ import annotations

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
