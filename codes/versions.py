"""Versions of a code by date of service: the CDT edition calendar, the timeline
of a code's official text, and the lookups that answer "as in force on a date".

A code's timeline is derived from its row: it is in force from the start of its
`effective_year` (or from before records begin) until the day before its
`deleted_year` starts, then deleted. Inside that span, the official text can
differ by edition: a write that names an `edition` (a yearly release) starts a
new version on that edition's first day; any other write corrects the text of
the latest version. Adjacent versions with the same text are merged, so taking
a change back (a rollback) restores the timeline it replaced.

`versions_sync` is called by `codes.services` in the transaction that changes
the codes; nothing else writes versions.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .models import DATE_MAX, DATE_MIN, Code, CodeVersion, Edition

ONE_DAY = datetime.timedelta(days=1)
_day_re = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass(frozen=True)
class Schedule:
    """When each CDT edition starts: 1 January unless an `Edition` row says otherwise."""

    starts: dict[int, datetime.date]

    def start(self, year: int) -> datetime.date:
        return self.starts.get(year) or datetime.date(year, 1, 1)

    def edition_of(self, day: datetime.date) -> int | None:
        """The edition in force on `day` (None for the open ends)."""
        if day in (DATE_MIN, DATE_MAX):
            return None
        for year in (day.year + 1, day.year, day.year - 1):
            if 1 <= year <= 9999 and self.start(year) <= day:
                return year
        return None


def edition_schedule() -> Schedule:
    """The edition calendar (one query on a table of a few rows)."""
    return Schedule(dict(Edition.objects.values_list("year", "effective_on")))


def today() -> datetime.date:
    """The date of service "today" means: the site's local date, so the default
    view switches editions at local midnight by itself, with no job to run."""
    from django.utils import timezone

    return timezone.localdate()


# --- Spans -------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """When a code was in force: first and last day, None for "no known start" /
    "still in force". `known` is False for a code number not in the catalog."""

    valid_from: datetime.date | None
    valid_until: datetime.date | None
    known: bool = True
    ever_valid: bool = True


def span_of(versions: Iterable[CodeVersion]) -> Span:
    active = [v for v in versions if v.status == Code.Status.ACTIVE]
    if not active:
        return Span(None, None, ever_valid=False)
    first = min(v.valid_from for v in active)
    last = max(v.valid_until for v in active)
    return Span(
        None if first == DATE_MIN else first,
        None if last == DATE_MAX else last,
    )


def not_in_force_reason(number: str, day: datetime.date, span: Span, schedule: Schedule) -> str:
    """Why `number` is not valid on `day`, in one sentence: when it takes effect,
    which edition it left, or that it is not a CDT code at all."""
    if not span.known:
        return f"{number} is not a code in the CDT code set."
    if not span.ever_valid:
        return f"{number} was never in force."
    on = f"{day:%Y-%m-%d}"
    if span.valid_from is not None and day < span.valid_from:
        edition = schedule.edition_of(span.valid_from)
        return (
            f"{number} takes effect on {span.valid_from:%Y-%m-%d} (CDT {edition}); "
            f"it is not valid on {on}."
        )
    if span.valid_until is not None and day > span.valid_until:
        edition = schedule.edition_of(span.valid_until + ONE_DAY)
        return (
            f"{number} was deleted in CDT {edition}: valid until "
            f"{span.valid_until:%Y-%m-%d}, not on {on}."
        )
    return f"{number} was not in force on {on}."


# --- Writing: the timeline of one code ---------------------------------------------


@dataclass
class _Text:
    valid_from: datetime.date
    nomenclature: str
    descriptor: str
    revision: int

    def same_text(self, other: _Text) -> bool:
        return (self.nomenclature, self.descriptor) == (other.nomenclature, other.descriptor)


def timeline(
    code: Code,
    current: Sequence[CodeVersion],
    schedule: Schedule,
    *,
    edition: int | None = None,
) -> list[CodeVersion]:
    """The versions `code` should have (unsaved), given its row and `current` ones."""
    start = schedule.start(code.effective_year) if code.effective_year else DATE_MIN
    deleted_on = schedule.start(code.deleted_year) if code.is_deleted else None
    end = deleted_on - ONE_DAY if deleted_on else DATE_MAX
    now = _Text(start, code.nomenclature, code.descriptor, code.revision)

    texts = [
        _Text(v.valid_from, v.nomenclature, v.descriptor, v.revision)
        for v in sorted(current, key=lambda v: v.valid_from)
        if v.status == Code.Status.ACTIVE and v.valid_from <= end
    ]
    # The first text starts where the code does (earlier ones are dropped).
    before = [t for t in texts if t.valid_from <= start]
    texts = ([before[-1]] if before else []) + [t for t in texts if t.valid_from > start]
    if texts:
        texts[0].valid_from = start

    if not texts:
        texts = [now]
    elif edition is not None:
        # A release: its text holds from the edition's first day to the next change.
        at = max(start, schedule.start(edition))
        if at <= end:
            same_day = [t for t in texts if t.valid_from == at]
            if same_day:
                target = same_day[0]
            else:
                target = _Text(at, "", "", code.revision)
                texts = sorted([*texts, target], key=lambda t: t.valid_from)
            if not now.same_text(target):
                target.nomenclature, target.descriptor = now.nomenclature, now.descriptor
                target.revision = code.revision
    elif not now.same_text(texts[-1]):
        # A correction: the latest text is the code's.
        texts[-1].nomenclature, texts[-1].descriptor = now.nomenclature, now.descriptor
        texts[-1].revision = code.revision

    merged: list[_Text] = []
    for text in texts:
        if merged and merged[-1].same_text(text):
            continue
        merged.append(text)

    versions = []
    if start <= end:
        for text, following in zip(merged, [*merged[1:], None], strict=True):
            versions.append(
                CodeVersion(
                    code=code,
                    valid_from=text.valid_from,
                    valid_until=following.valid_from - ONE_DAY if following else end,
                    edition=schedule.edition_of(text.valid_from),
                    status=Code.Status.ACTIVE,
                    nomenclature=text.nomenclature,
                    descriptor=text.descriptor,
                    revision=text.revision,
                )
            )
    if deleted_on is not None:
        last = merged[-1]
        versions.append(
            CodeVersion(
                code=code,
                valid_from=deleted_on,
                valid_until=DATE_MAX,
                edition=code.deleted_year,
                status=Code.Status.DELETED,
                nomenclature=last.nomenclature,
                descriptor=last.descriptor,
                revision=last.revision,
            )
        )
    return versions


_COMPARED = ("valid_until", "edition", "status", "nomenclature", "descriptor", "revision")


def versions_sync(codes: Sequence[Code], *, edition: int | None = None) -> int:
    """Bring the versions of `codes` in line with their rows; returns rows written.

    Three queries at most for any number of codes (read, then create/update,
    delete), so an import of a whole code set stays fast. Call inside the
    transaction that changed the codes, with the codes locked.
    """
    if not codes:
        return 0
    schedule = edition_schedule()
    existing: dict[int, list[CodeVersion]] = {code.pk: [] for code in codes}
    for version in CodeVersion.objects.filter(code_id__in=list(existing)).order_by("valid_from"):
        existing[version.code_id].append(version)

    to_create: list[CodeVersion] = []
    to_update: list[CodeVersion] = []
    to_delete: list[int] = []
    for code in codes:
        current = {v.valid_from: v for v in existing[code.pk]}
        wanted = timeline(code, existing[code.pk], schedule, edition=edition)
        for version in wanted:
            old = current.pop(version.valid_from, None)
            if old is None:
                to_create.append(version)
            elif any(getattr(old, f) != getattr(version, f) for f in _COMPARED):
                for name in _COMPARED:
                    setattr(old, name, getattr(version, name))
                to_update.append(old)
        to_delete.extend(v.pk for v in current.values())
    if to_delete:
        CodeVersion.objects.filter(pk__in=to_delete).delete()
    if to_update:
        CodeVersion.objects.bulk_update(to_update, list(_COMPARED))
    if to_create:
        CodeVersion.objects.bulk_create(to_create)
    return len(to_create) + len(to_update) + len(to_delete)


def edition_boundaries_move(year: int, old: datetime.date, new: datetime.date) -> int:
    """Move every version boundary at edition `year`'s old first day to `new`."""
    moved = CodeVersion.objects.filter(valid_from=old).update(valid_from=new)
    CodeVersion.objects.filter(valid_until=old - ONE_DAY).update(valid_until=new - ONE_DAY)
    return moved


