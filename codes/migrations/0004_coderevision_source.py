"""CodeRevision.submission (a foreign key into the workflows) becomes a generic source.

The catalog no longer depends on contributions: a revision names what it published
through content types. Existing links are copied, then the old column is dropped.
"""

import django.db.models.deletion
from django.db import migrations, models


def copy_submission_links(apps, schema_editor):
    CodeRevision = apps.get_model("codes", "CodeRevision")
    ContentType = apps.get_model("contenttypes", "ContentType")
    linked = CodeRevision.objects.filter(submission__isnull=False)
    if not linked.exists():
        return
    submission_type, _ = ContentType.objects.get_or_create(
        app_label="contributions", model="submission"
    )
    linked.update(source_type=submission_type, source_id=models.F("submission_id"))


def copy_source_links_back(apps, schema_editor):
    CodeRevision = apps.get_model("codes", "CodeRevision")
    CodeRevision.objects.filter(
        source_type__app_label="contributions", source_type__model="submission"
    ).update(submission_id=models.F("source_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("codes", "0003_coderevision_submission"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="coderevision",
            name="source_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AddField(
            model_name="coderevision",
            name="source_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="coderevision",
            index=models.Index(fields=["source_type", "source_id"], name="coderevision_source_idx"),
        ),
        migrations.RunPython(copy_submission_links, copy_source_links_back),
        migrations.RemoveField(model_name="coderevision", name="submission"),
    ]
