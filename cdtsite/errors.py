"""Error answers for the whole site: JSON under /api/, a page elsewhere; and the base
of every domain error.

A database outage is a 503 with Retry-After, not a 500: the request may be sent
again once the database is back, and nothing it sent was half-written (every
write is one transaction).
"""

from __future__ import annotations

import logging
import sys

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader

logger = logging.getLogger(__name__)

# psycopg's connection errors reach Django as OperationalError or InterfaceError.
DATABASE_DOWN = (OperationalError, InterfaceError)
DATABASE_DOWN_MESSAGE = "The database is unavailable right now. Try again in a minute."
RETRY_AFTER_SECONDS = 30


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _page(request, template: str, status: int, message: str) -> HttpResponse:
    try:
        body = loader.render_to_string(template, {"message": message})
    except Exception:  # the page must not fail: a plain sentence will do
        logger.exception("Error page %s could not be rendered.", template)
        body = f"<!doctype html><title>Error</title><p>{message}</p>"
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def error_answer(
    request, status: int, message: str, template: str | None = None, errors: dict | None = None
) -> HttpResponse:
    if is_api(request):
        body = {"detail": message, **({"errors": errors} if errors else {})}
        response = JsonResponse(body, status=status)
    else:
        response = _page(request, template or "500.html", status, message)
    response["Cache-Control"] = "no-store"
    return response


def database_unavailable(request) -> HttpResponse:
    response = error_answer(request, 503, DATABASE_DOWN_MESSAGE, "503.html")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def bad_request(request, exception=None):
    """handler400: Django's SuspiciousOperation and friends, e.g. a body over the limit."""
    if isinstance(exception, RequestDataTooBig):
        return error_answer(request, 413, "The request body is too large.")
    if is_api(request):
        return error_answer(request, 400, "Bad request.")
    from django.views.defaults import bad_request as default

    return default(request, exception)


def server_error(request):
    """handler500. Called while the exception is being handled, so it can tell a
    database outage (503) from a bug (500)."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_DOWN):
        return database_unavailable(request)
    if is_api(request):
        return error_answer(request, 500, "Server error.")
    return _page(request, "500.html", 500, "")


class DatabaseUnavailableMiddleware:
    """A view that meets a database outage answers 503 (the API's views included:
    DRF hands exceptions it does not know on to here)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN):
            logger.error("Database unavailable: %s", exception)
            return database_unavailable(request)
        return None


class DomainError(Exception):
    """A refused change: a message for people and the HTTP status it means.

    Domains raise subclasses (contributions.core.errors); the API's exception handler
    (cdtsite.api) answers them in one place, so no view maps errors itself.
    """

    status_code = 409

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def extra(self) -> dict:
        """More keys for the JSON answer, beside "detail"."""
        return {}
