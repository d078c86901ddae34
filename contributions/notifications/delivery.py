"""Sending one outbox message: at most once per row, retried with backoff on failure."""

from __future__ import annotations

import random
from smtplib import SMTPException
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from .models import Notification
from .outbox import EVENTS

# Failures worth another attempt: the mail server or the network, not our code.
DELIVERY_ERRORS = (SMTPException, OSError)
# Context values that are secrets (a tracking link holds its token): erased once sent.
SECRET_CONTEXT_KEYS = ("tracking_url",)


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
