"""Celery tasks of the outbox: thin, they take ids and call notifications.delivery / outbox."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import OperationalError

from . import delivery, outbox

# Late acknowledgement and requeue when the worker process dies: a task killed
# mid-delivery runs again, and the outbox row's state makes the rerun harmless.
RELIABLE = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}
# Retries of one task for database errors, on top of its delivery retries.
DATABASE_RETRIES = 5
logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name=outbox.DELIVER_TASK,
    soft_time_limit=90,
    time_limit=120,
    max_retries=None,  # bounded below: delivery failures and database errors apart
    **RELIABLE,
)
def deliver_notification(self, notification_id: int, failures: int = 0) -> bool:
    """Send one outbox notification; retry delivery errors with backoff, then mark it failed.

    Like autoretry_for with retry_backoff and retry_jitter, but the policy is read
    from settings when the task runs (autoretry fixes it at import), and the last
    failure marks the row failed instead of only logging it.

    `failures` counts the mail server's refusals only: a database that is briefly
    unreachable (or, on SQLite, locked) is retried apart from them, so it never uses up
    a message's delivery attempts.
    """
    # The wait before the next attempt is chosen now: the row is held for it on failure.
    retry_in = delivery.retry_countdown(failures)
    try:
        return delivery.notification_deliver(
            notification_id=notification_id,
            claimer=delivery.claimer_name(self.request.hostname),
            retry_in=retry_in,
        )
    except delivery.DELIVERY_ERRORS as exc:
        if failures >= settings.NOTIFICATIONS_MAX_RETRIES:
            delivery.notification_failed(notification_id=notification_id, error=exc)
            return False
        raise self.retry(
            args=[notification_id], kwargs={"failures": failures + 1}, exc=exc, countdown=retry_in
        ) from exc
    except OperationalError as exc:
        if self.request.retries >= DATABASE_RETRIES + settings.NOTIFICATIONS_MAX_RETRIES:
            # The row is still pending: the sweep hands it out again (after its claim's
            # lease, if the error came after the claim).
            logger.warning(
                "Notification %s: database unavailable, left to the sweep.", notification_id
            )
            return False
        raise self.retry(
            args=[notification_id], kwargs={"failures": failures}, exc=exc, countdown=retry_in
        ) from exc
    except Exception as exc:
        # A bug (a broken template, a missing event kind): retrying will not help.
        delivery.notification_failed(notification_id=notification_id, error=exc)
        raise


@shared_task(name="contributions.sweep_outbox", soft_time_limit=100, time_limit=120, **RELIABLE)
def sweep_outbox() -> int:
    """Every minute (beat): hand the broker what it missed while it was down."""
    return outbox.outbox_sweep()


@worker_ready.connect
def release_claims_of_dead_predecessor(sender, **kwargs) -> None:
    """A worker back under its node name frees what its killed predecessor had claimed."""
    outbox.outbox_enqueue(delivery.claims_release(node=sender.hostname))
