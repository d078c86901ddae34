"""Import a CDT code set from a CSV file, all or nothing.

The file is read and checked as a whole first; every problem is reported with
its physical line number and column, and nothing is written unless the whole
file is good. The writing itself is one `codes_apply` call, so revisions,
related codes and validation follow exactly the same rules as every other
write. Plain functions, so a command, the admin or an API can all call them.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import transaction

from .models import Code
from .services import YEAR_RANGE, CodeDataError, CodeValues, codes_apply, normalize_code

REQUIRED_COLUMNS = ("code", "nomenclature", "descriptor", "category")
OPTIONAL_COLUMNS = (
    "body",
    "documentation",
    "billing_tips",
    "related_codes",
    "status",
    "effective_year",
    "deleted_year",
)
COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
# Past this many, more messages do not help anyone fix the file.
ERROR_LIMIT = 50
SAMPLE_DATA_PATH = Path(__file__).resolve().parent / "data" / "sample_codes.csv"

# progress(phase, done, total): phase is "read" (lines of the file) or "apply" (codes).
ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ImportIssue:
    """One problem in the file: where it is and what is wrong."""

    line: int | None
    field: str | None
    message: str
    # For a code that is not in the file (--mark-missing-deleted), there is no line.
    code: str = ""

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        elif self.code:
            where.append(f"code {self.code} (not in the file)")
        if self.field:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class CodeImportError(Exception):
    """The file cannot be imported; `issues` lists every problem found."""

    def __init__(self, issues: list[ImportIssue], *, source: str):
        self.issues = issues
        self.source = source
        super().__init__(self.describe())

    def messages(self, limit: int = ERROR_LIMIT) -> list[str]:
        lines = [str(issue) for issue in self.issues[:limit]]
        if len(self.issues) > limit:
            lines.append(f"and {len(self.issues) - limit} more")
        return lines

    def describe(self, limit: int = ERROR_LIMIT) -> str:
        count = len(self.issues)
        head = f"{self.source}: {count} error{'s' if count != 1 else ''}; nothing was imported."
        return "\n".join([head, *(f"  {line}" for line in self.messages(limit))])


@dataclass
class ImportReport:
    source: str
    rows: int
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Codes this import marked deleted (they are also counted in `changed`).
    deleted: list[str] = field(default_factory=list)
    revisions: int = 0
    dry_run: bool = False

    @property
    def summary(self) -> str:
        return (
            f"added {len(self.added)}, changed {len(self.changed)}, "
            f"unchanged {len(self.unchanged)}, deleted {len(self.deleted)}"
        )

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.deleted)


@dataclass
class _Row:
    line: int
    code: str
    values: dict[str, str]


def codes_import_csv(
    *,
    path_or_file: str | os.PathLike | IO[Any],
    mark_missing_deleted: int | None = None,
    dry_run: bool = False,
    actor=None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Create or update codes from a CSV file in one transaction.

    Columns that are absent leave those fields as they are; a present column
    sets the field, empty included. With `mark_missing_deleted`, active codes
    that the file does not list are marked deleted in that year. With
    `dry_run`, everything is computed and then rolled back.

    Raises `CodeImportError` listing every problem; the database is then
    untouched. Each revision written carries the note "Imported from FILE".
    """
    text, source = _read_text(path_or_file)
    rows, issues = csv_rows_parse(text, progress=progress)
    fatal = any(issue.line == 1 for issue in issues) or (not rows and issues)
    if not rows and not issues:
        issues.append(ImportIssue(None, None, "The file has a header but no codes."))
    if mark_missing_deleted is not None and not (
        YEAR_RANGE[0] <= mark_missing_deleted <= YEAR_RANGE[1]
    ):
        issues.append(
            ImportIssue(
                None,
                "--mark-missing-deleted",
                f"{mark_missing_deleted} is not a plausible year "
                f"({YEAR_RANGE[0]}–{YEAR_RANGE[1]}).",
            )
        )
    if fatal or not rows:
        raise CodeImportError(_ordered(issues), source=source)

    note = f"Imported from {source}"
    entries = [CodeValues(row.code, row.values, note) for row in rows]
    lines = [row.line for row in rows]
    report = ImportReport(source=source, rows=len(rows), dry_run=dry_run)
    with transaction.atomic():
        if mark_missing_deleted is not None and not issues:
            in_file = {row.code for row in rows}
            active = set(Code.objects.active().values_list("code", flat=True))
            entries += [
                CodeValues(
                    number,
                    {"status": Code.Status.DELETED, "deleted_year": mark_missing_deleted},
                    f"Marked deleted in {mark_missing_deleted}: not in {source}",
                )
                for number in sorted(active - in_file)
            ]
        total = len(entries)
        try:
            # Runs even when reading found errors, so that its checks (categories,
            # years, related codes) are reported in the same pass; any error
            # rolls the whole transaction back below.
            result = codes_apply(
                entries=entries,
                actor=actor,
                note=note,
                progress=(lambda done: progress("apply", done, total)) if progress else None,
            )
        except CodeDataError as exc:
            issues.extend(_issues_from_data_error(exc, entries, lines))
        else:
            report.added, report.changed = result.added, result.changed
            report.unchanged, report.deleted = result.unchanged, result.deleted
            report.revisions = len(result.revisions)
        if issues or dry_run:
            transaction.set_rollback(True)
    if issues:
        raise CodeImportError(_ordered(issues), source=source)
    return report


