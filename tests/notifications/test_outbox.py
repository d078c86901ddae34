"""The outbox's own rules: the sweep's choice, retry waits against the broker, the admin."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cdtsite.celery import app
from contributions.models import Notification
from contributions.notifications import delivery, outbox

pytestmark = pytest.mark.django_db


def test_the_redis_visibility_timeout_outlasts_every_wait_the_project_uses(settings):
    if not settings.REDIS_URL:
        pytest.skip("the visibility timeout is a Redis transport option (REDIS_URL is not set)")
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    app.loader.import_default_modules()
    ours = [t for name, t in app.tasks.items() if not name.startswith("celery.")]
    longest = max(
        settings.NOTIFICATIONS_RETRY_BACKOFF_MAX,  # the longest retry countdown
        settings.NOTIFICATIONS_STALE_AFTER,
        settings.CELERY_TASK_TIME_LIMIT,
        *(t.time_limit or 0 for t in ours),
    )
    assert visibility > longest
    # Full jitter never waits past the cap, however many retries.
    assert max(delivery.retry_countdown(n) for n in range(30)) <= (
        settings.NOTIFICATIONS_RETRY_BACKOFF_MAX
    )


def test_tasks_acknowledge_late_and_requeue_when_their_worker_dies():
    from contributions.notifications.tasks import deliver_notification, sweep_outbox
    from contributions.suggestions.tasks import send_submission_digest

    for task in (deliver_notification, sweep_outbox, send_submission_digest):
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True
        assert task.time_limit
    assert app.conf.worker_prefetch_multiplier == 1


def test_beat_runs_the_sweep_every_minute_and_the_digest_daily(settings):
    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert schedule["contributions.sweep_outbox"] == 60.0
    digest = schedule["contributions.send_submission_digest"]
    assert digest.hour == {7} and digest.minute == {0}


def _row(key: str, **values) -> Notification:
    row = Notification.objects.create(
        event="submission.received", event_key=key, recipient=f"{key}@example.com", **values
    )
    created = values.pop("created_at", None)
    if created:
        Notification.objects.filter(pk=row.pk).update(created_at=created)
    return row


def test_the_sweep_takes_what_the_broker_missed_and_what_was_lost_only():
    now = timezone.now()
    minute_ago = now - timedelta(minutes=1)
    long_ago = now - timedelta(hours=1)
    _row("missed", enqueued_at=None, created_at=minute_ago)
    too_fresh = _row("fresh", enqueued_at=None)
    _row("lost", enqueued_at=long_ago, created_at=long_ago)
    queued = _row("queued", enqueued_at=now - timedelta(seconds=30), created_at=minute_ago)
    retrying = _row("retrying", enqueued_at=long_ago, last_attempt_at=now, created_at=long_ago)
    _row("sent", state="sent", sent_at=now, enqueued_at=None, created_at=long_ago)
    _row("failed", state="failed", enqueued_at=None, created_at=long_ago)

    assert outbox.outbox_sweep() == 2  # handed to the real broker
    handed = Notification.objects.filter(enqueued_at__gte=now).values_list("event_key", flat=True)
    assert sorted(handed) == ["lost", "missed"]
    for untouched in (too_fresh, queued, retrying):
        assert Notification.objects.get(pk=untouched.pk).enqueued_at == untouched.enqueued_at


def test_resend_takes_failed_and_pending_rows_never_sent_ones(admin_client):
    failed = _row("failed", state="failed", failed_at=timezone.now(), last_error="SMTPError: x")
    sent = _row("sent", state="sent", sent_at=timezone.now())
    response = admin_client.post(
        "/admin/contributions/notification/",
        {"action": "resend", "_selected_action": [failed.pk, sent.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 notification(s) queued again." in response.content.decode()
    assert "1 already sent" in response.content.decode()
    failed.refresh_from_db()
    assert failed.state == Notification.State.PENDING and failed.failed_at is None
    assert Notification.objects.get(pk=sent.pk).state == Notification.State.SENT


def test_the_outbox_list_shows_state_attempts_and_the_error(admin_client):
    _row("broken", state="failed", attempts=9, last_error="SMTPServerDisconnected: gone")
    response = admin_client.get("/admin/contributions/notification/?state__exact=failed")
    body = response.content.decode()
    assert response.status_code == 200
    assert "SMTPServerDisconnected: gone" in body
    assert "broken@example.com" in body


def test_reviewers_cannot_resend(client, reviewer):
    from django.contrib.auth.models import Permission

    reviewer.user_permissions.add(Permission.objects.get(codename="view_notification"))
    client.force_login(reviewer)
    response = client.get("/admin/contributions/notification/")
    assert response.status_code == 200
    assert 'value="resend"' not in response.content.decode()
