"""Errors of the operations API."""

from __future__ import annotations

from geo_ioc.core.errors import ApiError, Conflict


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = "The incident cannot move to that status from its current one."


class InvalidIncident(ApiError):
    status = 400
    code = "invalid_incident"
    default_message = "The incident is not valid."
