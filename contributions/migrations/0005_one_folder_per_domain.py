"""Schema changes of the one-folder-per-domain layout; tables keep their names and rows.

- Notification.submission becomes a generic subject, so a question's (or a release's)
  mails can be traced to it too.
- Submission.published_revision goes: the catalog's CodeRevision.source records which
  revision a publish wrote. Revisions whose link was missing get it from this column first.
- The audit log's "each state once" constraint now covers only the final states, so a
  workflow may re-enter an open state.
"""

import django.db.models.deletion
from django.db import migrations, models


def _content_type(apps, model):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="contributions", model=model)[0]


def notification_subjects(apps, schema_editor):
    Notification = apps.get_model("contributions", "Notification")
    linked = Notification.objects.filter(submission__isnull=False)
    if linked.exists():
        linked.update(
            subject_type=_content_type(apps, "submission"), subject_id=models.F("submission_id")
        )


def notification_subjects_back(apps, schema_editor):
    Notification = apps.get_model("contributions", "Notification")
    Notification.objects.filter(
        subject_type__app_label="contributions", subject_type__model="submission"
    ).update(submission_id=models.F("subject_id"))


def revision_sources(apps, schema_editor):
    Submission = apps.get_model("contributions", "Submission")
    CodeRevision = apps.get_model("codes", "CodeRevision")
    published = Submission.objects.filter(published_revision__isnull=False, code__isnull=False)
    submission_type = None
    for submission in published.iterator():
        submission_type = submission_type or _content_type(apps, "submission")
        CodeRevision.objects.filter(
            code_id=submission.code_id,
            revision=submission.published_revision,
            source_type__isnull=True,
        ).update(source_type=submission_type, source_id=submission.pk)


def revision_numbers_back(apps, schema_editor):
    Submission = apps.get_model("contributions", "Submission")
    CodeRevision = apps.get_model("codes", "CodeRevision")
    rows = CodeRevision.objects.filter(
        source_type__app_label="contributions", source_type__model="submission"
    ).values_list("source_id", "code_id", "revision")
    for submission_id, code_id, revision in rows:
        Submission.objects.filter(pk=submission_id, code_id=code_id).update(
            published_revision=revision
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0004_question_warnings"),
        ("codes", "0004_coderevision_source"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="subject_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="subject_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                fields=["subject_type", "subject_id"], name="notification_subject_idx"
            ),
        ),
        migrations.RunPython(notification_subjects, notification_subjects_back),
        migrations.RemoveField(model_name="notification", name="submission"),
        migrations.RunPython(revision_sources, revision_numbers_back),
        migrations.RemoveField(model_name="submission", name="published_revision"),
        migrations.RemoveConstraint(
            model_name="submissionevent", name="submissionevent_state_once"
        ),
        migrations.AddConstraint(
            model_name="submissionevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("to_status__in", ("published", "rejected", "withdrawn"))),
                fields=("submission", "to_status"),
                name="submissionevent_terminal_once",
            ),
        ),
    ]
