"""Sending one outbox message: claimed before the send, marked sent right after it.

A delivery is three short steps, and no transaction or row lock is open across the send:

1. **Claim.** One conditional UPDATE, committed at once: a pending row that nobody holds
   (`claimed_until` null or past) gets `claimed_by` = this worker process, `claimed_until`
   = now + NOTIFICATIONS_CLAIM_SECONDS, attempts + 1. Only one worker can win it; a
   duplicated task finds the row claimed or sent and does nothing.
2. **Send**, over a mail connection opened here. While it lasts a thread renews the lease
   every third of NOTIFICATIONS_CLAIM_SECONDS, so a slow send of a live worker keeps its
   row while a dead worker's lease runs out within NOTIFICATIONS_CLAIM_SECONDS.
3. **Mark sent**, one UPDATE committed as soon as the server has accepted the message,
   before the SMTP QUIT. The secret context values are erased in the same write.

A dead worker's claim goes out again within a minute: when a worker of the same Celery
node name starts again it releases its predecessor's claims at once (`claims_release`);
otherwise the sweep (beat, every minute) re-enqueues rows whose lease ran out and, for a
lease that ends before its next run, sends a task due at that moment.

Where a SIGKILL can land, and what follows:

- after the claim, or during the SMTP conversation (before the server's final 250): the
  server has not accepted the message; the row goes out once, after the lease.
- after the sent commit: the broker's copy of the task comes back and finds it sent.
- between the server's final 250 and the sent commit (the QUIT is after the commit, so
  this is one UPDATE's round trip): the message was accepted but the row does not say so.
  SMTP gives a client no way to ask a server whether it holds a message (RFC 1047
  describes this same window), so the row goes out once more, with the same Message-ID.
  A mail server that accepted a message must deliver it or bounce it (RFC 5321 section
  6.1); mailbox providers commonly fold two copies with one Message-ID, but nothing
  obliges them to. This is the one duplicate SMTP allows, and the retry logs it.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import socket
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from smtplib import SMTPException
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError, connections
from django.db.models import F, Q
from django.utils import timezone

from .models import Notification
from .outbox import EVENTS

logger = logging.getLogger(__name__)

# Failures worth another attempt: the mail server or the network, not our code.
DELIVERY_ERRORS = (SMTPException, OSError)
# Context values that are secrets (a tracking link holds its token): erased once sent.
SECRET_CONTEXT_KEYS = ("tracking_url",)
# This worker's incarnation: a claim carrying another one under the same node name was
# made by a process that is gone. Set at import, before a prefork pool forks.
BOOT = uuid.uuid4().hex[:8]


def claimer_name(node: str | None = None) -> str:
    """Who claims: the Celery node name (unique per live worker), this boot, this process."""
    return f"{node or socket.gethostname()} {BOOT} pid {os.getpid()}"


def notification_deliver(
    *, notification_id: int, claimer: str | None = None, retry_in: float = 0
) -> bool:
    """Send one pending notification; True when it was sent by this call.

    A delivery error (the mail server, the network) is recorded on the row, the claim
    is released with no one to take the row for `retry_in` seconds (the task's retry
    comes then), and the error is raised again.
    """
    claimer = claimer or claimer_name()
    notification = Notification.objects.filter(
        pk=notification_id, state=Notification.State.PENDING
    ).first()
    if notification is None or _held(notification):  # sent, failed, gone, or being sent
        return False
    message = _message(notification)  # a template error fails here, before any write
    if not _claim(notification, claimer):
        return False
    _checkpoint("claimed")
    connection = get_connection()
    message.connection = connection
    try:
        with _lease_kept(notification.pk, claimer):
            connection.open()
            if connection.send_messages([message]) != 1:
                raise SMTPException("The mail backend did not send the message.")
    except DELIVERY_ERRORS as exc:
        _close(connection)
        _release(notification.pk, claimer, exc, retry_in)
        raise
    _checkpoint("accepted")
    _mark_sent(notification, claimer)
    _checkpoint("committed")
    _close(connection)  # the QUIT: after the commit, outside the window above
    return True


def notification_failed(*, notification_id: int, error: BaseException) -> None:
    """pending -> failed: no more attempts; an operator may resend it from the admin."""
    Notification.objects.filter(pk=notification_id, state=Notification.State.PENDING).update(
        state=Notification.State.FAILED,
        failed_at=timezone.now(),
        last_error=_describe(error),
        claimed_until=None,
    )


def claims_release(*, node: str) -> list[int]:
    """Free the rows that earlier runs of the worker `node` claimed and never finished.

    Celery node names are unique among live workers, so a claim under this name with
    another boot is a dead process's. Returns the ids, for the caller to enqueue.
    """
    dead = (
        Notification.objects.filter(
            state=Notification.State.PENDING, claimed_by__startswith=f"{node} "
        )
        .exclude(claimed_by__startswith=f"{node} {BOOT} ")
        .exclude(claimed_until__isnull=True)
    )
    ids = list(dead.values_list("pk", flat=True))
    if ids:
        dead.filter(pk__in=ids).update(claimed_until=timezone.now())
        logger.warning("Released %s notification(s) claimed by a dead %s.", len(ids), node)
    return ids


def retry_countdown(retries: int) -> float:
    """Full-jitter exponential backoff: a random wait up to BACKOFF * 2^retries, capped."""
    ceiling = min(
        settings.NOTIFICATIONS_RETRY_BACKOFF_MAX,
        settings.NOTIFICATIONS_RETRY_BACKOFF * 2**retries,
    )
    return random.uniform(0, ceiling)  # noqa: S311 - spreading retries, not a secret


def _held(notification: Notification) -> bool:
    return notification.claimed_until is not None and notification.claimed_until > timezone.now()


def _claim(notification: Notification, claimer: str) -> bool:
    """Take the row if it is still as read (compare-and-set): one winner on any database."""
    now = timezone.now()
    won = (
        Notification.objects.filter(
            pk=notification.pk,
            state=Notification.State.PENDING,
            claimed_by=notification.claimed_by,
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .update(
            claimed_by=claimer,
            claimed_until=now + timedelta(seconds=settings.NOTIFICATIONS_CLAIM_SECONDS),
            attempts=F("attempts") + 1,
            last_attempt_at=now,
        )
    )
    if won and notification.claimed_by and notification.claimed_until is not None:
        # The last claimer died mid-delivery: if it died after the server's 250, this is
        # the second copy (same Message-ID) that SMTP cannot rule out.
        logger.warning(
            "Notification %s: the claim of %r ran out; sending again.",
            notification.pk,
            notification.claimed_by,
        )
    return bool(won)


@contextmanager
def _lease_kept(pk: int, claimer: str):
    """Renew the claim from a thread while the send lasts (it has its own DB connection)."""
    lease = settings.NOTIFICATIONS_CLAIM_SECONDS
    done = threading.Event()

    def renew():
        try:
            while not done.wait(lease / 3):
                Notification.objects.filter(
                    pk=pk, state=Notification.State.PENDING, claimed_by=claimer
                ).update(claimed_until=timezone.now() + timedelta(seconds=lease))
        except DatabaseError:  # the lease runs out; the row is sent again after it
            logger.exception("Notification %s: could not renew the claim.", pk)
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=renew, name=f"lease-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def _mark_sent(notification: Notification, claimer: str) -> None:
    """pending -> sent, right after the server's 250; retried briefly if the DB falters.

    A failure here means the message went out and the row does not say so: giving up
    at once would send it again after the lease, so try a few times first.
    """
    context = {k: v for k, v in notification.context.items() if k not in SECRET_CONTEXT_KEYS}
    for attempt in range(4):
        try:
            updated = Notification.objects.filter(
                pk=notification.pk, state=Notification.State.PENDING
            ).update(
                state=Notification.State.SENT,
                sent_at=timezone.now(),
                last_error="",
                context=context,
                claimed_until=None,
            )
            break
        except DatabaseError:
            if attempt == 3:
                raise
            connections["default"].close()
            time.sleep(2**attempt)
    if not updated:
        logger.warning(
            "Notification %s was marked sent by another claimer than %r: sent twice.",
            notification.pk,
            claimer,
        )


def _release(pk: int, claimer: str, exc: BaseException, retry_in: float) -> None:
    """A failed attempt: nobody takes the row before its retry is due."""
    Notification.objects.filter(pk=pk, state=Notification.State.PENDING, claimed_by=claimer).update(
        claimed_by="",
        claimed_until=timezone.now() + timedelta(seconds=retry_in),
        last_error=_describe(exc),
    )


def _close(connection) -> None:
    try:
        connection.close()
    except DELIVERY_ERRORS:  # a failed QUIT changes nothing about what was sent
        logger.info("The mail connection did not close cleanly.", exc_info=True)


# Fault injection for the kill test: "<step>:<n>" SIGKILLs this process at that step of
# its nth delivery. Unset in every deployment; read once, when the worker starts.
_KILL_AT = os.environ.get("NOTIFICATIONS_KILL_AT", "")
_steps: Counter[str] = Counter()


def _checkpoint(step: str) -> None:
    if not _KILL_AT:
        return
    _steps[step] += 1
    if f"{step}:{_steps[step]}" == _KILL_AT:
        os.kill(os.getpid(), signal.SIGKILL)


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
