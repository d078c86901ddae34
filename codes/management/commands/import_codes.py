"""`manage.py import_codes FILE.csv`: load or update a CDT code set from CSV."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

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

    def handle(self, *args, **options):
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
