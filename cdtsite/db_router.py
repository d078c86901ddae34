"""Public reads from PostgreSQL read replicas; staff, writes and fresh data from the primary.

With DATABASE_REPLICA_URLS set, `PublicReadsMiddleware` marks an anonymous GET or HEAD
of a public page or API answer, and `ReplicaRouter` sends that request's reads to a
replica. Everything else reads the primary: staff (a session or token), tracking pages
(the sender must see what they just sent), sessions and users, and every request for
REPLICA_LAG_SECONDS after a catalog write, so a lagging replica cannot refill a cache
with the text a publish just replaced.
https://docs.djangoproject.com/en/5.2/topics/db/multi-db/#automatic-database-routing
"""

from __future__ import annotations

import random
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache

PRIMARY = "default"
# Models whose freshest row decides what a request may do: never read from a replica.
PRIMARY_ONLY_APPS = frozenset({"auth", "sessions", "contenttypes", "authtoken", "axes", "admin"})
# Paths whose answers must show the sender's or staff's own writes at once.
PRIMARY_PATHS = (
    "/admin/",
    "/track/",
    "/api/review/",
    "/api/reports/",
    "/api/submissions/track/",
    "/api/questions/track/",
    "/readyz",
)
_WRITE_WINDOW_KEY = "db:primary-until-write-seen"
_public_read: ContextVar[bool] = ContextVar("public_read", default=False)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


def catalog_written() -> None:
    """After a catalog write commits: read the primary until replicas have caught up."""
    seconds = settings.REPLICA_LAG_SECONDS
    if replica_aliases() and seconds > 0:
        cache.set(_WRITE_WINDOW_KEY, True, seconds)


def has_credentials(request) -> bool:
    """A session or a token: staff, or someone signed in, who may see more than the public."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META


def is_public_read(request) -> bool:
    if request.method not in ("GET", "HEAD") or request.path.startswith(PRIMARY_PATHS):
        return False
    if has_credentials(request):
        return False  # their own writes must show
    return not cache.get(_WRITE_WINDOW_KEY)


class PublicReadsMiddleware:
    """Marks the request whose reads may go to a replica (only when replicas exist)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        token = _public_read.set(is_public_read(request))
        try:
            return self.get_response(request)
        finally:
            _public_read.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label in PRIMARY_ONLY_APPS or not _public_read.get():
            return PRIMARY
        replicas = replica_aliases()
        return random.choice(replicas) if replicas else PRIMARY  # noqa: S311 - load spreading

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # replicas hold the same data as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY
