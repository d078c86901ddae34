"""Who is told what. Services call these inside their transaction; the outbox sends later.

Staff messages link to the admin, the submitter's to their tracking page. A
message never carries one person's private data to another: reviewers are not
sent the submitter's email, the submitter is not sent any staff address.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cdtsite.throttling import recipient_allowance
from contributions.notifications.outbox import EventKind, Recipient, absolute, outbox_record, staff

from .models import Submission

REVIEWERS = "Reviewers"
PUBLISHERS = "Publishers"

SUBMISSION_RECEIVED = EventKind(
    "submission.received",
    "submission_received",
    "[CDT Codes] New suggestion #{submission_id} for {code} to review",
)
SUBMISSION_RECEIPT = EventKind(
    "submission.receipt",
    "submission_receipt",
    "We received your suggestion for {code} (#{submission_id})",
)
SUBMISSION_VERIFIED = EventKind(
    "submission.verified",
    "submission_verified",
    "[CDT Codes] Suggestion #{submission_id} for {code} is verified and ready to publish",
)
SUBMISSION_PUBLISHED = EventKind(
    "submission.published",
    "submission_published",
    "Your suggestion for {code} is published",
)
SUBMISSION_REJECTED = EventKind(
    "submission.rejected",
    "submission_rejected",
    "Your suggestion for {code} was not accepted",
)
SUBMISSION_DIGEST = EventKind(
    "digest.submissions",
    "submission_digest",
    "[CDT Codes] {waiting_count} suggestion{waiting_plural} waiting ({day})",
)

# Registered with the outbox by ContributionsConfig.ready().
EVENTS = (
    SUBMISSION_RECEIVED,
    SUBMISSION_RECEIPT,
    SUBMISSION_VERIFIED,
    SUBMISSION_PUBLISHED,
    SUBMISSION_REJECTED,
    SUBMISSION_DIGEST,
)


def _admin_url(submission: Submission) -> str:
    return absolute(reverse("admin:contributions_submission_change", args=[submission.pk]))


def _summary(submission: Submission) -> dict:
    return {
        "submission_id": submission.pk,
        "code": submission.code_number,
        "is_new_code": submission.is_new_code,
        "fields": sorted(submission.changes),
    }


def submission_received(submission: Submission, *, token: str) -> None:
    """Reviewers are asked to review; the submitter gets a receipt with the tracking link."""
    summary = _summary(submission)
    submitter = submission.submitter_email.lower()
    # Someone on staff who sent a suggestion cannot review it: they get the receipt only.
    outbox_record(
        event=SUBMISSION_RECEIVED.name,
        key=f"{SUBMISSION_RECEIVED.name}:{submission.pk}",
        recipients=[Recipient(u.email, u.pk) for u in staff(REVIEWERS, exclude={submitter})],
        context={**summary, "admin_url": _admin_url(submission)},
        subject=submission,
    )
    tracking = absolute(reverse("contributions:track-submission", args=[token]))
    outbox_record(
        event=SUBMISSION_RECEIPT.name,
        key=f"{SUBMISSION_RECEIPT.name}:{submission.pk}",
        recipients=[Recipient(submitter, submission.submitted_by_id)]
        if recipient_allowance(submitter)
        else [],
        context={**summary, "name": submission.submitter_name, "tracking_url": tracking},
        subject=submission,
    )


def submission_verified(submission: Submission, *, actor) -> None:
    """Publishers are told it is ready; not the verifier nor the submitter (they may not)."""
    exclude = {submission.submitter_email.lower()}
    if actor is not None and actor.email:
        exclude.add(actor.email.lower())
    outbox_record(
        event=SUBMISSION_VERIFIED.name,
        key=f"{SUBMISSION_VERIFIED.name}:{submission.pk}",
        recipients=[Recipient(u.email, u.pk) for u in staff(PUBLISHERS, exclude=exclude)],
        context={**_summary(submission), "admin_url": _admin_url(submission)},
        subject=submission,
    )


def _code_url(submission: Submission) -> str:
    return absolute(reverse("codes:detail", args=[submission.code_number]))


def submission_published(submission: Submission) -> None:
    """The submitter is told their edit is live, with the code page's link."""
    outbox_record(
        event=SUBMISSION_PUBLISHED.name,
        key=f"{SUBMISSION_PUBLISHED.name}:{submission.pk}",
        recipients=[Recipient(submission.submitter_email, submission.submitted_by_id)],
        context={
            **_summary(submission),
            "name": submission.submitter_name,
            "revision": submission.published_revision,
            "code_url": _code_url(submission),
        },
        subject=submission,
    )


