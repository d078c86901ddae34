"""A version for every existing code, from its effective and deleted years.

Until now a code had one official text, so each gets one version in force from
1 January of its effective year (or from before records begin) until the day
before its deleted year, and, when deleted, a `deleted` version from then on.
"""

import datetime

from django.db import migrations

DATE_MIN = datetime.date(1, 1, 1)
DATE_MAX = datetime.date(9999, 12, 31)


def create_versions(apps, schema_editor):
    Code = apps.get_model("codes", "Code")
    CodeVersion = apps.get_model("codes", "CodeVersion")
    versions = []
    for code in Code.objects.filter(versions__isnull=True).iterator():
        start = datetime.date(code.effective_year, 1, 1) if code.effective_year else DATE_MIN
        deleted_on = datetime.date(code.deleted_year, 1, 1) if code.deleted_year else None
        end = deleted_on - datetime.timedelta(days=1) if deleted_on else DATE_MAX
        text = {
            "code": code,
            "nomenclature": code.nomenclature,
            "descriptor": code.descriptor,
            "revision": code.revision,
        }
        if start <= end:
            versions.append(
                CodeVersion(
                    valid_from=start,
                    valid_until=end,
                    edition=code.effective_year,
                    status="active",
                    **text,
                )
            )
        if deleted_on:
            versions.append(
                CodeVersion(
                    valid_from=deleted_on,
                    valid_until=DATE_MAX,
                    edition=code.deleted_year,
                    status="deleted",
                    **text,
                )
            )
    CodeVersion.objects.bulk_create(versions, batch_size=1000)


def remove_versions(apps, schema_editor):
    apps.get_model("codes", "CodeVersion").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("codes", "0004_edition_codeversion")]

    operations = [migrations.RunPython(create_versions, remove_versions)]
