from django.core.management.base import BaseCommand

from contributions.roles import roles_setup


class Command(BaseCommand):
    help = "Create the Reviewers, Publishers, Experts and Expert leads groups (idempotent)."

    def handle(self, *args, **options):
        for name, (created, count) in roles_setup().items():
            verb = "created" if created else "up to date"
            self.stdout.write(f"{name}: {verb}, {count} permissions")
