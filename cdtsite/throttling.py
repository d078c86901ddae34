"""Throttling of anonymous writes, per client, counted atomically in Redis.

One bucket per client covers every anonymous write (the API's POSTs and the HTML
forms alike), so switching from the API to a form buys nothing. The count is one
Lua script (INCR, and EXPIRE on the first hit): 100 concurrent requests admit no
more than the limit. While Redis is unreachable each process counts on its own
(a per-process limit: never an error, never no limit) and tries Redis again after
a few seconds.

The client is REMOTE_ADDR unless `TRUSTED_PROXY_COUNT` proxies stand in front of
the site; then it is the address the outermost trusted proxy saw, taken from the
right of X-Forwarded-For. Whatever a client writes on the left of that header
changes nothing.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import threading
import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

ANON_WRITES = "anon_writes"
# After a Redis error, count locally for this long before trying Redis again, so an
# outage does not add a socket timeout to every request.
REDIS_RETRY_SECONDS = 5.0

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

# KEYS[1]: the counter; ARGV[1]: the window in seconds. Returns {count, ttl}.
_HIT_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
"""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window ends


def parse_rate(rate: str) -> tuple[int, int]:
    """'30/min' -> (30, 60). The period's first letter counts (s, m, h, d)."""
    try:
        number, period = rate.split("/", 1)
        return int(number), _PERIODS[period.strip()[0].lower()]
    except (ValueError, KeyError, IndexError):
        raise ValueError(f"Not a rate: {rate!r} (use e.g. 30/min).") from None


def anon_write_rate() -> str:
    return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][ANON_WRITES]


# --- the client's address ---------------------------------------------------------


def client_ip(request) -> str:
    """The client's address, trusting X-Forwarded-For only from TRUSTED_PROXY_COUNT proxies.

    Each trusted proxy appends the address it received from; the entry at
    -TRUSTED_PROXY_COUNT is the one our outermost proxy wrote. Empty entries (a
    trailing comma) and entries that are not addresses are ignored.
    """
    remote = _ip_or_none(request.META.get("REMOTE_ADDR", "")) or "unknown"
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [e.strip() for e in header.split(",") if e.strip()]
    if not entries:
        return remote
    candidate = entries[-min(proxies, len(entries))]
    return _ip_or_none(candidate) or remote


def _ip_or_none(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_key(request) -> str:
    """The bucket of a client: its IPv4 address, or its IPv6 /64 (one subscriber's
    network hands out a whole /64, so single addresses would be free)."""
    ip = client_ip(request)
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(address)


def axes_client_ip(request) -> str | None:
    """django-axes' AXES_CLIENT_IP_CALLABLE: the same idea of a client as the throttle
    (None when there is no address at all, e.g. a sign-in made in code)."""
    ip = client_ip(request)
    return None if ip == "unknown" else ip


# --- the counters ------------------------------------------------------------------


class _LocalCounter:
    """Fixed windows in this process's memory: the fallback while Redis is down."""

    def __init__(self):
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}

    def hit(self, key: str, period: int) -> tuple[int, int]:
        now = time.monotonic()
        with self._lock:
            if len(self._windows) > 50_000:  # forget ended windows; memory stays bounded
                self._windows = {k: v for k, v in self._windows.items() if v[0] > now}
            ends, count = self._windows.get(key, (0.0, 0))
            if ends <= now:
                ends, count = now + period, 0
            count += 1
            self._windows[key] = (ends, count)
        return count, max(1, math.ceil(ends - now))

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()


_local = _LocalCounter()
_state = {"redis_down_until": 0.0}
_script: dict[str, object] = {}


def _redis():
    """The cache's Redis client, or None when the cache is not Redis."""
    from django.core.cache import caches

    cache = caches["default"]
    if not hasattr(cache, "client"):  # not django-redis
        return None
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def _key(scope: str, ident: str) -> str:
    from django.core.cache import cache

    return cache.make_key(f"throttle:{scope}:{ident}")


