"""Public pages and API answers from Redis, shared by every process, never stale.

Every cached answer carries the catalog's *generation*: a counter in the cache that
`catalog_changed()` raises after any write that changes what the public sees (a publish,
an import, a restore, a release, a question shown on a code page). An entry is served
only while its generation is the current one, read in the same round trip as the entry,
so a raised generation retires every older entry at once, in every process, with no list
of keys to delete. The key holds the site's local date, so an edition that takes effect
at midnight is never hidden behind yesterday's entry.

`PublicCacheMiddleware` sits above sessions, CSRF, authentication and messages, so a hit
skips all of them and the view; it answers conditional GETs (ETag, Last-Modified) with
304. Only anonymous GET/HEAD requests of the paths in PUBLIC_CACHE_PATHS are served from
the cache, and only 200 answers that set no cookie and are not private are stored. While
Redis is unreachable every request is a miss and nothing breaks.
https://docs.djangoproject.com/en/5.2/topics/cache/
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.http import http_date, parse_etags

from . import db_router

GENERATION_KEY = "public-cache:generation"
# Headers a hit does not replay from the entry: set afresh, or never shared.
_NOT_STORED = frozenset({"set-cookie", "x-cache", "etag", "last-modified", "date"})


def _generation_start() -> int | None:
    # First use, or an evicted counter: start a new one that no old entry can match.
    cache.add(GENERATION_KEY, time.time_ns(), None)
    return cache.get(GENERATION_KEY)


def catalog_changed() -> None:
    """After a public change commits: no process serves an older cached answer again.

    Also keeps public reads on the primary while read replicas catch up, so a replica
    cannot refill the cache with the text this change replaced.
    """
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no counter yet (or Redis lost it): any new value invalidates
        cache.set(GENERATION_KEY, time.time_ns(), None)
    db_router.catalog_written()


def _key(request) -> str:
    query = "&".join(sorted(request.GET.urlencode().split("&")))
    accept = request.headers.get("Accept", "") if request.path.startswith("/api/") else ""
    day = timezone.localdate().isoformat()
    raw = f"{day}|{request.path}|{query}|{accept}"
    return "public-cache:page:" + hashlib.sha256(raw.encode()).hexdigest()


def _cacheable_request(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path != "/" and not request.path.startswith(settings.PUBLIC_CACHE_PATHS):
        return False
    # Staff and anyone signed in may see more than the public, and a pending message is
    # one person's: those requests neither read nor fill the cache. (So a stored answer's
    # "Vary: Cookie" does not matter: every request that reaches the cache has neither.)
    return (
        not db_router.has_credentials(request) and CookieStorage.cookie_name not in request.COOKIES
    )


def _storable(response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def _not_modified(request, entry: dict) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match:
        return entry["etag"] in parse_etags(if_none_match) or if_none_match.strip() == "*"
    if_modified_since = request.headers.get("If-Modified-Since")
    return bool(if_modified_since) and if_modified_since == entry["last_modified"]


class PublicCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PUBLIC_CACHE_SECONDS or not _cacheable_request(request):
            return self.get_response(request)
        key = _key(request)
        # One round trip: the entry and the generation it must match.
        found = cache.get_many([GENERATION_KEY, key])
        gen = found.get(GENERATION_KEY)
        if gen is None:
            gen = _generation_start()
            if gen is None:  # the cache is unreachable: serve without it
                return self.get_response(request)
        entry = found.get(key)
        if entry is not None and entry.get("generation") == gen:
            return self._hit(request, entry)
        # The generation read before the work: a change that commits while this answer
        # is built raises it, so the entry stored below is never served.
        response = self.get_response(request)
        if _storable(response):
            self._store(key, response, gen)
        return response

    def _hit(self, request, entry: dict):
        if _not_modified(request, entry):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(entry["body"], status=200)
            for name, value in entry["headers"].items():
                response[name] = value
        response["ETag"] = entry["etag"]
        response["Last-Modified"] = entry["last_modified"]
        response["X-Cache"] = "hit"
        return response

    def _store(self, key: str, response, gen: int) -> None:
        body = response.content
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        last_modified = response.get("Last-Modified") or http_date()
        response["ETag"] = etag
        response["Last-Modified"] = last_modified
        response["X-Cache"] = "miss"
        headers = {
            name: value for name, value in response.items() if name.lower() not in _NOT_STORED
        }
        entry = {
            "generation": gen,
            "body": body,
            "headers": headers,
            "etag": etag,
            "last_modified": last_modified,
        }
        cache.set(key, entry, settings.PUBLIC_CACHE_SECONDS)
