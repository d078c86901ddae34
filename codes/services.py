"""Every write that changes a code's content. Views, admin, importer and the
workflows (which pass themselves as a revision's `source`) all call these, so a
revision is never skipped.

The one rule: a change to any snapshot field raises `Code.revision` by one and
writes a `CodeRevision` with the full new state, in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cdtsite.cache import catalog_changed

from .models import CODE_PATTERN, EDITABLE_FIELDS, SNAPSHOT_FIELDS, Category, Code, CodeRevision

TEXT_FIELDS = ("descriptor", "body", "documentation", "billing_tips")
# Caps on the long text fields, in characters: the same for the importer, the admin,
# the suggest form and the API, so each names the field it refuses.
TEXT_MAX_LENGTHS = {
    "descriptor": 5000,
    "body": 20000,
    "documentation": 10000,
    "billing_tips": 10000,
}
YEAR_RANGE = (1969, 2100)
NOMENCLATURE_MAX = Code._meta.get_field("nomenclature").max_length
_code_re = re.compile(CODE_PATTERN)


@dataclass
class CodeValues:
    """Desired values for one code. Keys of `values` are snapshot fields."""

    code: str
    values: dict[str, Any]
    note: str = ""


@dataclass
class ApplyResult:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    # Codes outside the batch whose related codes changed with it (each got a revision).
    related_changed: list[str] = field(default_factory=list)
    revisions: list[CodeRevision] = field(default_factory=list)


class CodeDataError(ValidationError):
    """Invalid values for one or more codes: {entry index: {field: [messages]}}."""

    def __init__(self, errors: dict[int, dict[str, list[str]]]):
        self.entry_errors = errors
        flat = {}
        for fields in errors.values():
            for name, messages in fields.items():
                flat.setdefault(name, []).extend(messages)
        super().__init__(flat)


_bare_digits_re = re.compile(r"^[0-9]{4}$")


def normalize_code(value: Any) -> str:
    """A code number as typed anywhere (form, search, URL, API, CSV) in its one spelling.

    `D0370`, `d0370`, ` d0370 ` and `0370` all become `D0370`: billing staff often
    leave the letter out. Anything else is only trimmed and upper-cased, so a
    malformed number still fails validation with the number as given.
    """
    number = str(value or "").strip().upper()
    return f"D{number}" if _bare_digits_re.match(number) else number


def _normalize_text(value: Any) -> str:
    text = "" if value is None else str(value)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def _parse_related(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    items = re.split(r"[\s,;]+", value) if isinstance(value, str) else list(value)
    return sorted({normalize_code(item) for item in items if normalize_code(item)})


def _parse_year(value: Any, name: str, errors: dict) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        errors.setdefault(name, []).append(f"“{value}” is not a year.")
        return None
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        errors.setdefault(name, []).append(
            f"{year} is not a plausible year ({YEAR_RANGE[0]}–{YEAR_RANGE[1]})."
        )
        return None
    return year


def _category_lookup() -> Callable[[Any], Category | None]:
    by_key: dict[str, Category] = {}
    for category in Category.objects.all():
        by_key[category.slug.lower()] = category
        by_key[category.name.lower()] = category

    def lookup(value: Any) -> Category | None:
        if isinstance(value, Category):
            return value
        return by_key.get(str(value or "").strip().lower())

    return lookup


def _clean_values(
    entry: CodeValues,
    *,
    existing: Code | None,
    category_of: Callable[[Any], Category | None],
    known_codes: set[str],
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Validate one entry's values; returns (clean values, errors by field)."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    unknown = sorted(set(entry.values) - set(SNAPSHOT_FIELDS))
    if unknown:
        errors.setdefault(unknown[0], []).append(
            f"Unknown field(s): {', '.join(unknown)}. Allowed: {', '.join(SNAPSHOT_FIELDS)}."
        )

    if not _code_re.match(entry.code):
        errors.setdefault("code", []).append(
            f"“{entry.code}” is not a CDT code: the letter D and four digits, like D0370."
        )

    values = entry.values
    if "nomenclature" in values or existing is None:
        nomenclature = _normalize_text(values.get("nomenclature")).replace("\n", " ")
        if not nomenclature:
            errors.setdefault("nomenclature", []).append("This field is required.")
        elif len(nomenclature) > NOMENCLATURE_MAX:
            errors.setdefault("nomenclature", []).append(
                f"At most {NOMENCLATURE_MAX} characters (it has {len(nomenclature)})."
            )
        clean["nomenclature"] = nomenclature
    for name in TEXT_FIELDS:
        if name in values:
            clean[name] = _normalize_text(values[name])
            if len(clean[name]) > TEXT_MAX_LENGTHS[name]:
                errors.setdefault(name, []).append(
                    f"At most {TEXT_MAX_LENGTHS[name]} characters (it has {len(clean[name])})."
                )

    if "category" in values or existing is None:
        category = category_of(values.get("category"))
        if category is None:
            given = values.get("category")
            errors.setdefault("category", []).append(
                f"Unknown category “{given}”." if given else "This field is required."
            )
        clean["category"] = category

    if "related_codes" in values:
        related = _parse_related(values["related_codes"])
        bad = [c for c in related if not _code_re.match(c)]
        missing = [c for c in related if _code_re.match(c) and c not in known_codes]
        if bad:
            errors.setdefault("related_codes", []).append(f"Not CDT codes: {', '.join(bad)}.")
        if missing:
            errors.setdefault("related_codes", []).append(f"Unknown codes: {', '.join(missing)}.")
        if entry.code in related:
            errors.setdefault("related_codes", []).append("A code cannot be related to itself.")
        clean["related_codes"] = related

    for name in ("effective_year", "deleted_year"):
        if name in values:
            clean[name] = _parse_year(values[name], name, errors)

    if "status" in values:
        status = str(values["status"] or "").strip().lower() or Code.Status.ACTIVE
        if status not in Code.Status.values:
            errors.setdefault("status", []).append(
                f"“{values['status']}” is not a status: use {' or '.join(Code.Status.values)}."
            )
        clean["status"] = status

    # A deleted code carries its deleted year; an active one carries none.
    status = clean.get("status", existing.status if existing else Code.Status.ACTIVE)
    if status == Code.Status.ACTIVE:
        if clean.get("deleted_year") is not None:
            errors.setdefault("deleted_year", []).append(
                "Only a deleted code has a deleted year (set status to deleted)."
            )
        if "status" in clean or (existing is not None and existing.deleted_year is not None):
            clean["deleted_year"] = None
    elif status == Code.Status.DELETED:
        year = clean.get("deleted_year", existing.deleted_year if existing else None)
        if year is None and "deleted_year" not in errors:
            errors.setdefault("deleted_year", []).append("A deleted code needs its deleted year.")
    return clean, errors


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
) -> ApplyResult:
    """Create or change many codes at once, all or nothing.

    Each entry gives the desired values of some snapshot fields; a code that
    does not exist is created (nomenclature and category required). Related
    codes are symmetric: an entry's `related_codes` becomes that code's whole
    set, and a pair named by either side of two entries is related on both.

    A code whose state changed gets `revision + 1` and a `CodeRevision`; a new
    code gets revision 1. Raises `CodeDataError` (nothing written) on any
    invalid value, naming the entry and the field.
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
    for entry in entries:
        code = codes[entry.code]
        state = _state(code, after_related[code.pk])
        old = before.get(entry.code)
        if old is None:
            changed_fields = [name for name in SNAPSHOT_FIELDS if state[name] not in ("", [], None)]
            result.added.append(code.code)
        else:
            changed_fields = [name for name in SNAPSHOT_FIELDS if state[name] != old[name]]
            if not changed_fields:
                result.unchanged.append(code.code)
                continue
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
