"""Delivery with its worker SIGKILLed at every step: 1,000 notifications, none lost.

The mail goes to a local SMTP server (smtp_sink) whose log is the ground truth. Each of
8 phases records 125 notifications, runs a worker that is killed at one step of its
30th delivery, then a worker that finishes the batch after recovering the dead claim in
one of two ways: the same node name started again (it releases its predecessor's claims
as it starts) or another node plus the sweep (the dead worker's lease runs out).

The steps: after the claim's commit, during the SMTP send (the server kills the client
after the data, before its 250), after the server's 250 but before the sent commit, and
after the sent commit. The third is the window SMTP leaves open (see delivery.py): the
test expects exactly one second copy per kill there, and none anywhere else.
"""

import os
import re
import signal
import time
from collections import Counter
from itertools import product

import pytest
from django.db import connection, transaction

from contributions.models import Notification
from contributions.notifications import outbox
from contributions.notifications.outbox import Recipient

from .conftest import wait_until
from .smtp_sink import smtp_sink
from .test_worker_killed import _worker

pytestmark = pytest.mark.celery

STEPS = ("claimed", "sending", "accepted", "committed")
WAYS = ("restart", "lease")
PER_PHASE = 125  # 8 phases: 1,000 notifications
KILL_ON = 30  # the nth delivery of the worker dies
LEASE = 3  # NOTIFICATIONS_CLAIM_SECONDS of the workers (45 in production)
ID = re.compile(r"^notification-(\d+)@")


@pytest.fixture
def sink():
    yield from smtp_sink()


def _record(phase: int) -> list[int]:
    with transaction.atomic():  # enqueued on commit
        return outbox.outbox_record(
            event="submission.received",
            key=f"kill-test:{phase}",
            recipients=[Recipient(f"r{phase}-{n}@example.net") for n in range(PER_PHASE)],
            context={"submission_id": phase, "code": "D0370", "fields": ["billing_tips"]},
        )


def _unsent(ids) -> int:
    return Notification.objects.filter(pk__in=ids).exclude(state="sent").count()


def test_a_worker_killed_at_every_step_of_delivery_loses_nothing(
    transactional_db, sink, tmp_path, settings
):
    if not settings.REDIS_URL:
        pytest.skip("the workers share the broker: needs REDIS_URL")
    if connection.vendor != "postgresql":
        pytest.skip("the workers share the test database: needs PostgreSQL")
    handler, port = sink
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cdtsite.settings.dev",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or 'localhost'}"
            f":{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "NOTIFICATIONS_CLAIM_SECONDS": str(LEASE),
    }
    env.pop("NOTIFICATIONS_KILL_AT", None)
    settings.NOTIFICATIONS_SWEEP_AFTER = 0  # the test's own sweep stands in for beat
    step_of: dict[int, str] = {}
    report = []
    for phase, (step, way) in enumerate(product(STEPS, WAYS)):
        ids = _record(phase)
        step_of.update(dict.fromkeys(ids, step))
        node = f"killed{phase}"
        fault = {} if step == "sending" else {"NOTIFICATIONS_KILL_AT": f"{step}:{KILL_ON}"}
        killed = _worker({**env, **fault}, tmp_path / f"{node}.log", node)
        if step == "sending":
            handler.kill_at(killed.pid, KILL_ON)
        assert killed.wait(timeout=120) == -signal.SIGKILL
        died = time.monotonic()
        dead = list(
            Notification.objects.filter(
                state="pending", claimed_by__startswith=f"{node}@", claimed_until__isnull=False
            ).values_list("pk", flat=True)
        )
        assert len(dead) == (0 if step == "committed" else 1), (step, dead)

        again = node if way == "restart" else f"other{phase}"
        rescuer = _worker(env, tmp_path / f"{again}.log", again)
        try:
            if way == "lease":
                outbox.outbox_sweep()  # as beat would: a task due when the lease ends
            wait_until(lambda: _unsent(dead) == 0, timeout=90, what="the dead claim")  # noqa: B023
            redelivered = time.monotonic() - died
            wait_until(lambda: _unsent(ids) == 0, timeout=120, what="the batch")  # noqa: B023
        finally:
            rescuer.send_signal(signal.SIGTERM)
            rescuer.wait(timeout=30)
        report.append((step, way, len(dead), round(redelivered, 1) if dead else None))

    copies = Counter()
    for message_id, count in handler.counts().items():
        copies[int(ID.match(message_id).group(1))] += count
    rows = set(Notification.objects.values_list("pk", flat=True))
    lost = rows - set(copies)
    duplicates = Counter(step_of[pk] for pk, count in copies.items() if count > 1)
    print("\nstep, recovery, dead claims, seconds from the kill to its redelivery:")
    for line in report:
        print("  ", *line)
    print(f"{len(rows)} notifications, {len(lost)} lost, duplicates per step: {dict(duplicates)}")

    assert len(rows) == 8 * PER_PHASE
    assert lost == set()
    assert set(copies) == rows
    assert Notification.objects.exclude(state="sent").count() == 0
    # The one window SMTP leaves open: accepted by the server, killed before the commit.
    assert duplicates == {"accepted": len(WAYS)}
    assert max(copies.values()) == 2
