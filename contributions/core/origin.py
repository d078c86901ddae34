"""Cross-site forgery protection for forms on pages that stay cacheable for everyone.

A page with a CSRF token cannot be shared by a cache, so the code page's question
form is checked by the browser's own word on where the request came from:
`Sec-Fetch-Site` (sent by current browsers) or, failing that, `Origin`.
https://developer.mozilla.org/docs/Web/HTTP/Headers/Sec-Fetch-Site
"""

from functools import wraps
from urllib.parse import urlsplit

from django.http import HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt


def is_same_origin(request) -> bool:
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    if origin is not None:
        if origin == "null":
            return False
        parts = urlsplit(origin)
        return parts.netloc.lower() == request.get_host().lower() and parts.scheme == request.scheme
    # Browsers send Origin on every cross-site POST; without either header the
    # request did not come from a page in a browser, so it cannot be a forgery.
    return True


def same_origin_post(view):
    """For POST, refuse a request that a browser says came from another site."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and not is_same_origin(request):
            return HttpResponseForbidden("This form must be sent from this site.")
        return view(request, *args, **kwargs)

    return wrapper
