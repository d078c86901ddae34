"""Every change to a release goes through these functions.

Each one locks the release row, checks the transition in releases.workflow,
writes the change and its audit event in one transaction, and lets mails leave
only after the commit. Publishing and rolling back write the codes through
codes.code_sets (the catalog's one write path), in that same transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from codes.code_sets import CodeChange, CodeSetConflict, code_set_apply, code_set_compare
from codes.editions import edition_effective_check, edition_effective_set
from codes.models import Category
from codes.versions import edition_schedule
from contributions.core.errors import EditConflict
from contributions.core.hooks import revisions_published

from . import notifications
from .models import Release, ReleaseChange, ReleaseEvent
from .workflow import ensure_transition


@dataclass
class ReleaseProposed:
    release: Release
    summary: str

    @property
    def release_url(self) -> str:
        return notifications.admin_url(self.release)


def release_for_edition(edition: int) -> Release:
    """The release the API's /api/releases/<edition>/ means: the one under way or
    published, else the latest. Release.DoesNotExist when the edition has none."""
    releases = Release.objects.filter(edition=edition)
    found = releases.filter(status__in=Release.LIVE_STATUSES).first() or releases.first()
    if found is None:
        raise Release.DoesNotExist(f"No release of CDT {edition}.")
    return found


@transaction.atomic
def release_import(
    *,
    path_or_file: str | IO[Any],
    edition: int,
    effective_on: datetime.date | None = None,
    actor=None,
    progress=None,
) -> ReleaseProposed:
    """An edition's whole code file -> a proposed release. No live code changes.

    Codes absent from the file are proposed as deleted in `edition`.
    `effective_on` defaults to 1 January of `edition`. Raises CodeImportError
    (line and field) for a bad file, ValidationError naming `effective_on` or
    `edition` otherwise; nothing is written then. Reviewers are told.
    """
    effective_on = effective_on or datetime.date(edition, 1, 1)
    if effective_on.year not in (edition - 1, edition):
        raise ValidationError(
            {"effective_on": [f"CDT {edition} takes effect in {edition - 1} or {edition}."]}
        )
    edition_effective_check(year=edition, effective_on=effective_on)
    live = Release.objects.select_for_update().filter(
        edition=edition, status__in=Release.LIVE_STATUSES
    )
    if live.exists():
        found = live.get()
        raise ValidationError(
            {
                "edition": [
                    f"CDT {edition} already has a {found.get_status_display().lower()} "
                    "release: reject or roll it back first."
                ]
            }
        )
    diff = code_set_compare(path_or_file=path_or_file, edition=edition, progress=progress)
    release = Release.objects.create(
        edition=edition,
        effective_on=effective_on,
        source_name=diff.source[:200],
        unchanged_count=len(diff.unchanged),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    categories = dict(Category.objects.values_list("slug", "pk"))
    ReleaseChange.objects.bulk_create(
        ReleaseChange(
            release=release,
            code=change.code,
            kind=change.kind,
            category_id=categories.get(change.category),
            fields=change.fields,
        )
        for change in diff.changes
    )
    _record(release, "", actor=actor, note=f"Imported from {diff.source}: {diff.summary}.")
    notifications.release_proposed(release)
    return ReleaseProposed(release, diff.summary)


def _locked(release_id: int) -> Release:
    try:
        return Release.objects.select_for_update().get(pk=release_id)
    except Release.DoesNotExist:
        raise Release.DoesNotExist(f"No release #{release_id}.") from None


def _record(release: Release, from_status: str, *, actor, note: str) -> None:
    label = actor.get_username() if getattr(actor, "pk", None) else "system"
    ReleaseEvent.objects.create(
        release=release,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=label,
        from_status=from_status,
        to_status=release.status,
        note=note,
    )


def _changes(release: Release) -> list[CodeChange]:
    return [
        CodeChange(c.code, c.kind, c.fields, "")
        for c in release.changes.order_by("code").only("code", "kind", "fields")
    ]


@transaction.atomic
def release_verify(*, release_id: int, actor, note: str = "") -> Release:
    """proposed -> verified. Reviewers (verify_release). Publishers are told."""
    release = _locked(release_id)
    transition = ensure_transition(release, action="verify", actor=actor)
    from_status, release.status = release.status, transition.target
    release.verified_by, release.verified_at = actor, timezone.now()
    release.save(update_fields=["status", "verified_by", "verified_at", "updated_at"])
    _record(release, from_status, actor=actor, note=note.strip())
    notifications.release_verified(release, actor=actor)
    return release


@transaction.atomic
def release_reject(*, release_id: int, actor, reason: str) -> Release:
    """proposed -> rejected (Reviewers) or verified -> rejected (Reviewers, Publishers).

    A reason is required. The edition is free for a fresh import afterwards.
    """
    reason = (reason or "").strip()
    release = _locked(release_id)
    transition = ensure_transition(release, action="reject", actor=actor)
    if not reason:
        raise ValidationError({"reason": ["Say why the release is rejected."]})
    from_status, release.status = release.status, transition.target
    release.rejected_by, release.rejected_at = actor, timezone.now()
    release.rejection_reason = reason
    release.save(
        update_fields=["status", "rejected_by", "rejected_at", "rejection_reason", "updated_at"]
    )
    _record(release, from_status, actor=actor, note=reason)
    return release


@transaction.atomic
def release_publish(*, release_id: int, actor, note: str = "") -> Release:
    """verified -> published: every change of the release, in one transaction.

    Publishers (publish_release); never the verifier while two reviewers are
    required. The edition's start moves to `effective_on` if needed; each
    changed code gets a revision whose source is the release, and its official
    text a version from that day (so a release published ahead shows under
    `?on=` at once and by default from the day itself). Raises EditConflict
    naming codes and fields when the catalog changed them since the import;
    then nothing is written. Open suggestions it overtakes are flagged.
    """
    release = _locked(release_id)
    transition = ensure_transition(release, action="publish", actor=actor)
    if edition_schedule().start(release.edition) != release.effective_on:
        edition_effective_set(year=release.edition, effective_on=release.effective_on)
    try:
        result = code_set_apply(
            changes=_changes(release),
            edition=release.edition,
            actor=actor,
            note=f"CDT {release.edition} release",
            source=release,
        )
    except CodeSetConflict as exc:
        raise EditConflict(
            f"{exc} Reject this release and import the file again.", sorted(exc.moved)
        ) from exc
    from_status, release.status = release.status, transition.target
    release.published_by, release.published_at = actor, timezone.now()
    release.save(update_fields=["status", "published_by", "published_at", "updated_at"])
    _record(release, from_status, actor=actor, note=note.strip())
    revisions_published(revisions=result.revisions, source=release)
    return release


@transaction.atomic
def release_rollback(*, release_id: int, actor, note: str = "") -> Release:
    """published -> rolled_back: the release's changes undone as new revisions.

    Publishers (publish_release). Each field the release set and nobody changed
    since returns to its value before; fields changed since stay. Codes the
    release added are withdrawn (never in force), not removed: every revision
    stays in the history.
    """
    release = _locked(release_id)
    transition = ensure_transition(release, action="rollback", actor=actor)
    result = code_set_apply(
        changes=_changes(release),
        edition=release.edition,
        direction="back",
        actor=actor,
        note=f"CDT {release.edition} release rolled back",
        source=release,
    )
    from_status, release.status = release.status, transition.target
    release.rolled_back_by, release.rolled_back_at = actor, timezone.now()
    release.save(update_fields=["status", "rolled_back_by", "rolled_back_at", "updated_at"])
    _record(release, from_status, actor=actor, note=note.strip())
    revisions_published(revisions=result.revisions, source=release)
    return release
