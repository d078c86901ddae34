"""Request guards and response headers every answer gets."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404

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


def nul_in_query(request) -> str | None:
    """The name of a query parameter holding a NUL, or None."""
    if "%00" not in request.META.get("QUERY_STRING", ""):
        return None
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in v for v in values):
            return name.replace("\x00", "") or "query"
    return None


class InputGuardMiddleware:
    """A NUL in a page's path is a 404 (no page has one) and in an admin list's query a
    400 naming the parameter: never a database error. The API's views and the public
    pages answer a malformed value in their own words (a property test keeps them from
    a 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api(request):
            if "\x00" in request.path_info:
                raise Http404("No page has a null character in its address.")
            if request.path_info.startswith("/admin/"):
                field = nul_in_query(request)
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
