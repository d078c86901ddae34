"""Indexes for queues of millions of rows: each filter and sort reviewers, experts and
operators use, the review queue's open rows, the sweep's pending rows, and trigram
indexes for the admin's word search (PostgreSQL only; SQLite migrates without them)."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations, models
from django.db.models.functions import Upper

from contributions.core.indexes import AddIndexOnPostgres, TrigramExtensionOnPostgres

OPEN = models.Q(("status__in", ["submitted", "verified"]))


def trigram(name, field):
    return GinIndex(OpClass(Upper(field), name="gin_trgm_ops"), name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0005_one_folder_per_domain"),
    ]

    operations = [
        # CREATE EXTENSION pg_trgm; a no-op on other databases.
        TrigramExtensionOnPostgres(),
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(
                condition=OPEN, fields=["created_at", "id"], name="submission_open_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(
                fields=["code_number", "created_at", "id"], name="submission_code_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(
                condition=OPEN,
                fields=["code_number", "created_at", "id"],
                name="submission_open_code_idx",
            ),
        ),
        AddIndexOnPostgres(
            model_name="submission", index=trigram("submission_name_trgm_idx", "submitter_name")
        ),
        AddIndexOnPostgres(
            model_name="submission", index=trigram("submission_rationale_trgm_idx", "rationale")
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(
                models.Case(
                    models.When(status__in=["new", "assigned"], then=models.Value(0)),
                    default=models.Value(1),
                    output_field=models.IntegerField(),
                ),
                models.F("due_at"),
                models.F("id"),
                name="question_queue_order_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ["new", "assigned"]), ("target_warned_at__isnull", True)
                ),
                fields=["target_at"],
                name="question_target_warn_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ["new", "assigned"]), ("due_warned_at__isnull", True)
                ),
                fields=["due_at"],
                name="question_due_warn_idx",
            ),
        ),
        AddIndexOnPostgres(
            model_name="question", index=trigram("question_subject_trgm_idx", "subject")
        ),
        AddIndexOnPostgres(model_name="question", index=trigram("question_body_trgm_idx", "body")),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["-created_at", "-id"], name="notification_list_idx"),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                fields=["event", "-created_at", "-id"], name="notification_event_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                fields=["recipient", "-created_at"], name="notification_recipient_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("state", "pending")),
                fields=["id"],
                name="notification_pending_idx",
            ),
        ),
    ]
