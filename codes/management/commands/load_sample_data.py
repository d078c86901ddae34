"""`manage.py load_sample_data`: load the shipped sample codes (safe to re-run)."""

from codes.importing import SAMPLE_DATA_PATH

from .import_codes import Command as ImportCodesCommand


class Command(ImportCodesCommand):
    help = (
        "Load the sample codes shipped in codes/data/sample_codes.csv. "
        "Idempotent: a second run changes nothing."
    )

    def add_arguments(self, parser):
        pass

    def handle(self, *args, **options):
        self.import_file(SAMPLE_DATA_PATH)
