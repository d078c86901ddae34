"""Public pages and API answers from Redis, shared by every process, never stale.

Every cached answer carries the catalog's *generation*: a counter in the cache that
`catalog_changed()` raises after any write that changes what the public sees (a publish,
an import, a restore, a release, a question shown on a code page). An entry is served
only while its generation is the current one, read in the same round trip as the entry,
so a raised generation retires every older entry at once, in every process, with no list
of keys to delete. The key holds the site's local date, so an edition that takes effect
at midnight is never hidden behind yesterday's entry.

`PublicCacheMiddleware` is the first middleware, so a hit skips every other one and the
view, and an entry holds the headers they all set; it answers conditional GETs (ETag,
Last-Modified) with 304. Only anonymous GET/HEAD requests of the paths in
PUBLIC_CACHE_PATHS are served from the cache, and only 200 answers that set no cookie
and are not private are stored. While Redis is unreachable every request is a miss and
nothing breaks.

Each process also keeps the entries it served (`_LocalCopies`, bounded in bytes) and
trusts them without asking Redis again until Redis says the generation changed: Redis's
client-side caching ("tracking") pushes that on the process's own connection while the
write that raised it runs, before the writer hears back. A lost connection, a flush or
PUBLIC_CACHE_VERIFY_SECONDS without a round trip drops or re-checks the copies.
https://docs.djangoproject.com/en/5.2/topics/cache/
https://redis.io/docs/latest/develop/reference/client-side-caching/
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import OrderedDict

import redis
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
    _local.forget()  # this process need not wait for Redis's push
    db_router.catalog_written()


class _LocalCopies:
    """This process's copies of entries of the generation Redis last confirmed.

    One RESP3 connection with CLIENT TRACKING ON reads the generation; Redis then pushes
    an invalidation on that connection when any client changes it. A hit polls the socket
    (no round trip) and serves the local copy while nothing has arrived.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._reset(None)

    def _reset(self, location) -> None:
        self._pid = os.getpid()
        self._location = location
        self._conn = None
        self._retry_at = 0.0
        self._forget()

    def forget(self) -> None:
        with self._lock:
            self._forget()

    def find(self, key: str) -> dict | None:
        """The local copy of the entry for `key`, if it is of the current generation."""
        with self._lock:
            if self._current() is None:
                return None
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def keep(self, key: str, entry: dict) -> None:
        with self._lock:
            if entry["generation"] != self._generation or key in self._entries:
                return
            self._entries[key] = entry
            self._bytes += len(entry["body"])
            while self._bytes > settings.PUBLIC_CACHE_LOCAL_BYTES and self._entries:
                _key, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted["body"])

    def _forget(self) -> None:
        self._generation = None
        self._verified_at = 0.0
        self._entries: OrderedDict[str, dict] = OrderedDict()
        self._bytes = 0

    def _connection(self):
        location = _redis_location()
        if location != self._location or os.getpid() != self._pid:
            self._close()
            self._reset(location)  # new settings, or a forked worker: start over
        if location is None or self._conn is not None or time.monotonic() < self._retry_at:
            return self._conn
        options = settings.CACHES["default"].get("OPTIONS", {})
        params = redis.connection.parse_url(location)
        connection_class = params.pop("connection_class", redis.Connection)  # rediss, unix
        conn = connection_class(
            **params,
            protocol=3,
            socket_timeout=options.get("SOCKET_TIMEOUT", 1),
            socket_connect_timeout=options.get("SOCKET_CONNECT_TIMEOUT", 1),
        )
        try:
            conn.connect()
            conn.send_command("CLIENT", "TRACKING", "ON")
            conn.read_response()
        except (redis.RedisError, OSError):
            conn.disconnect()
            self._retry_at = time.monotonic() + 1
            return None
        self._conn = conn
        return conn

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.disconnect()
        self._conn = None

    def _current(self):
        """The current generation, from this process's copy while Redis has pushed no
        change; None when it cannot be known without the ordinary round trip."""
        conn = self._connection()
        if conn is None:
            return None
        try:
            while conn.can_read():  # a push: the generation changed (or Redis was flushed)
                conn.read_response(push_request=True)
                self._forget()
            stale = time.monotonic() - self._verified_at > settings.PUBLIC_CACHE_VERIFY_SECONDS
            if self._generation is None or stale:
                conn.send_command("GET", cache.make_key(GENERATION_KEY))
                raw = conn.read_response()
                generation = None if raw is None else int(raw)
                if generation != self._generation:
                    self._forget()
                self._generation, self._verified_at = generation, time.monotonic()
        except (redis.RedisError, OSError, ValueError):
            self._close()
            self._forget()  # a push may have been lost with the connection
            return None
        return self._generation


def _redis_location() -> str | None:
    """The Redis URL of the default cache, when it is Redis (not in-memory)."""
    config = settings.CACHES["default"]
    if not config["BACKEND"].startswith("django_redis"):
        return None
    location = config["LOCATION"]
    return location[0] if isinstance(location, list | tuple) else location


_local = _LocalCopies()


def _key(request) -> str:
    query = "&".join(sorted(request.GET.urlencode().split("&")))
    accept = request.headers.get("Accept", "") if request.path.startswith("/api/") else ""
    day = timezone.localdate().isoformat()
    # Above every other middleware: the scheme keeps an http request from an entry an
    # https one stored (it is redirected), and get_host() refuses a host not allowed.
    origin = f"{request.scheme}://{request.get_host()}"
    raw = f"{day}|{origin}|{request.path}|{query}|{accept}"
    return "public-cache:page:" + hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


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
        entry = _local.find(key)
        if entry is not None:
            return self._hit(request, entry)
        # One round trip: the entry and the generation it must match.
        found = cache.get_many([GENERATION_KEY, key])
        gen = found.get(GENERATION_KEY)
        if gen is None:
            gen = _generation_start()
            if gen is None:  # the cache is unreachable: serve without it
                return self.get_response(request)
        entry = found.get(key)
        if entry is not None and entry.get("generation") == gen:
            _local.keep(key, entry)
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
        _local.keep(key, entry)
