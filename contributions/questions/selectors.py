"""Reads that more than one caller needs: the experts' list and the response-time report."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils import timezone

from .business_days import business_hours_between
from .models import Question
from .workflow import ASSIGN_Q

R = Question.ResponseStatus


def experts():
    """Active users who may answer questions (directly, through a group, or as superuser)."""
    perm = Permission.objects.filter(
        content_type__app_label="contributions", codename="answer_question"
    )
    return (
        get_user_model()
        .objects.filter(
            Q(is_superuser=True) | Q(groups__permissions__in=perm) | Q(user_permissions__in=perm),
            is_active=True,
        )
        .distinct()
        .order_by("username")
    )


def queue_counts(now: datetime | None = None) -> dict[str, int]:
    """What needs attention now, over the whole queue: overdue, at risk, unassigned."""
    waiting = Question.objects.waiting().with_response_status(now)
    counts = {R.OVERDUE.value: 0, R.AT_RISK.value: 0}
    for row in waiting.values("response_status").order_by():
        if row["response_status"] in counts:
            counts[row["response_status"]] += 1
    counts["unassigned"] = Question.objects.filter(status=Question.Status.NEW).count()
    return counts


# --- The experts' queues ------------------------------------------------------------


def questions_waiting_for(user):
    """Waiting questions assigned to `user`, soonest due first."""
    return Question.objects.waiting().filter(assigned_to=user).order_by("due_at", "id")


def questions_at_risk_for(user, now: datetime | None = None):
    """Of those, the ones past their target time (overdue ones included)."""
    return questions_waiting_for(user).filter(target_at__lt=now or timezone.now())


def questions_actionable(user):
    """Waiting questions `user` may act on, in queue order (soonest due first): an
    expert's own and the unassigned ones; every waiting one for a lead."""
    waiting = Question.objects.waiting()
    if not user.has_perm(ASSIGN_Q):
        waiting = waiting.filter(Q(status=Question.Status.NEW) | Q(assigned_to=user))
    return waiting.order_by("due_at", "id")


def question_next(*, user, after: Question) -> Question | None:
    """The question `user` should open after `after`: the next one they may act on in
    queue order, or else the first from the top. None when nothing else waits."""
    others = questions_actionable(user).exclude(pk=after.pk)
    later = Q(due_at__gt=after.due_at) | Q(due_at=after.due_at, pk__gt=after.pk)
    return others.filter(later).first() or others.first()


# --- The response-time report ----------------------------------------------------


@dataclass(frozen=True)
class _Row:
    received_at: datetime
    first_response_at: datetime | None
    answered_at: datetime | None
    due_at: datetime

    def is_due(self, now: datetime) -> bool:
        """Counts for or against the promise: answered, or its due time has passed."""
        return self.answered_at is not None or self.due_at <= now

    @property
    def within_promise(self) -> bool:
        return self.answered_at is not None and self.answered_at <= self.due_at

    @property
    def first_response_hours(self) -> float | None:
        if self.first_response_at is None:
            return None
        return business_hours_between(self.received_at, self.first_response_at)


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in the site's time zone: both dates included."""
    tz = timezone.get_default_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time(0)), tz),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time(0)), tz),
    )


def _received_in(start: date, end: date) -> list[_Row]:
    since, until = period_bounds(start, end)
    rows = (
        Question.objects.exclude(status=Question.Status.SPAM)
        .filter(received_at__gte=since, received_at__lt=until)
        .order_by("received_at", "id")
        .values_list("received_at", "first_response_at", "answered_at", "due_at")
    )
    return [_Row(*values) for values in rows]


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least `share` of values at or below.

    Always one of the measured values, so "p90 = 20 h" means a real question took 20 h.
    """
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _summary(rows: list[_Row], now: datetime) -> dict:
    hours = [h for h in (r.first_response_hours for r in rows) if h is not None]
    due = sum(1 for r in rows if r.is_due(now))
    within = sum(1 for r in rows if r.within_promise)
    return {
        "received": len(rows),
        "answered": sum(1 for r in rows if r.answered_at is not None),
        "first_responses": len(hours),
        "median_first_response_hours": _median(hours),
        "p90_first_response_hours": percentile(hours, 0.9),
        "due_in_period": due,
        "not_yet_due": len(rows) - due,
        "within_promise": within,
        "within_promise_share": within / due if due else None,
    }


def response_report(*, start: date, end: date, now: datetime | None = None) -> dict:
    """The response-time numbers for questions received from `start` to `end` (local dates).

    Spam is left out. Every number is about the questions received in the period:
    `answered` is how many of them have an answer (whenever it came); first-response
    times are business hours (business_days.business_hours_between) over those with a
    first response. A question counts for or against the promise only once it is
    answered or its due time has passed (`due_in_period`; the rest are `not_yet_due`):
    `within_promise` of those were answered by their due time, and
    `within_promise_share` is that over `due_in_period` (None when it is 0).
    `open_overdue` is the queue at `now`, whatever the period: waiting questions past
    their due time. The admin's report page and the reports API both show this.
    """
    now = now or timezone.now()
    report = _summary(_received_in(start, end), now)
    report["open_overdue"] = (
        Question.objects.waiting().with_response_status(now).filter(response_status=R.OVERDUE)
    ).count()
    report["start"], report["end"] = start, end
    return report


def weekly_response_numbers(*, start: date, end: date, now: datetime | None = None) -> list[dict]:
    """One row per ISO week that overlaps the period, oldest first, empty weeks included.

    Only questions received inside the period count, so the first and last weeks may be
    partial. Each row: `week` ("2026-W45"), `monday`, and the numbers of `_summary`.
    """
    now = now or timezone.now()
    by_week: dict[date, list[_Row]] = {}
    for row in _received_in(start, end):
        day = timezone.localtime(row.received_at, timezone.get_default_timezone()).date()
        by_week.setdefault(day - timedelta(days=day.weekday()), []).append(row)
    weeks = []
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        iso_year, iso_week, _ = monday.isocalendar()
        weeks.append(
            {
                "week": f"{iso_year}-W{iso_week:02d}",
                "monday": monday,
                **_summary(by_week.get(monday, []), now),
            }
        )
        monday += timedelta(days=7)
    return weeks
