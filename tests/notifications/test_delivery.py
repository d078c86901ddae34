"""Delivery by a real Celery worker on the configured broker (Redis in CI), no eager mode."""

import time

import pytest

from cdtsite.celery import app, health
from contributions.models import Notification
from contributions.notifications import outbox
from contributions.notifications.tasks import deliver_notification, sweep_outbox
from contributions.suggestions.services import submission_reject, submission_verify
from contributions.suggestions.tasks import send_submission_digest

from . import backends
from .conftest import sent_to, wait_settled, wait_until

pytestmark = pytest.mark.celery

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


def drain_queue():
    """Returns once the worker has run every task queued before this call.

    One solo worker takes tasks in order, so a marker task's result means the
    tasks ahead of it are done.
    """
    assert health.delay("marker").get(timeout=60)["ok"]


def post_submission(client, n: int = 0):
    return client.post(
        "/api/submissions/",
        {
            "code": "D0370",
            "changes": {"billing_tips": f"Better tip {n}"},
            "rationale": "The payer guide says so.",
            "name": f"Submitter {n}",
            "email": f"sender{n}@example.net",
        },
        content_type="application/json",
    )


def test_each_event_reaches_the_right_people_once(
    worker, client, d0370, reviewer, reviewer2, publisher, mailoutbox
):
    response = post_submission(client)
    assert response.status_code == 201
    pk = response.json()["id"]
    wait_settled()
    assert sorted(m.to[0] for m in mailoutbox) == [
        "reviewer2@example.com",
        "reviewer@example.com",
        "sender0@example.net",
    ]

    submission_verify(submission_id=pk, actor=reviewer)
    wait_settled()
    assert [m.subject for m in sent_to("publisher@example.com")] == [
        f"[CDT Codes] Suggestion #{pk} for D0370 is verified and ready to publish"
    ]

    submission_reject(submission_id=pk, actor=publisher, reason="Outside what this code covers.")
    wait_settled()
    (rejection,) = [m for m in sent_to("sender0@example.net") if "not accepted" in m.subject]
    assert "Outside what this code covers." in rejection.body

    # A duplicated task (a redelivery, a second sweep) sends nothing again.
    before = len(mailoutbox)
    for row in Notification.objects.all():
        deliver_notification.delay(row.pk)
    sweep_outbox.delay()
    drain_queue()
    assert len(mailoutbox) == before
    assert all(n.state == Notification.State.SENT for n in Notification.objects.all())
    assert Notification.objects.count() == before


@pytest.fixture
def mail_server_down(settings):
    """Every send fails until the test sets backends.failures_left = 0; two retries each."""
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakySMTPBackend"
    settings.NOTIFICATIONS_RETRY_BACKOFF = 0.1
    settings.NOTIFICATIONS_MAX_RETRIES = 2
    backends.failures_left = 1000
    yield
    backends.failures_left = 0


def _all_failed_after_three_tries(mailoutbox) -> list[Notification]:
    rows = list(Notification.objects.all())
    assert {n.state for n in rows} == {Notification.State.FAILED}
    assert {n.attempts for n in rows} == {3}  # the first try and two retries
    assert all("SMTPServerDisconnected" in n.last_error for n in rows)
    assert mailoutbox == []
    return rows


def test_a_failing_mail_server_is_retried_then_marked_failed_and_resend_delivers(
    mail_server_down, worker, submit, reviewer, mailoutbox, admin_client
):
    submit()
    wait_settled()
    rows = _all_failed_after_three_tries(mailoutbox)

    # The mail server is back; an operator resends from the admin.
    backends.failures_left = 0
    response = admin_client.post(
        "/admin/contributions/notification/",
        {"action": "resend", "_selected_action": [n.pk for n in rows]},
    )
    assert response.status_code == 302
    wait_settled()
    assert {n.state for n in Notification.objects.all()} == {Notification.State.SENT}
    assert sorted(m.to[0] for m in mailoutbox) == ["pat@example.net", "reviewer@example.com"]


