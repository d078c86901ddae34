"""Open suggestions that a change published elsewhere (a yearly release) makes stale.

Registered with contributions.core.hooks in ContributionsConfig.ready(): the
release workflow announces the revisions it wrote and knows nothing of this.
A suggestion is stale when a revision changed a field it proposes to change, or
deleted (or brought back) its code; it is flagged for reviewers, as a publish of
another suggestion flags it, and its submitter is told once per source.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from contributions.notifications.outbox import EventKind, Recipient, absolute, outbox_record

from .models import Submission

SUBMISSION_STALE = EventKind(
    "submission.stale",
    "submission_stale",
    "Your suggestion for {code} needs another look: {source} changed the code",
)
EVENTS = (SUBMISSION_STALE,)


def submissions_flag_stale(*, revisions: Sequence, source) -> list[Submission]:
    """Flag the open suggestions `revisions` overtook and tell their submitters.

    Runs in the publisher's transaction; returns the suggestions flagged.
    """
    changed: dict[int, set[str]] = {}
    for revision in revisions:
        changed.setdefault(revision.code_id, set()).update(revision.changed_fields)
    if not changed:
        return []
    open_ones = (
        Submission.objects.select_for_update()
        .filter(code_id__in=list(changed), status__in=Submission.OPEN_STATUSES)
        .order_by("pk")
    )
    flagged = []
    for submission in open_ones:
        fields, proposed = changed[submission.code_id], set(submission.changes)
        # A deleted (or restored) code overtakes every field a suggestion proposes.
        overlap = proposed if "status" in fields else fields & proposed
        if not overlap:
            continue
        stale_flag(submission, overlap)
        flagged.append(submission)
        _tell_submitter(submission, sorted(overlap), source)
    return flagged


def stale_flag(submission: Submission, fields: set[str]) -> None:
    """Mark an open (locked) suggestion stale in `fields`, on top of any it had."""
    submission.is_stale = True
    submission.stale_fields = sorted(set(submission.stale_fields) | fields)
    submission.save(update_fields=["is_stale", "stale_fields", "updated_at"])


def _tell_submitter(submission: Submission, fields: list[str], source) -> None:
    source_type = ContentType.objects.get_for_model(source)
    outbox_record(
        event=SUBMISSION_STALE.name,
        key=f"{SUBMISSION_STALE.name}:{submission.pk}:{source_type.pk}:{source.pk}",
        recipients=[Recipient(submission.submitter_email, submission.submitted_by_id)],
        context={
            "submission_id": submission.pk,
            "code": submission.code_number,
            "name": submission.submitter_name,
            "fields": fields,
            "source": getattr(source, "public_label", str(source)),
            "code_url": absolute(reverse("codes:detail", args=[submission.code_number])),
        },
        subject=submission,
    )
