"""Request guards and response headers every answer gets."""

from __future__ import annotations

from django.conf import settings

from .errors import error_answer, is_api

# Tracking answers hold a secret in their URL: no cache may keep them, and the
# referrer stays on our own site (same-origin keeps the Origin header, which
# Django's CSRF check of the withdraw form needs; no-referrer made it "null").
PRIVATE_HEADERS = {
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "same-origin",
    "X-Robots-Tag": "noindex, nofollow",
}


NUL_MESSAGE = "Null characters are not allowed."


def nul_field(request) -> str | None:
    """Where a NUL is: "path", the query parameter's name, or None.

    The API is left to its views: they answer a malformed code or filter value with
    their own 404 or 400 naming it (and a property test keeps them from a 500).
    """
    if is_api(request):
        return None
    if "\x00" in request.path_info:
        return "path"
    if "%00" not in request.META.get("QUERY_STRING", ""):
        return None
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in v for v in values):
            return name.replace("\x00", "") or "query"
    return None


class InputGuardMiddleware:
    """A NUL in the path or the query string is a 400 naming where, never a database error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = nul_field(request)
        if field is not None:
            return error_answer(
                request, 400, f"{field}: {NUL_MESSAGE}", errors={field: [NUL_MESSAGE]}
            )
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Permissions-Policy on every answer; private headers on the tracking answers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in settings.PRIVATE_VIEWS:
            for header, value in PRIVATE_HEADERS.items():
                response[header] = value
        return response
