"""Business hours to first response, stored with each response (the report sums them in
SQL); filled in here for the questions already answered."""

from django.db import migrations, models

BATCH = 2000


def backfill(apps, schema_editor):
    from contributions.questions.business_days import business_hours_between

    Question = apps.get_model("contributions", "Question")
    answered = Question.objects.filter(first_response_at__isnull=False).only(
        "received_at", "first_response_at"
    )
    batch = []
    for question in answered.iterator(chunk_size=BATCH):
        question.first_response_hours = business_hours_between(
            question.received_at, question.first_response_at
        )
        batch.append(question)
        if len(batch) == BATCH:
            Question.objects.bulk_update(batch, ["first_response_hours"])
            batch = []
    Question.objects.bulk_update(batch, ["first_response_hours"])


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0011_question_published_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="first_response_hours",
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
