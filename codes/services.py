"""Every write that changes a code's content. Views, admin, importer and the
workflows (which pass themselves as a revision's `source`) all call these, so a
revision is never skipped.

The one rule: a change to any snapshot field raises `Code.revision` by one and
writes a `CodeRevision` with the full new state, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from cdtsite.cache import catalog_changed

from .cleaning import (  # noqa: F401 - callers import these from the write path
    NOMENCLATURE_MAX,
    TEXT_FIELDS,
    TEXT_MAX_LENGTHS,
    YEAR_RANGE,
    CodeDataError,
    CodeValues,
    _category_lookup,
    _clean_values,
    _parse_related,
    normalize_code,
)
from .models import (
    EDITABLE_FIELDS,
    SNAPSHOT_FIELDS,
    Code,
    CodeRevision,
)
from .versions import versions_sync

# A change to any of these moves or rewrites the code's versions by date.
TIMELINE_FIELDS = ("nomenclature", "descriptor", "status", "effective_year", "deleted_year")


@dataclass
class ApplyResult:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    # Codes outside the batch whose related codes changed with it (each got a revision).
    related_changed: list[str] = field(default_factory=list)
    revisions: list[CodeRevision] = field(default_factory=list)


def _state(code: Code, related: Iterable[str]) -> dict[str, Any]:
    state = {name: getattr(code, name) for name in SNAPSHOT_FIELDS if name != "related_codes"}
    state["category"] = code.category_id
    state["related_codes"] = sorted(related)
    return state


def _related_map(code_ids: Sequence[int]) -> dict[int, set[str]]:
    through = Code.related_codes.through
    related: dict[int, set[str]] = {pk: set() for pk in code_ids}
    rows = through.objects.filter(from_code_id__in=code_ids).values_list(
        "from_code_id", "to_code__code"
    )
    for from_id, to_code in rows:
        related[from_id].add(to_code)
    return related


def _revision_for(code: Code, state: dict[str, Any], **meta: Any) -> CodeRevision:
    return CodeRevision(
        code=code,
        revision=code.revision,
        nomenclature=code.nomenclature,
        descriptor=code.descriptor,
        body=code.body,
        documentation=code.documentation,
        billing_tips=code.billing_tips,
        related_codes=state["related_codes"],
        category_id=code.category_id,
        status=code.status,
        effective_year=code.effective_year,
        deleted_year=code.deleted_year,
        **meta,
    )


@transaction.atomic
def codes_apply(
    *,
    entries: Sequence[CodeValues],
    actor=None,
    note: str = "",
    source=None,
    restored_from: int | None = None,
    progress: Callable[[int], None] | None = None,
    edition: int | None = None,
) -> ApplyResult:
    """Create or change many codes at once, all or nothing.

    Each entry gives the desired values of some snapshot fields; a code that
    does not exist is created (nomenclature and category required). Related
    codes are symmetric: an entry's `related_codes` becomes that code's whole
    set, and a pair named by either side of two entries is related on both.

    A code whose state changed gets `revision + 1` and a `CodeRevision`; a new
    code gets revision 1. Raises `CodeDataError` (nothing written) on any
    invalid value, naming the entry and the field.

    Versions by date follow in the same transaction (`codes.versions`): with
    `edition` (a yearly release), a changed official text holds from that
    edition's first day; without it, it corrects the latest version's text.
    """
    if not entries:
        return ApplyResult()
    for entry in entries:
        entry.code = normalize_code(entry.code)
    numbers = [entry.code for entry in entries]
    errors: dict[int, dict[str, list[str]]] = {}
    seen: dict[str, int] = {}
    for index, number in enumerate(numbers):
        if number in seen:
            errors.setdefault(index, {}).setdefault("code", []).append(
                f"{number} is listed twice (first at entry {seen[number] + 1})."
            )
        seen.setdefault(number, index)

    # Codes outside the batch whose related set may change with it (symmetry):
    # they are locked too, and get a revision of their own when it does change.
    all_related = {r for e in entries for r in _parse_related(e.values.get("related_codes"))}
    relating = [e.code for e in entries if "related_codes" in e.values]
    linked_now = Code.related_codes.through.objects.filter(from_code__code__in=relating)
    counterparts = (all_related | set(linked_now.values_list("to_code__code", flat=True))) - set(
        numbers
    )
    # Lock in one fixed order so two writers cannot deadlock each other.
    locked = {
        code.code: code
        for code in Code.objects.select_for_update()
        .filter(code__in=set(numbers) | counterparts)
        .order_by("code")
    }
    existing = {number: locked[number] for number in numbers if number in locked}
    others = {number: code for number, code in locked.items() if number not in existing}
    known_codes = set(numbers) | (set(locked) & all_related)
    category_of = _category_lookup()
    cleaned: list[dict[str, Any]] = []
    for index, entry in enumerate(entries):
        clean, entry_errors = _clean_values(
            entry,
            existing=existing.get(entry.code),
            category_of=category_of,
            known_codes=known_codes,
        )
        cleaned.append(clean)
        if entry_errors:
            errors.setdefault(index, {}).update(entry_errors)
    if errors:
        raise CodeDataError(errors)

    before_related = _related_map([code.pk for code in locked.values()])
    before = {number: _state(code, before_related[code.pk]) for number, code in existing.items()}

    # 1. Fields (new codes are created here, so relations can point at them).
    codes: dict[str, Code] = {}
    for done, (entry, clean) in enumerate(zip(entries, cleaned, strict=True), start=1):
        fields = {k: v for k, v in clean.items() if k != "related_codes"}
        code = existing.get(entry.code)
        if code is None:
            code = Code(code=entry.code, revision=1, **fields)
            code.full_clean(exclude=["related_codes"], validate_unique=False)
            code.save()
        else:
            changed = [name for name, value in fields.items() if getattr(code, name) != value]
            for name in changed:
                setattr(code, name, fields[name])
            if changed:
                code.save(update_fields=[*changed, "updated_at"])
        codes[entry.code] = code
        if progress:
            progress(done)

    # 2. Related codes: each entry's list, closed under symmetry within the batch.
    wanted: dict[str, set[str]] = {}
    for entry, clean in zip(entries, cleaned, strict=True):
        if "related_codes" in clean:
            wanted.setdefault(entry.code, set()).update(clean["related_codes"])
    for number, related in list(wanted.items()):
        for other in related:
            if other in wanted:
                wanted[other].add(number)
    if wanted:
        targets = {
            c.code: c for c in Code.objects.filter(code__in={r for s in wanted.values() for r in s})
        }
        for number, related in wanted.items():
            codes[number].related_codes.set([targets[r] for r in sorted(related)])

    # 3. Revisions for what actually changed.
    after_related = _related_map([code.pk for code in [*codes.values(), *others.values()]])
    result = ApplyResult()
    now = timezone.now()
    meta = {
        "published_at": now,
        "published_by": actor if getattr(actor, "pk", None) else None,
        "restored_from": restored_from,
    }
    if source is not None:
        meta["source"] = source
    revisions: list[CodeRevision] = []
    retimed: list[Code] = []
    for entry in entries:
        code = codes[entry.code]
        state = _state(code, after_related[code.pk])
        old = before.get(entry.code)
        if old is None:
            changed_fields = [name for name in SNAPSHOT_FIELDS if state[name] not in ("", [], None)]
            result.added.append(code.code)
            retimed.append(code)
        else:
            changed_fields = [name for name in SNAPSHOT_FIELDS if state[name] != old[name]]
            if not changed_fields:
                result.unchanged.append(code.code)
                continue
            if set(changed_fields) & set(TIMELINE_FIELDS):
                retimed.append(code)
            result.changed.append(code.code)
            if state["status"] == Code.Status.DELETED and old["status"] != Code.Status.DELETED:
                result.deleted.append(code.code)
            code.revision += 1
            code.save(update_fields=["revision", "updated_at"])
        revisions.append(
            _revision_for(
                code, state, changed_fields=changed_fields, note=(entry.note or note)[:500], **meta
            )
        )
    for number, code in sorted(others.items()):
        related = after_related[code.pk]
        if related == before_related[code.pk]:
            continue
        code.revision += 1
        code.save(update_fields=["revision", "updated_at"])
        result.related_changed.append(number)
        linked_by = sorted(related ^ before_related[code.pk])
        revisions.append(
            _revision_for(
                code,
                _state(code, related),
                changed_fields=["related_codes"],
                note=f"Related codes changed with {', '.join(linked_by)}."[:500],
                **meta,
            )
        )
    result.revisions = CodeRevision.objects.bulk_create(revisions)
    versions_sync(retimed, edition=edition)
    # Cached public pages end with this write; replicas may lag behind it a while.
    transaction.on_commit(catalog_changed)
    return result


def code_create(
    *, code: str, values: Mapping[str, Any], actor=None, note: str = "", source=None
) -> Code:
    """Create a code at revision 1. Raises CodeDataError naming the field."""
    number = normalize_code(code)
    if Code.objects.filter(code=number).exists():
        raise CodeDataError({0: {"code": [f"{number} already exists."]}})
    codes_apply(entries=[CodeValues(number, dict(values))], actor=actor, note=note, source=source)
    return Code.objects.get(code=number)


def code_update(
    *,
    code: Code | str,
    changes: Mapping[str, Any],
    actor=None,
    note: str = "",
    source=None,
    restored_from: int | None = None,
) -> CodeRevision | None:
    """Change fields of an existing code. Any real change is a new revision.

    Returns the new CodeRevision, or None when the values equal the current
    ones. Raises Code.DoesNotExist for an unknown code, CodeDataError for bad values.
    """
    number = code.code if isinstance(code, Code) else normalize_code(code)
    if not Code.objects.filter(code=number).exists():
        raise Code.DoesNotExist(f"No code {number}.")
    result = codes_apply(
        entries=[CodeValues(number, dict(changes))],
        actor=actor,
        note=note,
        source=source,
        restored_from=restored_from,
    )
    return result.revisions[0] if result.revisions else None


def code_revision_restore(*, code: Code | str, revision: int, actor=None) -> CodeRevision | None:
    """Bring back an earlier revision's content as a new revision.

    Restores the editable fields (the code-set metadata stays as it is now).
    Returns None when the code already shows that content.
    """
    number = code.code if isinstance(code, Code) else normalize_code(code)
    old = CodeRevision.objects.get(code__code=number, revision=revision)
    changes = {name: getattr(old, name) for name in EDITABLE_FIELDS}
    return code_update(
        code=number,
        changes=changes,
        actor=actor,
        note=f"Restored revision {revision}.",
        restored_from=revision,
    )


def code_values_clean(*, code: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate values for one code without writing: the same rules as codes_apply.

    Returns the cleaned values (category as a Category, related_codes as sorted
    numbers); raises CodeDataError naming the field.
    """
    number = normalize_code(code)
    existing = Code.objects.filter(code=number).first()
    related = _parse_related(values.get("related_codes"))
    known = {number} | set(Code.objects.filter(code__in=related).values_list("code", flat=True))
    clean, errors = _clean_values(
        CodeValues(number, dict(values)),
        existing=existing,
        category_of=_category_lookup(),
        known_codes=known,
    )
    if errors:
        raise CodeDataError({0: errors})
    return clean


def code_current_values(code: Code) -> dict[str, Any]:
    """The code's snapshot fields as `code_values_clean` returns them."""
    values = {name: getattr(code, name) for name in SNAPSHOT_FIELDS if name != "related_codes"}
    values["related_codes"] = sorted(code.related_codes.values_list("code", flat=True))
    return values
