"""A code's history for its page: the CDT editions that added, revised or deleted
it, the community revisions in between, and a word-level comparison of any two.

Two kinds of version can be named, in URLs and forms:

- `e2020`: the official text as in force on the first day of CDT 2020
  (nomenclature, descriptor, status);
- `r3`: the site's published revision 3, a full snapshot of every editable field.

Comparing one of each compares the fields they share.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from .diffs import as_text, word_diff
from .models import Code, CodeRevision, CodeVersion
from .versions import Schedule

FIELD_LABELS = {
    "nomenclature": "Title (nomenclature)",
    "descriptor": "Descriptor",
    "status": "Status",
    "body": "When to use it",
    "documentation": "What the chart must hold",
    "billing_tips": "Billing tips",
    "related_codes": "Related codes",
}
OFFICIAL = ("nomenclature", "descriptor", "status")
REVISION_FIELDS = tuple(FIELD_LABELS)
# How many community revisions the page lists (the API has them all).
REVISIONS_SHOWN = 30
_token_re = re.compile(r"^(?:e(?P<edition>[0-9]{4})|r(?P<revision>[0-9]{1,9}))$")


@dataclass
class HistoryEntry:
    kind: str  # "added", "revised", "deleted" (by edition) or "edited" (community)
    token: str
    title: str
    day: datetime.date | None  # None: before records begin
    edition: int | None = None
    changed: list[str] = field(default_factory=list)
    note: str = ""
    previous: str = ""  # the token of the version before, to compare with
    order: int = 0  # among entries of the same day and kind

    @property
    def changed_labels(self) -> list[str]:
        return [FIELD_LABELS.get(name, name) for name in self.changed]


def _version_editions(versions: list[CodeVersion], current: int) -> list[int]:
    """An edition each version was in force in: the one it started in; for one
    with no known start, the edition before its successor's (or `current`)."""
    editions = []
    for version, following in zip(versions, [*versions[1:], None], strict=True):
        if version.edition:
            editions.append(version.edition)
        elif following is not None and following.edition:
            editions.append(following.edition - 1)
        else:
            editions.append(current)
    return editions


def code_history(
    code: Code,
    versions: list[CodeVersion],
    revisions: list[CodeRevision],
    *,
    current_edition: int,
) -> list[HistoryEntry]:
    """Newest first: edition events by the day they took effect, community
    revisions by the day they were published. No query of its own."""
    entries: list[HistoryEntry] = []
    previous: CodeVersion | None = None
    previous_token = ""
    versions = sorted(versions, key=lambda v: v.valid_from)
    for version, in_edition in zip(
        versions, _version_editions(versions, current_edition), strict=True
    ):
        token = f"e{in_edition}"
        edition = version.edition
        if version.status == Code.Status.DELETED:
            kind, title, changed = "deleted", f"Deleted in CDT {edition}", ["status"]
        elif previous is None:
            kind, changed = "added", []
            title = f"Added in CDT {edition}" if edition else "In the code set before our records"
        else:
            kind = "revised"
            changed = [n for n in OFFICIAL if getattr(previous, n) != getattr(version, n)]
            title = f"Revised in CDT {edition}"
        entries.append(
            HistoryEntry(
                kind=kind,
                token=token,
                title=title,
                day=version.starts,
                edition=edition,
                changed=changed,
                previous=previous_token,
                order=len(entries),
            )
        )
        previous, previous_token = version, token
    for revision in revisions:
        entries.append(
            HistoryEntry(
                kind="edited",
                token=f"r{revision.revision}",
                title=f"Revision {revision.revision} published on this site",
                day=revision.published_at.date(),
                changed=list(revision.changed_fields),
                note=revision.note,
                previous=f"r{revision.revision - 1}" if revision.revision > 1 else "",
                order=revision.revision,
            )
        )
    return sorted(
        entries,
        key=lambda e: (e.day or datetime.date.min, e.kind == "edited", e.order),
        reverse=True,
    )


# --- Comparing two versions ----------------------------------------------------------


class CompareError(Exception):
    """A version named in the comparison is malformed (400) or missing (404)."""

    def __init__(self, field_name: str, message: str, status: int):
        self.field, self.status = field_name, status
        super().__init__(f"{field_name}: {message}")


@dataclass
class Side:
    token: str
    label: str
    values: dict[str, object]


@dataclass
class DiffRow:
    name: str
    label: str
    old: SafeString
    new: SafeString
    changed: bool


def side_load(code: Code, token: str, name: str, schedule: Schedule) -> Side:
    """The version `token` names (`a` or `b` for error messages); one query."""
    match = _token_re.match(token or "")
    if not match:
        raise CompareError(
            name,
            f"“{token[:20]}” names no version: use e2020 (an edition) or r3 (a revision).",
            400,
        )
    if match["edition"]:
        year = int(match["edition"])
        day = schedule.start(year)
        version = (
            CodeVersion.objects.filter(code=code, valid_from__lte=day, valid_until__gte=day)
            .only(*OFFICIAL)
            .first()
        )
        if version is None:
            raise CompareError(name, f"{code.code} was not in CDT {year}.", 404)
        label = f"CDT {year}" + (" (deleted)" if version.status == Code.Status.DELETED else "")
        return Side(token, label, {n: getattr(version, n) for n in OFFICIAL})
    number = int(match["revision"])
    revision = CodeRevision.objects.filter(code=code, revision=number).first()
    if revision is None:
        raise CompareError(name, f"{code.code} has no revision {number}.", 404)
    label = f"Revision {number} ({revision.published_at:%Y-%m-%d})"
    return Side(token, label, {n: getattr(revision, n) for n in REVISION_FIELDS})


def sides_diff(a: Side, b: Side) -> list[DiffRow]:
    """The fields both sides have, each with a word-level diff from a to b."""
    rows = []
    for name in REVISION_FIELDS:
        if name not in a.values or name not in b.values:
            continue
        old, new = word_diff(a.values[name], b.values[name])
        changed = as_text(a.values[name]) != as_text(b.values[name])
        rows.append(DiffRow(name, FIELD_LABELS[name], old, new, changed))
    return rows