def hit(scope: str, ident: str, rate: str) -> Decision:
    """Count one event for `ident` in `scope` and say whether it is within `rate`."""
    limit, period = parse_rate(rate)
    key = _key(scope, ident)
    count = ttl = None
    client = _redis() if time.monotonic() >= _state["redis_down_until"] else None
    if client is not None:
        try:
            script = _script.get("hit") or _script.setdefault(
                "hit", client.register_script(_HIT_SCRIPT)
            )
            count, ttl = (int(v) for v in script(keys=[key], args=[period], client=client))
        except Exception:  # any Redis failure: count locally, never fail the request
            logger.warning("Throttle: Redis unavailable, counting per process.", exc_info=True)
            _state["redis_down_until"] = time.monotonic() + REDIS_RETRY_SECONDS
            count = None
    if count is None:
        count, ttl = _local.hit(key, period)
    return Decision(allowed=count <= limit, count=count, limit=limit, retry_after=max(1, ttl))


def reset_local_state() -> None:
    """Forget the per-process counters and any remembered Redis outage (tests)."""
    _local.clear()
    _state["redis_down_until"] = 0.0


def _exempt(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def anon_write_allowed(request) -> Decision | None:
    """None for a request that is not counted (a signed-in user); else the decision."""
    if _exempt(request):
        return None
    return hit(ANON_WRITES, client_key(request), anon_write_rate())


# --- per recipient -----------------------------------------------------------------


def recipient_allowance(email: str) -> bool:
    """Whether one more acknowledgement or receipt may go to this address now.

    Counts per address (`THROTTLE_ACKS_PER_RECIPIENT`, default 10/hour), whatever
    client asked for it, so one inbox cannot be flooded from many addresses. The
    address is stored only as a digest.
    """
    normal = (email or "").strip().lower()
    if not normal:
        return False
    digest = hashlib.sha256(normal.encode()).hexdigest()[:32]
    rate = getattr(settings, "THROTTLE_ACKS_PER_RECIPIENT", "10/hour")
    decision = hit("recipient", digest, rate)
    if not decision.allowed:
        logger.info("Acknowledgement not sent: recipient limit %s reached.", rate)
    return decision.allowed


# --- answers -----------------------------------------------------------------------

THROTTLED_MESSAGE = "Too many requests from your address. Try again in {wait} seconds."


def throttled_response(request, retry_after: int) -> HttpResponse:
    """429 with Retry-After: JSON under /api/, a small page elsewhere."""
    message = THROTTLED_MESSAGE.format(wait=retry_after)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        html = render_to_string("429.html", {"message": message}, request=request)
        response = HttpResponse(html, status=429)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class AnonWritesThrottle(BaseThrottle):
    """DRF throttle for anonymous writes (THROTTLE_ANON_WRITES, default 30/min)."""

    scope = ANON_WRITES
    rate: str | None = None  # None: the setting

    def allow_request(self, request, view) -> bool:
        if _exempt(request):
            return True
        decision = hit(ANON_WRITES, client_key(request), self.rate or anon_write_rate())
        self._wait = decision.retry_after
        return decision.allowed

    def wait(self):
        return getattr(self, "_wait", None)


def throttle_anon_writes(view):
    """Decorator for HTML form views: a POST counts against the client's bucket."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            decision = anon_write_allowed(request)
            if decision is not None and not decision.allowed:
                return throttled_response(request, decision.retry_after)
        return view(request, *args, **kwargs)

    return wrapper


class AnonWritesThrottleMiddleware:
    """Throttles POSTs to the public HTML forms, named in THROTTLED_FORM_VIEWS
    (URL names), without touching the views. The API uses AnonWritesThrottle."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST":
            return None
        match = request.resolver_match
        if match is None or match.view_name not in settings.THROTTLED_FORM_VIEWS:
            return None
        decision = anon_write_allowed(request)
        if decision is not None and not decision.allowed:
            return throttled_response(request, decision.retry_after)
        return None
