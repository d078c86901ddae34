"""The notification outbox: record in the transaction, deliver after the commit.

A service records an event with `outbox_record()` inside its transaction: one
`Notification` row per recipient, unique per (event_key, recipient). After the
commit each row's id goes to the `deliver_notification` task. If the broker is
down the row simply stays pending and `outbox_sweep()` (Celery beat, every
minute) hands it over again once the broker is back.

Which events exist and how they read is contributions.notifications' business;
this module only knows how to store, hand over and send one message.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from smtplib import SMTPException
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)

# Failures worth another attempt: the mail server or the network, not our code.
DELIVERY_ERRORS = (SMTPException, OSError)
# Context values that are secrets (a tracking link holds its token): erased once sent.
SECRET_CONTEXT_KEYS = ("tracking_url",)


@dataclass(frozen=True)
class Recipient:
    email: str
    user_id: int | None = None
    # Per-recipient template values, on top of the event's shared ones.
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EventKind:
    """How one kind of event reads: `templates/emails/<template>.txt` and `.html`."""

    name: str
    template: str
    subject: str  # str.format() with the context

    def render(self, context: dict[str, Any]) -> tuple[str, str, str]:
        subject = " ".join(self.subject.format(**context).split())
        text = render_to_string(f"emails/{self.template}.txt", context)
        html = render_to_string(f"emails/{self.template}.html", context)
        return subject, text, html


EVENTS: dict[str, EventKind] = {}


def event_register(kind: EventKind) -> EventKind:
    EVENTS[kind.name] = kind
    return kind


def outbox_record(
    *,
    event: str,
    key: str,
    recipients: Iterable[Recipient],
    context: dict[str, Any] | None = None,
    submission=None,
) -> list[int]:
    """Store one pending notification per recipient and deliver them after the commit.

    Call inside the transaction that makes the change. The same (key, recipient)
    recorded twice is stored once. Returns the ids of the pending rows.
    """
    if event not in EVENTS:
        raise ValueError(f"Unknown notification event {event!r}.")
    now = timezone.now()
    seen: set[str] = set()
    rows = []
    for recipient in recipients:
        email = recipient.email.strip().lower()
        if not email or email in seen:
            continue
        seen.add(email)
        rows.append(
            Notification(
                event=event,
                event_key=key,
                recipient=email,
                recipient_user_id=recipient.user_id,
                submission=submission,
                context={**(context or {}), **recipient.context},
                # Optimistic: cleared by _enqueue() when the broker refuses the task.
                enqueued_at=now,
            )
        )
    if not rows:
        return []
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        Notification.objects.filter(
            event_key=key, recipient__in=seen, state=Notification.State.PENDING
        ).values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: _enqueue(ids))
    return ids


def _enqueue(ids: list[int]) -> int:
    """Hand the rows to the broker; never raises. Returns how many were handed over.

    Runs after the commit, inside the request that caused the event: with the
    broker down it must fail at once, not hold the response for kombu's retries.
    """
    from .tasks import deliver_notification

    if not ids:
        return 0
    try:
        with deliver_notification.app.producer_or_acquire() as producer:
            producer.connection.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0.2, interval_max=0.2, timeout=2
            )
            for pk in ids:
                deliver_notification.apply_async(args=[pk], producer=producer, retry=False)
    except Exception:  # the broker's errors vary by transport; the sweep recovers all of them
        logger.exception("Broker unavailable: %s notification(s) left for the sweep.", len(ids))
        Notification.objects.filter(pk__in=ids, state=Notification.State.PENDING).update(
            enqueued_at=None
        )
        return 0
    return len(ids)


def outbox_sweep() -> int:
    """Enqueue again what the broker never got or what a lost task left pending.

    A row whose enqueue failed is taken after NOTIFICATIONS_SWEEP_AFTER seconds;
    one that was handed over but shows no attempt for NOTIFICATIONS_STALE_AFTER
    (longer than any retry wait) is taken as lost. A repeated delivery is harmless.
    """
    now = timezone.now()
    fresh = now - timedelta(seconds=settings.NOTIFICATIONS_SWEEP_AFTER)
    stale = now - timedelta(seconds=settings.NOTIFICATIONS_STALE_AFTER)
    due = Notification.objects.filter(state=Notification.State.PENDING, created_at__lte=fresh)
    due = due.filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=stale)).filter(
        Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lte=stale)
    )
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:5000])
    if not ids:
        return 0
    Notification.objects.filter(pk__in=ids).update(enqueued_at=now)
    return _enqueue(ids)


@transaction.atomic
def notifications_resend(*, ids: Iterable[int]) -> int:
    """Failed or pending -> pending, delivered again after the commit (the admin's action).

    Sent rows are left alone: resending them would send a message twice.
    """
    rows = Notification.objects.select_for_update().filter(
        pk__in=list(ids), state__in=[Notification.State.FAILED, Notification.State.PENDING]
    )
    chosen = list(rows.values_list("pk", flat=True))
    Notification.objects.filter(pk__in=chosen).update(
        state=Notification.State.PENDING, failed_at=None, enqueued_at=timezone.now()
    )
    transaction.on_commit(lambda: _enqueue(chosen))
    return len(chosen)


def notification_deliver(*, notification_id: int) -> bool:
    """Send one pending notification; True when it was sent by this call.

    The row stays locked while the message goes out, so a duplicated task skips
    it (skip_locked) or finds it sent. "Sent" is written before the send and
    committed right after it: a worker killed before the commit leaves the row
    pending and it goes out again, so a duplicate needs a death during the commit
    itself. A delivery error is recorded on the row (attempts, last_error) and
    raised again for a retry.
    """
    error: Exception | None = None
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, state=Notification.State.PENDING)
            .first()
        )
        if notification is None:  # sent, failed, gone, or being sent by another task
            return False
        now = timezone.now()
        notification.attempts += 1
        notification.last_attempt_at = now
        message = _message(notification)  # a template error fails here, before any write
        try:
            with transaction.atomic():
                notification.state = Notification.State.SENT
                notification.sent_at = now
                notification.last_error = ""
                notification.context = {
                    k: v for k, v in notification.context.items() if k not in SECRET_CONTEXT_KEYS
                }
                notification.save(
                    update_fields=[
                        "state",
                        "sent_at",
                        "attempts",
                        "last_attempt_at",
                        "last_error",
                        "context",
                    ]
                )
                message.send()
        except DELIVERY_ERRORS as exc:  # the savepoint is rolled back: the row is pending
            error = exc
            notification.last_error = _describe(exc)
            notification.save(update_fields=["attempts", "last_attempt_at", "last_error"])
    if error is not None:
        raise error
    return True


def notification_failed(*, notification_id: int, error: BaseException) -> None:
    """pending -> failed: no more attempts; an operator may resend it from the admin."""
    Notification.objects.filter(pk=notification_id, state=Notification.State.PENDING).update(
        state=Notification.State.FAILED, failed_at=timezone.now(), last_error=_describe(error)
    )


def retry_countdown(retries: int) -> float:
    """Full-jitter exponential backoff: a random wait up to BACKOFF * 2^retries, capped."""
    ceiling = min(
        settings.NOTIFICATIONS_RETRY_BACKOFF_MAX,
        settings.NOTIFICATIONS_RETRY_BACKOFF * 2**retries,
    )
    return random.uniform(0, ceiling)  # noqa: S311 - spreading retries, not a secret


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _message(notification: Notification) -> EmailMultiAlternatives:
    kind = EVENTS[notification.event]
    context = {**notification.context, "site_url": settings.SITE_URL}
    subject, text, html = kind.render(context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        headers={
            # Tells mail servers and autoresponders this is machine mail (RFC 3834).
            "Auto-Submitted": "auto-generated",
            "X-CDT-Notification": str(notification.pk),
            # The same id on every attempt: mailboxes fold a rare resend into one message.
            "Message-ID": f"<notification-{notification.pk}@{_mail_domain()}>",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _mail_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"
