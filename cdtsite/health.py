"""/healthz (the process serves) and /readyz (its database and broker answer).

Both answer JSON naming each check and its state, never cached. /healthz touches
no other service, so a database outage does not get healthy processes restarted.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _answer(checks: dict[str, str]) -> JsonResponse:
    ok = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503
    )


def check_database() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure is "not ready"; its kind is enough to say
        logger.warning("readyz: database: %s", exc)
        return f"error: {type(exc).__name__}"
    return "ok"


def check_broker() -> str:
    """Redis when REDIS_URL is set; the embedded broker's database otherwise."""
    try:
        if settings.REDIS_URL:
            import redis

            client = redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
            )
            try:
                client.ping()
            finally:
                client.close()
        else:
            from cdtsite.celery import app

            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        logger.warning("readyz: broker: %s", exc)
        return f"error: {type(exc).__name__}"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    return _answer({"process": "ok"})


@never_cache
@require_GET
def readyz(request):
    return _answer(
        {"database": check_database(), "redis" if settings.REDIS_URL else "broker": check_broker()}
    )
