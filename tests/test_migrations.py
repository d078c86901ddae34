"""The one-folder-per-domain migration keeps every existing row and link.

Runs the real migrations on the test database: back to the layout before it,
rows written with the old models, forward again, then read with the new ones.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("codes", "0003_coderevision_submission"), ("contributions", "0004_question_warnings")]
AFTER = [("codes", "0004_coderevision_source"), ("contributions", "0005_one_folder_per_domain")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest(transactional_db):
    """Whatever happens, leave the database at the latest migrations for the next tests."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_migration_keeps_rows_and_moves_links_to_generic_subjects(back_to_latest):
    old = _migrate(BEFORE)
    now = timezone.now()
    Category = old.get_model("codes", "Category")
    Code = old.get_model("codes", "Code")
    CodeRevision = old.get_model("codes", "CodeRevision")
    Submission = old.get_model("contributions", "Submission")
    SubmissionEvent = old.get_model("contributions", "SubmissionEvent")
    Notification = old.get_model("contributions", "Notification")
    Question = old.get_model("contributions", "Question")

    category = Category.objects.create(
        name="Imaging (migration test)", slug="imaging-mt", range_start="D0300", range_end="D0399"
    )
    code = Code.objects.create(code="D0370", nomenclature="Ultrasound", category=category)
    # One publish linked from the revision (the old foreign key), one only by number.
    linked = Submission.objects.create(
        code=code, code_number="D0370", changes={"body": "x"}, rationale="r",
        submitter_name="Ann", submitter_email="ann@example.com", token_digest="a" * 64,
        status="published", published_at=now, published_revision=2,
    )  # fmt: skip
    by_number = Submission.objects.create(
        code=code, code_number="D0370", changes={"body": "y"}, rationale="r",
        submitter_name="Bo", submitter_email="bo@example.com", token_digest="b" * 64,
        status="published", published_at=now, published_revision=3,
    )  # fmt: skip
    waiting = Submission.objects.create(
        code=code, code_number="D0370", changes={"body": "z"}, rationale="r",
        submitter_name="Cy", submitter_email="cy@example.com", token_digest="c" * 64,
    )  # fmt: skip
    for revision, submission in ((1, None), (2, linked), (3, None)):
        CodeRevision.objects.create(
            code=code, revision=revision, nomenclature="Ultrasound", category=category,
            status="active", published_at=now, submission=submission,
        )  # fmt: skip
    SubmissionEvent.objects.create(
        submission=linked, actor_label="Ann", from_status="", to_status="submitted"
    )
    Notification.objects.create(
        event="submission.receipt", event_key="submission.receipt:1",
        recipient="ann@example.com", submission=linked,
    )  # fmt: skip
    question = Question.objects.create(
        name="Dee", email="dee@example.com", subject="s", body="b", code=code,
        token_digest="d" * 64, received_at=now, target_at=now + timezone.timedelta(days=1),
        due_at=now + timezone.timedelta(days=2),
    )  # fmt: skip

    _migrate(AFTER)
    # Later migrations too, so the current models can read the rows (and later tests run).
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from codes.models import CodeRevision as NewRevision
    from contributions.models import Notification as NewNotification
    from contributions.models import Question as NewQuestion
    from contributions.models import Submission as NewSubmission

    assert NewSubmission.objects.count() == 3
    assert NewQuestion.objects.filter(pk=question.pk).exists()
    assert NewSubmission.objects.get(pk=linked.pk).published_revision == 2
    assert NewSubmission.objects.get(pk=by_number.pk).published_revision == 3
    assert NewSubmission.objects.get(pk=waiting.pk).published_revision is None
    sources = {r.revision: r.source for r in NewRevision.objects.filter(code__code="D0370")}
    assert sources == {
        1: None,
        2: NewSubmission.objects.get(pk=linked.pk),
        3: NewSubmission.objects.get(pk=by_number.pk),
    }
    mail = NewNotification.objects.get()
    assert mail.subject == NewSubmission.objects.get(pk=linked.pk)
    assert list(NewNotification.objects.filter(submission=linked.pk)) == [mail]
