"""A code page's published answers, newest first: a partial index on the published rows."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0010_merge_claims"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="question",
            index=models.Index(
                models.F("code"),
                models.OrderBy(models.F("answered_at"), descending=True),
                condition=models.Q(("is_published", True)),
                name="question_published_idx",
            ),
        ),
    ]
