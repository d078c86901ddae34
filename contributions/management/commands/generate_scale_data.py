"""`manage.py generate_scale_data --submissions N --questions M`: fill the database at scale."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from contributions.scale_data import ScaleDataError, scale_data_generate


class Command(BaseCommand):
    help = (
        "Add generated suggestions and billing questions, with their audit rows and outbox "
        "notifications, spread over the existing codes, every state and the last two years. "
        "For benchmarks: refuses the production settings unless --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--submissions", type=int, default=0, metavar="N")
        parser.add_argument("--questions", type=int, default=0, metavar="M")
        parser.add_argument("--seed", type=int, default=None, help="repeatable data")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--yes", action="store_true", help="run even with the production settings"
        )

    def handle(self, *args, **options):
        module = os.environ.get("DJANGO_SETTINGS_MODULE") or settings.SETTINGS_MODULE or ""
        if module.endswith(".production") and not options["yes"]:
            raise CommandError(
                f"Refusing to add generated data under {module}: "
                "this looks like a production database. Pass --yes if it is not."
            )
        total = options["submissions"] + options["questions"]
        with tqdm(total=total, unit="row", file=self.stderr, disable=not total) as bar:
            try:
                counts = scale_data_generate(
                    submissions=options["submissions"],
                    questions=options["questions"],
                    seed=options["seed"],
                    batch_size=max(1, options["batch_size"]),
                    progress=bar.update,
                )
            except ScaleDataError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(
            ", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in counts.as_dict().items())
        )