def submission_rejected(submission: Submission) -> None:
    """The submitter is told why; the code page's link lets them try again."""
    outbox_record(
        event=SUBMISSION_REJECTED.name,
        key=f"{SUBMISSION_REJECTED.name}:{submission.pk}",
        recipients=[Recipient(submission.submitter_email, submission.submitted_by_id)],
        context={
            **_summary(submission),
            "name": submission.submitter_name,
            "reason": submission.rejection_reason,
            # A rejected new code has no page: the catalog is the next best place.
            "code_url": absolute(reverse("codes:list"))
            if submission.is_new_code
            else _code_url(submission),
        },
        subject=submission,
    )


def _digest_item(submission: Submission) -> dict:
    return {
        **_summary(submission),
        "admin_url": _admin_url(submission),
        "waiting_since": timezone.localtime(submission.created_at).strftime("%Y-%m-%d"),
        "is_stale": submission.is_stale,
    }


# The digest names this many of the oldest waiting suggestions per list; the rest are
# counted, and a link opens the queue filtered to them.
DIGEST_OLDEST = 10


def _digest_list(status: str) -> dict:
    waiting = Submission.objects.filter(status=status)
    oldest = waiting.order_by("created_at", "pk")[:DIGEST_OLDEST]
    return {
        "count": waiting.count(),
        "oldest": [_digest_item(s) for s in oldest],
        "url": f"{_queue_url()}?status__exact={status}",
    }


def submission_digest_record(*, day=None) -> int:
    """Record today's digest: each reviewer is told how many suggestions await
    verification, each publisher how many await publishing, with the oldest few of each
    and a link to the filtered queue. Nobody with nothing waiting, nobody who opted out.

    Bounded at any queue size: two counts and two short lists. Keyed by the site-local
    day, so a second run on the same day sends nothing again. Returns how many digests
    were recorded.
    """
    day = day or timezone.localdate()
    waiting = {
        REVIEWERS: _digest_list(Submission.Status.SUBMITTED),
        PUBLISHERS: _digest_list(Submission.Status.VERIFIED),
    }
    if not any(w["count"] for w in waiting.values()):
        return 0
    empty = {"count": 0, "oldest": [], "url": ""}
    recipients = []
    staff = (
        get_user_model()
        .objects.filter(groups__name__in=[REVIEWERS, PUBLISHERS], is_active=True)
        .exclude(email="")
        .exclude(notification_preference__digest_opt_out=True)
        .prefetch_related("groups")
        .distinct()
        .order_by("pk")
    )
    for user in staff:
        groups = {g.name for g in user.groups.all()}
        to_verify = waiting[REVIEWERS] if REVIEWERS in groups else empty
        to_publish = waiting[PUBLISHERS] if PUBLISHERS in groups else empty
        count = to_verify["count"] + to_publish["count"]
        if not count:
            continue
        recipients.append(
            Recipient(
                user.email,
                user.pk,
                {
                    "to_verify": to_verify,
                    "to_publish": to_publish,
                    "waiting_count": count,
                    "waiting_plural": "" if count == 1 else "s",
                },
            )
        )
    with transaction.atomic():
        ids = outbox_record(
            event=SUBMISSION_DIGEST.name,
            key=f"{SUBMISSION_DIGEST.name}:{day.isoformat()}",
            recipients=recipients,
            context={"day": day.strftime("%-d %b %Y"), "queue_url": _queue_url()},
        )
    return len(ids)


def _queue_url() -> str:
    return absolute(reverse("admin:contributions_submission_changelist"))