def csv_rows_parse(
    text: str, *, progress: ProgressCallback | None = None
) -> tuple[list[_Row], list[ImportIssue]]:
    """Split the file into rows keyed by column; returns (rows, issues).

    Checks the header, the shape of every row and duplicate codes. The values
    themselves are checked by `codes_apply`. A header problem stops here: the
    rows cannot be read without knowing the columns.
    """
    issues: list[ImportIssue] = []
    # PostgreSQL refuses NUL in text, and a UTF-16 file read as UTF-8 is full of them.
    nul = text.find("\x00")
    if nul != -1:
        line = sum(1 for _ in io.StringIO(text[:nul] + "x", newline=""))
        message = (
            "The file contains a NUL character, so it is not a UTF-8 text file (it may be "
            "UTF-16 or a spreadsheet); save it as “CSV UTF-8” and import it again."
        )
        return [], [ImportIssue(line, None, message)]
    total_lines = sum(1 for _ in io.StringIO(text, newline=""))
    # strict: a stray quote is an error rather than silently merged text.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return [], [ImportIssue(1, None, f"The header cannot be read as CSV ({exc}).")]
    if header is None or not any(cell.strip() for cell in header):
        expected = ", ".join(REQUIRED_COLUMNS)
        return [], [ImportIssue(1, None, f"The first line must be the header: {expected}, …")]

    columns = [cell.strip().lower() for cell in header]
    seen: set[str] = set()
    for position, (name, original) in enumerate(zip(columns, header, strict=True), start=1):
        if not name:
            issues.append(ImportIssue(1, f"column {position}", "This column has no name."))
        elif name not in COLUMNS:
            issues.append(
                ImportIssue(
                    1,
                    original.strip(),
                    f"Unknown column “{original.strip()}”; the columns are {', '.join(COLUMNS)}.",
                )
            )
        elif name in seen:
            issues.append(ImportIssue(1, name, "This column appears more than once."))
        seen.add(name)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            issues.append(ImportIssue(1, name, "This required column is missing."))
    if issues:
        return [], issues

    rows: list[_Row] = []
    first_line: dict[str, int] = {}
    previous_end = reader.line_num
    while True:
        line = previous_end + 1  # a quoted value may span lines: report where the row starts
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            issues.append(ImportIssue(line, None, f"This row cannot be read as CSV ({exc})."))
            break
        if cells is None:
            break
        previous_end = reader.line_num
        if progress:
            progress("read", previous_end, total_lines)
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(columns):
            issues.append(
                ImportIssue(
                    line,
                    None,
                    f"This row has {len(cells)} values but the header has {len(columns)} "
                    "columns (a value with a comma must be in double quotes).",
                )
            )
            continue
        values = dict(zip(columns, cells, strict=True))
        number = normalize_code(values.pop("code"))
        if not number:
            issues.append(ImportIssue(line, "code", "This field is required."))
            continue
        if number in first_line:
            issues.append(
                ImportIssue(
                    line,
                    "code",
                    f"{number} is listed twice, on line {first_line[number]} and line {line}.",
                )
            )
            continue
        first_line[number] = line
        rows.append(_Row(line=line, code=number, values=values))
    return rows, issues


def _read_text(path_or_file: str | os.PathLike | IO[Any]) -> tuple[str, str]:
    """The file's text (UTF-8, byte-order mark dropped) and a name for messages."""
    if isinstance(path_or_file, str | os.PathLike):
        path = Path(path_or_file)
        source = path.name
        try:
            data: bytes | str = path.read_bytes()
        except OSError as exc:
            message = f"Cannot read {path}: {exc.strerror or exc}."
            raise CodeImportError([ImportIssue(None, None, message)], source=source) from exc
    else:
        source = Path(str(getattr(path_or_file, "name", "") or "upload.csv")).name
        data = path_or_file.read()
    if isinstance(data, str):
        return data.removeprefix("\ufeff"), source
    try:
        return data.decode("utf-8-sig"), source
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = (
            f"The file is not UTF-8 (byte 0x{data[exc.start]:02x} at position {exc.start + 1} "
            "is not valid UTF-8); save it as “CSV UTF-8” and import it again."
        )
        raise CodeImportError([ImportIssue(line, None, message)], source=source) from exc


def _issues_from_data_error(
    exc: CodeDataError, entries: list[CodeValues], lines: list[int]
) -> list[ImportIssue]:
    """Turn codes_apply's {entry index: {field: messages}} into file positions."""
    issues = []
    for index, fields in sorted(exc.entry_errors.items()):
        line = lines[index] if index < len(lines) else None
        for name, messages in fields.items():
            issues.extend(
                ImportIssue(line, name, message, code=entries[index].code) for message in messages
            )
    return issues


def _ordered(issues: list[ImportIssue]) -> list[ImportIssue]:
    # File order; problems without a line (codes not in the file) last.
    return sorted(issues, key=lambda issue: (issue.line is None, issue.line or 0))
