"""Reads of the review queue that the admin's pages and actions share."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet

from . import claims
from .models import Submission
from .workflow import ACTIONS

S = Submission.Status
# How far down the queue "next" looks for a suggestion nobody else is reviewing.
LOOKAHEAD = 50


def submissions_waiting_for(user) -> QuerySet[Submission]:
    """Open suggestions waiting for `user`'s decision, in queue order (oldest first).

    The states come from the workflow's table: those its staff rows start from where
    `user` holds one of the row's permissions. Never their own suggestions, nor (with
    two reviewers required) ones they verified themselves.
    """
    statuses = {
        status
        for row in ACTIONS.rows
        if not row.by_sender and any(user.has_perm(p) for p in row.permissions)
        for status in row.sources
    }
    queryset = Submission.objects.filter(status__in=statuses).exclude(submitted_by=user)
    email = (user.email or "").strip()
    if email:
        queryset = queryset.exclude(submitter_email__iexact=email)
    if settings.CONTRIBUTIONS_REQUIRE_TWO_REVIEWERS:
        queryset = queryset.exclude(status=S.VERIFIED, verified_by=user)
    return queryset.order_by("created_at", "id")


def submissions_claimed_by(user) -> QuerySet[Submission]:
    """Open suggestions `user` has open in a review page right now (their claims)."""
    return Submission.objects.filter(
        pk__in=claims.claimed_by(user), status__in=Submission.OPEN_STATUSES
    ).order_by("created_at", "id")


def _after(submission: Submission) -> Q:
    return Q(created_at__gt=submission.created_at) | Q(
        created_at=submission.created_at, pk__gt=submission.pk
    )


def _first_free(queryset, user) -> Submission | None:
    """The first suggestion nobody else is reviewing; else simply the first."""
    candidates = list(queryset[:LOOKAHEAD])
    taken = claims.claims_for([s.pk for s in candidates])
    for submission in candidates:
        claim = taken.get(submission.pk)
        if claim is None or claim.user_id == user.pk:
            return submission
    return candidates[0] if candidates else None


def submission_next(*, user, after: Submission) -> Submission | None:
    """The suggestion `user` should look at after `after`: the next one waiting for them
    in queue order, or else the first from the top; one another reviewer has open is
    passed over while there is another. None when nothing else waits for them."""
    waiting = submissions_waiting_for(user).exclude(pk=after.pk)
    return _first_free(waiting.filter(_after(after)), user) or _first_free(waiting, user)


def submission_previous(*, user, before: Submission) -> Submission | None:
    """The suggestion waiting for `user` just before `before` in queue order (no wrap)."""
    waiting = submissions_waiting_for(user).exclude(pk=before.pk).exclude(_after(before))
    return waiting.order_by("-created_at", "-id").first()
