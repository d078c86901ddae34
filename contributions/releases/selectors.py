"""Reads of releases that more than one caller needs: the public page, the feed, the API."""

from __future__ import annotations

from django.urls import reverse

from codes.extensions import ChangeSet
from codes.models import FIELD_LABELS, Code

from .models import Release, ReleaseChange, ReleaseEvent

PUBLIC_STATUSES = (Release.Status.PUBLISHED, Release.Status.ROLLED_BACK)
KIND_ORDER = [kind for kind, _ in ReleaseChange.Kind.choices]


def release_public(edition: int) -> Release:
    """The release /changes/<edition>/ shows: published (or rolled back, which the
    page says). Release.DoesNotExist otherwise: a proposed release is not public."""
    found = (
        Release.objects.filter(edition=edition, status__in=PUBLIC_STATUSES)
        .order_by("status", "-published_at")  # "published" sorts before "rolled_back"
        .first()
    )
    if found is None:
        raise Release.DoesNotExist(f"No published release of CDT {edition}.")
    return found


def release_changes_grouped(release: Release) -> list[dict]:
    """The changes by kind, in the order added, revised, deleted (two queries)."""
    groups = {kind: [] for kind in KIND_ORDER}
    changes = list(release.changes.select_related("category").order_by("code"))
    titles = dict(
        Code.objects.filter(code__in=[c.code for c in changes]).values_list("code", "nomenclature")
    )
    for change in changes:
        change.field_labels = [FIELD_LABELS.get(f, f.replace("_", " ")) for f in change.fields]
        new_title = change.fields.get("nomenclature", {}).get("new")
        change.title = new_title or titles.get(change.code, "")
        groups[change.kind].append(change)
    labels = dict(ReleaseChange.Kind.choices)
    return [{"kind": k, "label": labels[k], "changes": groups[k]} for k in KIND_ORDER]


def release_change_sets(limit: int) -> list[ChangeSet]:
    """One feed entry per release published (and one per rollback), newest first."""
    events = (
        ReleaseEvent.objects.filter(
            to_status__in=[Release.Status.PUBLISHED, Release.Status.ROLLED_BACK]
        )
        .select_related("release")
        .order_by("-created_at", "-id")[:limit]
    )
    sets = []
    for event in events:
        release = event.release
        counts = dict.fromkeys(KIND_ORDER, 0)
        for kind in release.changes.values_list("kind", flat=True):
            counts[kind] += 1
        listed = ", ".join(f"{n} {kind}" for kind, n in counts.items())
        link = reverse("contributions:release-changes", args=[release.edition])
        if event.to_status == Release.Status.PUBLISHED:
            title = f"CDT {release.edition} published: {listed}"
            description = (
                f"The CDT {release.edition} code set, in force from "
                f"{release.effective_on:%-d %B %Y}: {listed} codes."
            )
        else:
            title = f"CDT {release.edition} rolled back"
            description = f"The CDT {release.edition} changes were taken back ({listed} codes)."
        sets.append(
            ChangeSet(
                guid=f"cdt-release-{release.edition}-{release.pk}-{event.to_status}",
                title=title,
                link=link,
                description=description,
                published_at=event.created_at,
            )
        )
    return sets
