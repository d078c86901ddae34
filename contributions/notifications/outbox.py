"""The notification outbox: record in the transaction, deliver after the commit.

A service records an event with `outbox_record()` inside its transaction: one
`Notification` row per recipient, unique per (event_key, recipient). After the
commit each row's id goes to the `contributions.deliver_notification` task, sent
by name. If the broker is down the row simply stays pending and `outbox_sweep()`
(Celery beat, every minute) hands it over again once the broker is back; the sweep
also hands over the rows of a worker that died while sending them (delivery.py).

Which events exist and who is told what is each domain's business (its own
`notifications.py`, registered in ContributionsConfig.ready()); this module only
stores and hands over messages, and knows none of the domains.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)

DELIVER_TASK = "contributions.deliver_notification"
# How often beat runs the sweep (CELERY_BEAT_SCHEDULE's "notifications-sweep").
SWEEP_EVERY = timedelta(seconds=60)


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


def events_register(*kinds: EventKind) -> None:
    """Make event kinds known to the outbox (each domain's, from AppConfig.ready())."""
    for kind in kinds:
        EVENTS[kind.name] = kind


def absolute(path: str) -> str:
    """An absolute link for a message, which has no request to build one from."""
    return f"{settings.SITE_URL}{path}"


def staff(*groups: str, exclude: Iterable[str] = ()) -> list:
    """Active members of the groups with an address, each once, minus `exclude`d addresses."""
    excluded = {e.lower() for e in exclude}
    users = (
        get_user_model()
        .objects.filter(groups__name__in=groups, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    return [u for u in users if u.email.lower() not in excluded]


def outbox_record(
    *,
    event: str,
    key: str,
    recipients: Iterable[Recipient],
    context: dict[str, Any] | None = None,
    subject=None,
) -> list[int]:
    """Store one pending notification per recipient and deliver them after the commit.

    Call inside the transaction that makes the change. The same (key, recipient)
    recorded twice is stored once. `subject` is the object the message is about.
    Returns the ids of the pending rows.
    """
    if event not in EVENTS:
        raise ValueError(f"Unknown notification event {event!r}.")
    subject_type = ContentType.objects.get_for_model(subject) if subject is not None else None
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
                subject_type=subject_type,
                subject_id=subject.pk if subject is not None else None,
                context={**(context or {}), **recipient.context},
                # Optimistic: cleared by outbox_enqueue() when the broker refuses the task.
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
    transaction.on_commit(lambda: outbox_enqueue(ids))
    return ids


def outbox_enqueue(ids: list[int], *, eta: dict[int, datetime] | None = None) -> int:
    """Hand the rows to the broker; never raises. Returns how many were handed over.

    Runs after the commit, inside the request that caused the event: with the
    broker down it must fail at once, not hold the response for kombu's retries.
    `eta` gives some rows a time before which their task does not run.
    """
    if not ids:
        return 0
    eta = eta or {}
    try:
        with current_app.producer_or_acquire() as producer:
            producer.connection.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0.2, interval_max=0.2, timeout=2
            )
            for pk in ids:
                current_app.send_task(
                    DELIVER_TASK, args=[pk], producer=producer, retry=False, eta=eta.get(pk)
                )
    except Exception:  # the broker's errors vary by transport; the sweep recovers all of them
        logger.exception("Broker unavailable: %s notification(s) left for the sweep.", len(ids))
        Notification.objects.filter(pk__in=ids, state=Notification.State.PENDING).update(
            enqueued_at=None
        )
        return 0
    return len(ids)


def outbox_sweep() -> int:
    """Enqueue again what the broker never got, what a dead worker held, what was lost.

    - A row whose enqueue failed: after NOTIFICATIONS_SWEEP_AFTER seconds.
    - A row whose sender's lease ran out (a live sender renews it): its worker died
      mid-delivery; enqueued once per expired lease. A lease that ends before the next
      sweep gets a task due when it ends, so a dead worker's row waits under a minute.
    - A free row handed over but with no attempt for NOTIFICATIONS_STALE_AFTER: its
      task was lost (the broker, or a worker that died before claiming it). In a long
      backlog this enqueues a spare task, which finds the row claimed or sent.
    A row held for its retry (claimed_until ahead, no claimer) is left to its retry.
    """
    now = timezone.now()
    fresh = now - timedelta(seconds=settings.NOTIFICATIONS_SWEEP_AFTER)
    stale = now - timedelta(seconds=settings.NOTIFICATIONS_STALE_AFTER)
    pending = Notification.objects.filter(state=Notification.State.PENDING)
    orphaned = (
        Q(claimed_until__lte=now)
        & ~Q(claimed_by="")
        & (Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=F("claimed_until")))
    )
    lost = (
        (Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        & (Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=stale))
        & (Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lte=stale))
    )
    due = pending.filter(created_at__lte=fresh).filter(orphaned | lost)
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:5000])
    if ids:
        Notification.objects.filter(pk__in=ids).update(enqueued_at=now)
    ending = dict(
        pending.exclude(claimed_by="")
        .filter(claimed_until__gt=now, claimed_until__lte=now + SWEEP_EVERY)
        .values_list("pk", "claimed_until")[:5000]
    )
    # A second after the lease: a live sender has renewed it by then, a dead one has not.
    handed = outbox_enqueue(
        [*ids, *ending], eta={pk: until + timedelta(seconds=1) for pk, until in ending.items()}
    )
    return min(handed, len(ids))


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
    transaction.on_commit(lambda: outbox_enqueue(chosen))
    return len(chosen)
