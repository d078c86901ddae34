"""`manage.py import_codes FILE.csv`: load or update a CDT code set from CSV.

With `--release YEAR` the file is an edition's whole code set, proposed as a
release to review instead of written: the release workflow registered through
`codes.extensions` does that part.
"""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from codes.extensions import release_provider
from codes.importing import CodeImportError, ImportReport, codes_import_csv

PHASES = {"read": ("Reading", "line"), "apply": ("Importing", "code")}
LIST_LIMIT = 20


class _ProgressBars:
    """One tqdm bar per importer phase, drawn only on a terminal."""

    def __init__(self, stream, *, enabled: bool):
        self.stream, self.enabled = stream, enabled
        self.phase: str | None = None
        self.bar: tqdm | None = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if phase != self.phase:
            self.close()
            label, unit = PHASES.get(phase, (phase, "it"))
            self.bar = tqdm(total=total, desc=label, unit=unit, file=self.stream)
            self.phase = phase
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class Command(BaseCommand):
    help = (
        "Create or update codes from a CSV file, all or nothing. Required columns: code, "
        "nomenclature, descriptor, category; optional: body, documentation, billing_tips, "
        "related_codes, status, effective_year, deleted_year."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file (UTF-8, header row first)")
        parser.add_argument(
            "--mark-missing-deleted",
            type=int,
            metavar="YEAR",
            help="mark active codes that the file does not list as deleted in YEAR",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and show what would change, without writing anything",
        )
        parser.add_argument(
            "--release",
            type=int,
            metavar="YEAR",
            help="the file is CDT YEAR's whole code set: propose it as a release to review "
            "(codes not in the file are proposed as deleted); no live code changes",
        )
        parser.add_argument(
            "--effective",
            type=_day,
            metavar="YYYY-MM-DD",
            help="with --release: the day the edition takes effect (default 1 January YEAR)",
        )

    def handle(self, *args, **options):
        if options["release"] is not None:
            if options["mark_missing_deleted"] is not None or options["dry_run"]:
                raise CommandError(
                    "--release proposes a release and writes no code: "
                    "it takes neither --mark-missing-deleted nor --dry-run."
                )
            self.propose_release(options["file"], options["release"], options["effective"])
            return
        if options["effective"] is not None:
            raise CommandError("--effective goes with --release YEAR.")
        self.import_file(
            options["file"],
            mark_missing_deleted=options["mark_missing_deleted"],
            dry_run=options["dry_run"],
        )

    def import_file(
        self, path: str | Path, *, mark_missing_deleted: int | None = None, dry_run: bool = False
    ) -> ImportReport:
        # tqdm redraws with carriage returns: it needs the raw stream, not
        # Django's OutputWrapper, which appends a newline to every write.
        stream = getattr(self.stderr, "_out", self.stderr)
        isatty = getattr(stream, "isatty", None)
        bars = _ProgressBars(stream, enabled=bool(isatty and isatty()))
        try:
            report = codes_import_csv(
                path_or_file=path,
                mark_missing_deleted=mark_missing_deleted,
                dry_run=dry_run,
                progress=bars,
            )
        except CodeImportError as exc:
            raise CommandError(exc.describe()) from exc
        finally:
            bars.close()
        self.report(report)
        return report

    def propose_release(self, path: str, edition: int, effective_on: datetime.date | None):
        provider = release_provider()
        if provider is None:
            raise CommandError("No release workflow is installed to take --release.")
        stream = getattr(self.stderr, "_out", self.stderr)
        isatty = getattr(stream, "isatty", None)
        bars = _ProgressBars(stream, enabled=bool(isatty and isatty()))
        try:
            proposed = provider.import_(
                path_or_file=path, edition=edition, effective_on=effective_on, progress=bars
            )
        except CodeImportError as exc:
            raise CommandError(exc.describe()) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        finally:
            bars.close()
        self.stdout.write(f"Proposed release CDT {edition}; no live code changed.")
        self.stdout.write(f"Review it at {proposed.release_url}")
        self.stdout.write(self.style.SUCCESS(proposed.summary))
        return proposed

    def report(self, report: ImportReport) -> None:
        self.stdout.write(f"Read {report.rows} codes from {report.source}.")
        if report.deleted:
            shown = ", ".join(report.deleted[:LIST_LIMIT])
            more = len(report.deleted) - LIST_LIMIT
            self.stdout.write(f"Marked deleted: {shown}{f' and {more} more' if more > 0 else ''}.")
        if report.dry_run:
            self.stdout.write(
                self.style.WARNING("Dry run: nothing was written. The import would give:")
            )
        elif not report.changed_anything:
            self.stdout.write("Nothing changed: every code in the file is already up to date.")
        else:
            self.stdout.write(f"Wrote {report.revisions} new revisions.")
        self.stdout.write(self.style.SUCCESS(report.summary))


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{value}” is not a date (YYYY-MM-DD)") from None
