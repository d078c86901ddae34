"""The claim taken before a send: one sender per row, a dead sender's row freed quickly."""

import threading
from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.db import connections
from django.utils import timezone

from contributions.models import Notification
from contributions.notifications import delivery, outbox

from . import backends
from .conftest import wait_settled

CONTEXT = {"submission_id": 1, "code": "D0370", "fields": ["billing_tips"]}


def _row(key: str, **values) -> Notification:
    return Notification.objects.create(
        event="submission.received",
        event_key=key,
        recipient=f"{key}@example.com",
        context=CONTEXT,
        **values,
    )


@pytest.mark.django_db
def test_a_claimed_row_is_not_sent_by_a_second_task_until_its_lease_ends(mailoutbox):
    held = _row(
        "held", claimed_by="w1@h x pid 1", claimed_until=timezone.now() + timedelta(seconds=60)
    )
    assert delivery.notification_deliver(notification_id=held.pk) is False
    assert mailoutbox == []

    Notification.objects.filter(pk=held.pk).update(claimed_until=timezone.now())
    assert delivery.notification_deliver(notification_id=held.pk, claimer="w2@h y pid 2")
    held.refresh_from_db()
    assert (held.state, held.attempts, held.claimed_by) == ("sent", 1, "w2@h y pid 2")
    assert held.claimed_until is None
    assert [m.extra_headers["Message-ID"] for m in mailoutbox] == [
        f"<notification-{held.pk}@127.0.0.1>"
    ]


@pytest.mark.django_db
def test_a_failed_attempt_frees_the_claim_and_holds_the_row_for_its_retry(settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakySMTPBackend"
    backends.failures_left = 1
    row = _row("flaky")
    before = timezone.now()
    with pytest.raises(SMTPServerDisconnected):
        delivery.notification_deliver(notification_id=row.pk, retry_in=30)
    row.refresh_from_db()
    assert (row.state, row.attempts, row.claimed_by) == ("pending", 1, "")
    assert row.claimed_until >= before + timedelta(seconds=30)
    assert "SMTPServerDisconnected" in row.last_error
    # The retry's own task is the next to send it: nothing else takes it before.
    assert delivery.notification_deliver(notification_id=row.pk) is False

    delivery.notification_failed(notification_id=row.pk, error=SMTPServerDisconnected("x"))
    row.refresh_from_db()
    assert row.state == "failed" and row.claimed_until is None


def test_two_workers_racing_over_the_same_rows_send_each_once(transactional_db, mailoutbox):
    ids = [_row(f"race{n}").pk for n in range(30)]
    start = threading.Barrier(2)

    def worker(name):
        start.wait()
        try:
            for pk in ids:
                delivery.notification_deliver(notification_id=pk, claimer=f"{name}@h b pid 1")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(m.to[0] for m in mailoutbox) == sorted(f"race{n}@example.com" for n in range(30))
    assert set(Notification.objects.values_list("state", "attempts")) == {("sent", 1)}


@pytest.mark.django_db
def test_a_worker_restarted_under_its_node_name_frees_only_its_dead_claims():
    soon = timezone.now() + timedelta(seconds=40)
    dead = _row("dead", claimed_by="w1@h 0ld0b00t pid 7", claimed_until=soon)
    mine = _row("mine", claimed_by=f"w1@h {delivery.BOOT} pid 8", claimed_until=soon)
    other = _row("other", claimed_by="w10@h 0ld0b00t pid 7", claimed_until=soon)
    retrying = _row("retrying", claimed_by="", claimed_until=soon)

    assert delivery.claims_release(node="w1@h") == [dead.pk]
    assert Notification.objects.get(pk=dead.pk).claimed_until <= timezone.now()
    for untouched in (mine, other, retrying):
        assert Notification.objects.get(pk=untouched.pk).claimed_until == soon


@pytest.mark.django_db
def test_the_sweep_takes_a_dead_claim_once_and_leaves_live_and_retrying_rows(settings):
    settings.NOTIFICATIONS_SWEEP_AFTER = 0
    now = timezone.now()
    dead = _row("dead", claimed_by="w@h b pid 1", claimed_until=now, last_attempt_at=now)
    live = _row("live", claimed_by="w@h b pid 2", claimed_until=now + timedelta(minutes=5))
    retry = _row("retry", claimed_until=now + timedelta(seconds=30), last_attempt_at=now)

    assert outbox.outbox_sweep() == 1
    assert Notification.objects.get(pk=dead.pk).enqueued_at >= now
    assert outbox.outbox_sweep() == 0  # handed over once per expired lease
    for untouched in (live, retry):
        assert Notification.objects.get(pk=untouched.pk).enqueued_at is None


@pytest.mark.celery
def test_a_dead_claim_ending_before_the_next_sweep_is_sent_when_it_ends(worker, mailoutbox):
    # Claimed by a worker that died a moment ago: its lease has two seconds to run.
    row = _row("dying", claimed_by="gone@h b pid 1", claimed_until=timezone.now())
    Notification.objects.filter(pk=row.pk).update(
        claimed_until=timezone.now() + timedelta(seconds=2)
    )
    assert outbox.outbox_sweep() == 0  # nothing due yet: a task due when the lease ends
    wait_settled()
    row.refresh_from_db()
    assert row.state == "sent" and row.attempts == 1
    assert [m.to for m in mailoutbox] == [["dying@example.com"]]
