"""The experts' queue at any size: response statuses as plain, indexable predicates.

QuestionQuerySet.with_response_status() is the one definition of a response status, as
a CASE over every row; filtering on that annotation reads the whole table. These
predicates say the same on the columns themselves, so (status, due_at) serves them.
A test holds the two definitions equal for every status.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, Q
from django.utils import timezone

from .models import Question

R = Question.ResponseStatus


def response_status_q(status: str, now: datetime | None = None) -> Q:
    """The questions whose response status is `status` at `now`."""
    now = now or timezone.now()
    waiting = Q(status__in=Question.WAITING_STATUSES, answered_at__isnull=True)
    answered = ~Q(status=Question.Status.SPAM) & Q(answered_at__isnull=False)
    predicates = {
        R.OVERDUE: waiting & Q(due_at__lt=now),
        R.AT_RISK: waiting & Q(due_at__gte=now, target_at__lt=now),
        R.ON_TRACK: waiting & Q(target_at__gte=now),
        R.MET: answered & Q(answered_at__lte=F("due_at")),
        R.BREACHED: answered & Q(answered_at__gt=F("due_at")),
    }
    return predicates[R(status)]
