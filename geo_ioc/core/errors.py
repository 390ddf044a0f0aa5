"""One error hierarchy for the whole API, rendered as `{"code", "message", "field"}` JSON."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any, ClassVar, cast

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse

from geo_ioc.core.middleware import HybridMiddleware

log = logging.getLogger(__name__)


class ApiError(Exception):
    """Base of every error the API shows to a client."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    default_message: ClassVar[str] = "The request is not valid."

    def __init__(
        self, message: str | None = None, *, field: str | None = None, detail: str | None = None
    ) -> None:
        self.message = message or self.default_message
        self.field = field
        # Internal detail is logged, never sent to the client.
        self.detail = detail
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        """The JSON body the client sees."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        return body


class InvalidParameter(ApiError):
    code = "invalid_parameter"
    default_message = "A parameter is not valid."


class NotAuthenticated(ApiError):
    status = 401
    code = "not_authenticated"
    default_message = "Authentication is required for this resource."


class InvalidToken(ApiError):
    status = 401
    code = "invalid_token"
    default_message = "The API token is unknown or revoked."


class PermissionDenied(ApiError):
    status = 403
    code = "permission_denied"
    default_message = "You do not have access to this resource."


class NotFound(ApiError):
    status = 404
    code = "not_found"
    default_message = "The resource does not exist."


class MethodNotAllowed(ApiError):
    status = 405
    code = "method_not_allowed"
    default_message = "This method is not allowed here."


class Conflict(ApiError):
    status = 409
    code = "conflict"
    default_message = "The request conflicts with the current state."


class ServerError(ApiError):
    status = 500
    code = "server_error"
    default_message = "An internal error occurred; it has been logged."


def error_response(error: ApiError) -> JsonResponse:
    """Render an ApiError as JSON with its status."""
    response = JsonResponse(
        error.as_dict(), status=error.status, json_dumps_params={"ensure_ascii": False}
    )
    if isinstance(error, NotAuthenticated | InvalidToken):
        response["WWW-Authenticate"] = 'Token realm="geo-ioc"'
    wait = getattr(error, "retry_after", None)
    if wait is not None:
        response["Retry-After"] = str(wait)
    return response


class ApiErrorMiddleware(HybridMiddleware):
    """Turn ApiError (and database errors) raised by views into JSON responses.

    Django calls `process_exception` in sync and async chains alike.
    """

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        """Pass the request through (exceptions are `process_exception`'s)."""
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        """Render known errors; log database errors and answer a generic 500."""
        if isinstance(exc, ApiError):
            if exc.detail:
                log.info("%s %s: %s (%s)", request.method, request.path, exc.code, exc.detail)
            return error_response(exc)
        if isinstance(exc, DatabaseError):
            log.exception("database error on %s %s", request.method, request.path)
            return error_response(ServerError())
        return None


# Django's own refusals that come as HTML pages (or empty bodies): unmatched URLs, methods a
# `require_GET` page refuses, bad requests (a disallowed Host, a malformed body) even in DEBUG.
_JSON_STATUSES: dict[int, type[ApiError]] = {400: ApiError, 404: NotFound, 405: MethodNotAllowed}


class JsonErrorPagesMiddleware(HybridMiddleware):
    """Outermost: an HTML (or empty) 400/404/405 becomes the API's JSON, except in the admin."""

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        """Pass the request through and convert the answer."""
        if self.async_mode:
            return self.__acall__(request)
        return as_json(request, cast(HttpResponse, self.get_response(request)))

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        """The same for an async chain."""
        response = await cast("Awaitable[HttpResponse]", self.get_response(request))
        return as_json(request, response)


def as_json(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The JSON form of an HTML refusal by Django, or the response as it is."""
    kind = _JSON_STATUSES.get(response.status_code)
    if (
        kind is None
        or request.path.startswith("/admin/")
        or response.get("Content-Type", "").startswith("application/")
    ):
        return response
    if kind is MethodNotAllowed:
        allowed = response.get("Allow", "")
        converted = error_response(
            MethodNotAllowed(f"{request.method} is not allowed here; use {allowed}.")
        )
        if allowed:
            converted["Allow"] = allowed
        return converted
    if kind is NotFound:
        return json_not_found(request)
    return error_response(kind())


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: JSON like every other API error."""
    return error_response(NotFound(f"No resource at {request.path}."))


def json_server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a generic JSON error; the traceback is in the log."""
    return error_response(ServerError())


def json_bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: JSON (a disallowed Host, a malformed request)."""
    return error_response(ApiError())
