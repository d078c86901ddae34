"""Reads that more than one caller needs: the experts' list and the response-time report."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Count, F, Q
from django.db.models.functions import ExtractIsoYear, ExtractWeek
from django.utils import timezone

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


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in the site's time zone: both dates included."""
    tz = timezone.get_default_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time(0)), tz),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time(0)), tz),
    )


def _received_in(start: date, end: date):
    since, until = period_bounds(start, end)
    return (
        Question.objects.exclude(status=Question.Status.SPAM)
        .filter(received_at__gte=since, received_at__lt=until)
        .order_by()
    )


def _counts(now: datetime) -> dict:
    """The report's counts as SQL aggregates. A question counts for or against the
    promise once it is answered or its due time has passed."""
    return {
        "received": Count("pk"),
        "answered": Count("pk", filter=Q(answered_at__isnull=False)),
        "due_in_period": Count("pk", filter=Q(answered_at__isnull=False) | Q(due_at__lte=now)),
        "within_promise": Count("pk", filter=Q(answered_at__lte=F("due_at"))),
    }


_NO_COUNTS = {"received": 0, "answered": 0, "due_in_period": 0, "within_promise": 0}


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


def _summary(counts: dict, hours: list[float]) -> dict:
    """`hours`: the stored business hours to first response (Question.first_response_hours)."""
    due, within = counts["due_in_period"], counts["within_promise"]
    return {
        "received": counts["received"],
        "answered": counts["answered"],
        "first_responses": len(hours),
        "median_first_response_hours": _median(hours),
        "p90_first_response_hours": percentile(hours, 0.9),
        "due_in_period": due,
        "not_yet_due": counts["received"] - due,
        "within_promise": within,
        "within_promise_share": within / due if due else None,
    }


def _by_week(start: date, end: date, now: datetime) -> tuple[dict, dict]:
    """The period's counts and stored first-response hours, per ISO week of the site's
    time zone, keyed by (iso_year, iso_week): one grouped query and one list of hours."""
    tz = timezone.get_default_timezone()
    received = _received_in(start, end).annotate(
        iso_year=ExtractIsoYear("received_at", tzinfo=tz),
        iso_week=ExtractWeek("received_at", tzinfo=tz),
    )
    counts = {
        (row["iso_year"], row["iso_week"]): row
        for row in received.values("iso_year", "iso_week").annotate(**_counts(now))
    }
    hours: dict[tuple[int, int], list[float]] = defaultdict(list)
    for year, number, value in received.filter(first_response_hours__isnull=False).values_list(
        "iso_year", "iso_week", "first_response_hours"
    ):
        hours[year, number].append(value)
    return counts, hours


def response_numbers(
    *, start: date, end: date, now: datetime | None = None
) -> tuple[dict, list[dict]]:
    """The period's report (`response_report`) and its weekly rows
    (`weekly_response_numbers`) from one pass over the questions: the period's numbers
    are the sums of its weeks', as every question received in it falls in one week."""
    now = now or timezone.now()
    counts, hours = _by_week(start, end, now)
    totals = {name: sum(row[name] for row in counts.values()) for name in _NO_COUNTS}
    report = _summary(totals, [value for week in hours.values() for value in week])
    report["open_overdue"] = (
        Question.objects.waiting().with_response_status(now).filter(response_status=R.OVERDUE)
    ).count()
    report["start"], report["end"] = start, end
    weeks = []
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        iso_year, iso_week, _ = monday.isocalendar()
        key = (iso_year, iso_week)
        weeks.append(
            {
                "week": f"{iso_year}-W{iso_week:02d}",
                "monday": monday,
                **_summary(counts.get(key, _NO_COUNTS), hours.get(key, [])),
            }
        )
        monday += timedelta(days=7)
    return report, weeks


def response_report(*, start: date, end: date, now: datetime | None = None) -> dict:
    """The response-time numbers for questions received from `start` to `end` (local dates).

    Spam is left out. Every number is about the questions received in the period:
    `answered` is how many of them have an answer (whenever it came); first-response
    times are business hours (business_days.business_hours_between, stored with each
    first response) over those with a first response. A question counts for or against
    the promise only once it is answered or its due time has passed (`due_in_period`;
    the rest are `not_yet_due`): `within_promise` of those were answered by their due
    time, and `within_promise_share` is that over `due_in_period` (None when it is 0).
    `open_overdue` is the queue at `now`, whatever the period: waiting questions past
    their due time. The admin's report page and the reports API both show this.
    """
    return response_numbers(start=start, end=end, now=now)[0]


def weekly_response_numbers(*, start: date, end: date, now: datetime | None = None) -> list[dict]:
    """One row per ISO week that overlaps the period, oldest first, empty weeks included.

    Only questions received inside the period count, so the first and last weeks may be
    partial. Each row: `week` ("2026-W45"), `monday`, and the numbers of `_summary`.
    Weeks are those of the site's time zone, grouped in SQL.
    """
    return response_numbers(start=start, end=end, now=now)[1]
