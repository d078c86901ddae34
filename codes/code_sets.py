"""An edition's full code set compared with the catalog, without writing anything.

A yearly release starts here: the file lists every code of the edition, so a
code the catalog has and the file lacks is deleted in that edition, a code the
file adds takes effect in it (unless the file says when), and every other
difference is a revision. The comparison runs the one write path
(`codes_apply`, with `edition`) inside a transaction that is always rolled back,
so every value is checked by exactly the rules a publish will apply, and errors
name the file's line and field. The catalog never sees the result: the release
workflow stores it and applies it later with `code_set_apply`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction

from .importing import (
    CodeImportError,
    ImportIssue,
    ProgressCallback,
    _issues_from_data_error,
    _ordered,
    _read_text,
    csv_rows_parse,
)
from .models import SNAPSHOT_FIELDS, Category, Code, CodeRevision
from .services import YEAR_RANGE, ApplyResult, CodeDataError, CodeValues, codes_apply

ADDED, REVISED, DELETED = "added", "revised", "deleted"


@dataclass
class CodeChange:
    """One code's change in an edition: {field: {"old", "new"}}, values as JSON
    (category as its slug, related codes as sorted numbers; "old" is None for a new code)."""

    code: str
    kind: str
    fields: dict[str, dict[str, Any]]
    category: str  # the category's slug after the change


@dataclass
class CodeSetDiff:
    source: str
    edition: int
    rows: int
    changes: list[CodeChange] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for change in self.changes if change.kind == kind)

    @property
    def summary(self) -> str:
        return (
            f"added {self.count(ADDED)}, revised {self.count(REVISED)}, "
            f"deleted {self.count(DELETED)}, unchanged {len(self.unchanged)}"
        )


def code_states(numbers: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """Each code's snapshot fields as a release stores them (two queries)."""
    codes = Code.objects.select_related("category")
    if numbers is not None:
        codes = codes.filter(code__in=list(numbers))
    states = {}
    for code in codes:
        state = {name: getattr(code, name) for name in SNAPSHOT_FIELDS if name != "related_codes"}
        state["category"] = code.category.slug
        state["related_codes"] = []
        states[code.code] = state
    through = Code.related_codes.through
    pairs = through.objects.filter(from_code__code__in=list(states)).values_list(
        "from_code__code", "to_code__code"
    )
    for number, other in pairs:
        states[number]["related_codes"].append(other)
    for state in states.values():
        state["related_codes"].sort()
    return states


def code_set_compare(
    *,
    path_or_file: str | os.PathLike | IO[Any],
    edition: int,
    progress: ProgressCallback | None = None,
) -> CodeSetDiff:
    """What publishing this file as CDT `edition` would change, code by code.

    Raises CodeImportError listing every problem (line and field); nothing is
    written either way.
    """
    text, source = _read_text(path_or_file)
    rows, issues = csv_rows_parse(text, progress=progress)
    if not rows and not issues:
        issues.append(ImportIssue(None, None, "The file has a header but no codes."))
    if not YEAR_RANGE[0] <= edition <= YEAR_RANGE[1]:
        issues.append(ImportIssue(None, "--release", f"{edition} is not a plausible edition."))
    if issues and (not rows or any(issue.line == 1 for issue in issues)):
        raise CodeImportError(_ordered(issues), source=source)

    before = code_states()
    entries = []
    for row in rows:
        values = dict(row.values)
        # A code new to the catalog takes effect in this edition unless the file says when.
        if row.code not in before and not str(values.get("effective_year") or "").strip():
            values["effective_year"] = edition
        entries.append(CodeValues(row.code, values))
    in_file = {row.code for row in rows}
    entries += [
        CodeValues(number, {"status": Code.Status.DELETED, "deleted_year": edition})
        for number, state in sorted(before.items())
        if number not in in_file and state["status"] == Code.Status.ACTIVE
    ]
    diff = CodeSetDiff(source=source, edition=edition, rows=len(rows))
    with transaction.atomic():
        try:
            result = codes_apply(entries=entries, edition=edition, note=f"CDT {edition}")
        except CodeDataError as exc:
            issues.extend(_issues_from_data_error(exc, entries, [row.line for row in rows]))
        else:
            diff.changes = _changes(result, before)
            diff.unchanged = sorted(result.unchanged)
        # Always: the comparison must leave the catalog as it found it.
        transaction.set_rollback(True)
    if issues:
        raise CodeImportError(_ordered(issues), source=source)
    return diff


def _changes(result: ApplyResult, before: dict[str, dict[str, Any]]) -> list[CodeChange]:
    slugs = dict(Category.objects.values_list("pk", "slug"))
    changes = []
    for revision in result.revisions:
        number = revision.code.code
        after = _revision_state(revision, slugs)
        old = before.get(number)
        if old is None:
            kind = ADDED
        elif after["status"] == Code.Status.DELETED and old["status"] != Code.Status.DELETED:
            kind = DELETED
        else:
            kind = REVISED
        fields = {
            name: {"old": old[name] if old else None, "new": after[name]}
            for name in SNAPSHOT_FIELDS
            if name in revision.changed_fields
        }
        changes.append(CodeChange(number, kind, fields, after["category"]))
    return sorted(changes, key=lambda change: change.code)


def _revision_state(revision: CodeRevision, slugs: dict[int, str]) -> dict[str, Any]:
    state = {name: getattr(revision, name) for name in SNAPSHOT_FIELDS}
    state["category"] = slugs[revision.category_id]
    state["related_codes"] = sorted(revision.related_codes)
    return state


class CodeSetConflict(Exception):
    """The catalog moved on since the changes were computed: {code: [fields]}."""

    def __init__(self, moved: dict[str, list[str]]):
        self.moved = moved
        listed = "; ".join(f"{code}: {', '.join(fields)}" for code, fields in moved.items())
        super().__init__(f"Changed in the catalog since the release was imported — {listed}.")


def code_set_apply(
    *,
    changes: Iterable[CodeChange],
    edition: int,
    direction: str = "forward",
    actor=None,
    note: str = "",
    source=None,
) -> ApplyResult:
    """Apply stored changes as CDT `edition` through `codes_apply`, all or nothing.

    Forward: every change, refused with CodeSetConflict when a field no longer
    holds its "old" value (or a new code exists already). Back (a rollback):
    each field that still holds its "new" value returns to "old"; fields changed
    since are left as they are. A code the edition added cannot vanish (its
    revisions stay): it is withdrawn, deleted from the year it took effect, so it
    was never in force. Call inside the caller's transaction.
    """
    changes = list(changes)
    live = code_states(change.code for change in changes)
    entries, moved = [], {}
    for change in changes:
        state = live.get(change.code)
        if direction == "forward":
            if state is None and change.kind != ADDED:
                moved[change.code] = ["code"]
                continue
            if state is not None and change.kind == ADDED:
                moved[change.code] = ["code"]
                continue
            off = [n for n, v in change.fields.items() if state and state[n] != v["old"]]
            if off:
                moved[change.code] = off
                continue
            values = {name: value["new"] for name, value in change.fields.items()}
        elif state is None:
            continue
        elif change.kind == ADDED:
            since = state["effective_year"] or edition
            values = {"status": Code.Status.DELETED, "deleted_year": since}
        else:
            values = {
                name: value["old"]
                for name, value in change.fields.items()
                if state[name] == value["new"]
            }
        if values:
            entries.append(CodeValues(change.code, values))
    if moved:
        raise CodeSetConflict(moved)
    return codes_apply(entries=entries, actor=actor, note=note, source=source, edition=edition)