# --- Reading: one code on a date ---------------------------------------------------


class CodeNotInForce(Exception):
    """`number` has no version in force on `day` (or is not a code at all)."""

    def __init__(self, number: str, day: datetime.date, span: Span, schedule: Schedule):
        self.number, self.day, self.span = number, day, span
        self.message = not_in_force_reason(number, day, span, schedule)
        super().__init__(self.message)

    def as_dict(self) -> dict:
        """The API's 404 body."""
        return {
            "detail": self.message,
            "code": self.number,
            "valid_from": _iso(self.span.valid_from),
            "valid_until": _iso(self.span.valid_until),
        }


def _iso(day: datetime.date | None) -> str | None:
    return None if day is None else day.isoformat()


def code_span(number: str) -> Span:
    """When `number` was in force (one query)."""
    versions = list(CodeVersion.objects.filter(code__code=number))
    return span_of(versions) if versions else Span(None, None, known=False, ever_valid=False)


def code_on(
    number: str,
    day: datetime.date,
    *,
    schedule: Schedule | None = None,
    deleted_ok: bool = False,
    page: bool = False,
) -> Code:
    """The code as in force on `day`: its row with that version's official text
    shown (`show_version`) and `cdt_edition` set; with `page`, also what a code page
    shows (`Code.objects.for_page(day)`: its category and its related codes as on `day`).

    Raises CodeNotInForce when it has no version then, or when that version is
    a deletion and `deleted_ok` is false. One query when found (plus the page's
    prefetch), three when not.
    """
    code = _rows_on(day, page).filter(code=number).first()
    if code is not None and (deleted_ok or code.on_status == Code.Status.ACTIVE):
        return code.show_version()
    raise CodeNotInForce(number, day, code_span(number), schedule or edition_schedule())


@functools.lru_cache(maxsize=32)
def _rows_on(day: datetime.date, page: bool):
    # Resolving the version join and the edition expression was half of an uncached code
    # page's ORM time: built once per day. The queryset holds no rows (each use filters a
    # clone), only SQL that depends on nothing but `day`: the edition calendar is read by
    # the SQL itself.
    codes = Code.objects.for_page(day) if page else Code.objects.all()
    return codes.on(day)


def day_parse(value: str) -> datetime.date:
    """A date of service as YYYY-MM-DD; raises ValueError with a message to show."""
    text = str(value).strip()
    try:
        if not _day_re.match(text):
            raise ValueError
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text[:40]}” is not a date: use YYYY-MM-DD, like 2026-06-01.") from None
