"""A real worker consumes from the configured broker (Redis in CI)."""

import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from cdtsite.celery import app, health

pytestmark = pytest.mark.celery


def test_a_real_worker_runs_the_health_task():
    token = uuid.uuid4().hex
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = health.delay(token).get(timeout=30)
    assert result["ok"] is True
    assert result["token"] == token


def test_broker_is_the_configured_one():
    from django.conf import settings

    expected = settings.REDIS_URL or "sqla+sqlite"
    assert app.conf.broker_url.startswith(expected)
