"""Celery tasks: thin, they take ids and call contributions.outbox / notifications."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from . import notifications, outbox

# Late acknowledgement and requeue when the worker process dies: a task killed
# mid-delivery runs again, and the outbox row's state makes the rerun harmless.
_RELIABLE = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(
    bind=True,
    name="contributions.deliver_notification",
    soft_time_limit=90,
    time_limit=120,
    **_RELIABLE,
)
def deliver_notification(self, notification_id: int) -> bool:
    """Send one outbox notification; retry delivery errors with backoff, then mark it failed.

    Like autoretry_for with retry_backoff and retry_jitter, but the policy is read
    from settings when the task runs (autoretry fixes it at import), and the last
    failure marks the row failed instead of only logging it.
    """
    try:
        return outbox.notification_deliver(notification_id=notification_id)
    except (*outbox.DELIVERY_ERRORS, OperationalError) as exc:
        # OperationalError: the database was briefly unreachable or (SQLite) locked.
        if self.request.retries >= settings.NOTIFICATIONS_MAX_RETRIES:
            outbox.notification_failed(notification_id=notification_id, error=exc)
            return False
        raise self.retry(
            exc=exc,
            countdown=outbox.retry_countdown(self.request.retries),
            max_retries=settings.NOTIFICATIONS_MAX_RETRIES,
        ) from exc
    except Exception as exc:
        # A bug (a broken template, a missing event kind): retrying will not help.
        outbox.notification_failed(notification_id=notification_id, error=exc)
        raise


@shared_task(name="contributions.sweep_outbox", soft_time_limit=100, time_limit=120, **_RELIABLE)
def sweep_outbox() -> int:
    """Every minute (beat): hand the broker what it missed while it was down."""
    return outbox.outbox_sweep()


@shared_task(
    name="contributions.send_submission_digest", soft_time_limit=240, time_limit=300, **_RELIABLE
)
def send_submission_digest() -> int:
    """Daily (beat): tell reviewers and publishers what waits for them."""
    return notifications.submission_digest_record()


@shared_task(name="contributions.warn_questions", soft_time_limit=100, time_limit=120, **_RELIABLE)
def warn_questions() -> int:
    """Every few minutes (beat): warn about questions past their target or due time."""
    return notifications.questions_warn()