@pytest.fixture
def claims_refused_by_the_database(transactional_db):
    """The database itself refuses the next `n` claims (a real error from PostgreSQL, as a
    lock timeout gives): a trigger on the outbox table, dropped afterwards."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL trigger makes the fault")

    def refuse(n: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SEQUENCE claim_faults MAXVALUE {n + 1000}")
            cursor.execute(
                f"""CREATE FUNCTION claim_fault() RETURNS trigger AS $$
                BEGIN
                  IF NEW.attempts > OLD.attempts AND nextval('claim_faults') <= {n} THEN
                    RAISE EXCEPTION 'claim refused' USING ERRCODE = 'lock_not_available';
                  END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql"""
            )
            cursor.execute(
                "CREATE TRIGGER claim_fault BEFORE UPDATE ON contributions_notification "
                "FOR EACH ROW EXECUTE FUNCTION claim_fault()"
            )

    yield refuse
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS claim_fault ON contributions_notification")
        cursor.execute("DROP FUNCTION IF EXISTS claim_fault()")
        cursor.execute("DROP SEQUENCE IF EXISTS claim_faults")


def test_database_errors_do_not_use_up_a_messages_delivery_attempts(
    claims_refused_by_the_database, mail_server_down, worker, submit, reviewer, mailoutbox
):
    claims_refused_by_the_database(4)
    submit()
    wait_settled()
    # Every row still had its three tries at the mail server; the four claims the
    # database refused were retried apart from them.
    _all_failed_after_three_tries(mailoutbox)


def test_a_transient_failure_is_retried_and_sent_once(worker, submit, reviewer, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakySMTPBackend"
    settings.NOTIFICATIONS_RETRY_BACKOFF = 0.1
    backends.failures_left = 2
    submit()
    wait_settled()
    assert {n.state for n in Notification.objects.all()} == {Notification.State.SENT}
    assert sum(n.attempts for n in Notification.objects.all()) == 4
    assert len(sent_to("reviewer@example.com")) == 1
    assert len(sent_to("pat@example.net")) == 1


@pytest.fixture
def broker_down():
    """Point the app's producer at a closed port; restore it afterwards."""
    original = app.conf.broker_url

    def switch(url):
        app.conf.broker_url = url
        # Drop the pooled producer connections to the old URL, as Celery does after a fork.
        app._pool = None
        app.amqp._producer_pool = None

    switch(CLOSED_PORT_BROKER)
    yield lambda: switch(original)
    switch(original)


def test_with_the_broker_down_requests_succeed_and_the_sweep_delivers_later(
    transactional_db, client, d0370, reviewer, broker_down, settings, mailoutbox
):
    settings.NOTIFICATIONS_SWEEP_AFTER = 0
    started = time.monotonic()
    ids = []
    for n in range(5):
        response = post_submission(client, n)
        assert response.status_code == 201
        ids.append(response.json()["id"])
    assert time.monotonic() - started < 5, "a request waited for the broker"
    assert Notification.objects.filter(state="pending", enqueued_at__isnull=True).count() == 10

    broker_down()  # the broker is back
    with start_worker_thread():
        assert sweep_outbox.delay() is not None
        wait_settled(timeout=60)
    for n in range(5):
        assert len(sent_to(f"sender{n}@example.net")) == 1
    assert len(sent_to("reviewer@example.com")) == 5
    assert len(mailoutbox) == 10


def start_worker_thread():
    from celery.contrib.testing.worker import start_worker

    return start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10)


def test_the_digest_task_sends_each_digest_once(worker, submit, reviewer, publisher, mailoutbox):
    submission = submit()
    submit(changes={"body": "New body"})
    submission_verify(submission_id=submission.pk, actor=reviewer)
    wait_settled()
    mailoutbox.clear()
    send_submission_digest.delay()
    send_submission_digest.delay()
    wait_until(lambda: Notification.objects.filter(event="digest.submissions").count() == 2)
    wait_settled()
    drain_queue()
    assert len(sent_to("reviewer@example.com")) == 1
    assert len(sent_to("publisher@example.com")) == 1


def test_the_enqueue_with_the_broker_down_fails_fast_and_leaves_the_row_for_the_sweep(
    transactional_db, submit, reviewer, broker_down
):
    started = time.monotonic()
    submission = submit()
    assert time.monotonic() - started < 2
    rows = Notification.objects.filter(submission=submission)
    assert rows.count() == 2
    assert not rows.filter(enqueued_at__isnull=False).exists()
    assert outbox.outbox_sweep() == 0  # too fresh to sweep (NOTIFICATIONS_SWEEP_AFTER)
