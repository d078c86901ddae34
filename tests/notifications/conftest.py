import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import OperationalError

from cdtsite.celery import app
from contributions.models import Notification

# The review workflow's fixtures (the roles' fixtures are in tests/conftest.py).
from tests.suggestions.conftest import d0370, submit  # noqa: F401


@pytest.fixture
def worker(transactional_db, mailoutbox):
    """A real Celery worker in a thread, consuming from the configured broker.

    transactional_db: the worker's own connection must see committed rows. The
    locmem mail backend it sends through fills the same django.core.mail.outbox.
    """
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as w:
        yield w


def wait_until(condition, *, timeout: float = 30, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OperationalError:
            # In-memory SQLite shares its cache between threads with table locks: a
            # read while the worker thread writes is refused, not made to wait.
            pass
        time.sleep(0.05)
    raise AssertionError(f"Timed out after {timeout}s waiting for {what}.")


def wait_settled(timeout: float = 30) -> None:
    """Until no outbox row is pending (each one sent or failed)."""
    wait_until(
        lambda: not Notification.objects.filter(state=Notification.State.PENDING).exists(),
        timeout=timeout,
        what="every notification to be sent or failed",
    )


def sent_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]
