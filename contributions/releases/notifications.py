"""Who is told what about a release. Services call these inside their transaction."""

from __future__ import annotations

from django.urls import reverse

from contributions.notifications.outbox import EventKind, Recipient, absolute, outbox_record, staff

from .models import Release, ReleaseChange

REVIEWERS = "Reviewers"
PUBLISHERS = "Publishers"

RELEASE_PROPOSED = EventKind(
    "release.proposed",
    "release_proposed",
    "[CDT Codes] Release CDT {edition} to review: {summary}",
)
RELEASE_VERIFIED = EventKind(
    "release.verified",
    "release_verified",
    "[CDT Codes] Release CDT {edition} is verified and ready to publish",
)

# Registered with the outbox by ContributionsConfig.ready().
EVENTS = (RELEASE_PROPOSED, RELEASE_VERIFIED)


def admin_url(release: Release) -> str:
    return absolute(reverse("admin:contributions_release_change", args=[release.pk]))


def _summary(release: Release) -> dict:
    counts = dict.fromkeys(ReleaseChange.Kind.values, 0)
    for kind in release.changes.values_list("kind", flat=True):
        counts[kind] += 1
    return {
        "release_id": release.pk,
        "edition": release.edition,
        "effective_on": release.effective_on.isoformat(),
        "counts": counts,
        "summary": ", ".join(f"{n} {kind}" for kind, n in counts.items()),
        "admin_url": admin_url(release),
    }


def release_proposed(release: Release) -> None:
    """Reviewers are asked to review the new release."""
    outbox_record(
        event=RELEASE_PROPOSED.name,
        key=f"{RELEASE_PROPOSED.name}:{release.pk}",
        recipients=[Recipient(u.email, u.pk) for u in staff(REVIEWERS)],
        context=_summary(release),
        subject=release,
    )


def release_verified(release: Release, *, actor) -> None:
    """Publishers are told it is ready; not the verifier, who may not publish it."""
    exclude = {actor.email.lower()} if actor is not None and actor.email else set()
    outbox_record(
        event=RELEASE_VERIFIED.name,
        key=f"{RELEASE_VERIFIED.name}:{release.pk}",
        recipients=[Recipient(u.email, u.pk) for u in staff(PUBLISHERS, exclude=exclude)],
        context=_summary(release),
        subject=release,
    )
