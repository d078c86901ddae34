"""Page pieces every workflow shares."""

PRIVATE_HEADERS = {
    # Tracking pages carry a secret in their URL: keep it out of Referer headers,
    # search engines and shared caches.
    "Referrer-Policy": "same-origin",  # no-referrer made browsers send Origin: null
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "private, no-store",
}


def private(response):
    """Mark a response that shows a private tracking page (or leads to one)."""
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    return response
