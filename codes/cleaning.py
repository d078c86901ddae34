"""Validating a code's values: the rules every write path shares (codes.services).

Pure checks, no writes: errors name the field, and values come back cleaned.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from .models import CODE_PATTERN, SNAPSHOT_FIELDS, Category, Code

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


def _related_given(value: Any) -> bool:
    """Related codes come as a list or a string ("D0371, D0372"), or not at all."""
    return value is None or isinstance(value, str | list | tuple)


def _parse_related(value: Any) -> list[str]:
    """The code numbers given; none for a value of another type (reported by _clean_values)."""
    if not value or not _related_given(value):
        return []
    items = re.split(r"[\s,;]+", value) if isinstance(value, str) else value
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
        if not _related_given(values["related_codes"]):
            errors.setdefault("related_codes", []).append(
                "A list of codes, or codes separated by commas, like “D0371, D0372”."
            )
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
