"""`manage.py generate_scale_data`: counts, states, constraints, and its production guard."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F, Q

from codes.models import Code
from contributions.models import (
    Notification,
    Question,
    QuestionEvent,
    Submission,
    SubmissionEvent,
)
from contributions.scale_data import scale_data_generate
from tests.factories import code_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def codes(imaging):
    return [code_make(f"D03{n:02d}", category=imaging) for n in range(70, 76)]


def generate(**options) -> str:
    out = StringIO()
    call_command("generate_scale_data", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def test_generates_the_asked_counts_with_audit_rows_and_outbox(codes, roles):
    output = generate(submissions=120, questions=40, seed=1)

    assert Submission.objects.count() == 120
    assert Question.objects.count() == 40
    assert "submissions: 120" in output
    # Every suggestion is logged from its first state; each state at most once.
    assert SubmissionEvent.objects.filter(to_status="submitted").count() == 120
    assert QuestionEvent.objects.filter(to_status="new").count() == 40
    assert Notification.objects.filter(event="submission.receipt").count() == 120
    assert Notification.objects.filter(event="question.ack").count() == 40


def test_every_state_appears_even_in_a_small_set(codes, roles):
    generate(submissions=5, questions=5, seed=2)

    assert set(Submission.objects.values_list("status", flat=True)) == set(Submission.Status)
    assert set(Question.objects.values_list("status", flat=True)) == set(Question.Status)


COPY_NEEDS_POSTGRES = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY is PostgreSQL's (CI runs it)"
)


@pytest.mark.parametrize(
    "use_copy",
    [pytest.param(True, marks=COPY_NEEDS_POSTGRES), False],
    ids=["copy", "insert"],
)
def test_rows_satisfy_every_constraint_and_workflow_rule(codes, roles, use_copy):
    scale_data_generate(submissions=150, questions=60, seed=3, batch_size=40, use_copy=use_copy)

    for submission in Submission.objects.all():
        submission.validate_constraints()
        events = list(submission.events.order_by("created_at", "id"))
        # The audit trail replays the workflow: starts submitted, ends at the state.
        assert events[0].from_status == "" and events[0].to_status == "submitted"
        assert events[-1].to_status == submission.status
        assert all(a.to_status == b.from_status for a, b in zip(events, events[1:], strict=False))
    for question in Question.objects.all():
        question.validate_constraints()
        events = list(question.events.order_by("created_at", "id"))
        assert events[-1].to_status == question.status
    for notification in Notification.objects.all()[:300]:
        notification.validate_constraints()
    # Separation of duties holds in the generated history too.
    assert not Submission.objects.filter(published_by=F("verified_by")).exists()
    # Nothing happens in the future, and ids follow time (as in real use).
    created = list(Submission.objects.order_by("id").values_list("created_at", flat=True))
    assert created == sorted(created)
    assert not Submission.objects.filter(
        Q(verified_at__lt=F("created_at")) | Q(published_at__lt=F("verified_at"))
    ).exists()


def test_spreads_over_the_codes_and_two_years(codes, roles):
    scale_data_generate(submissions=300, questions=10, seed=4)

    per_code = Submission.objects.values("code").annotate(n=Count("id"))
    assert {row["code"] for row in per_code} >= {c.pk for c in codes}
    dates = Submission.objects.order_by("created_at").values_list("created_at", flat=True)
    assert (dates.last() - dates.first()).days > 600


def test_ids_come_from_the_sequence_so_the_site_can_keep_inserting(codes, roles):
    scale_data_generate(submissions=20, questions=5, seed=5)
    later = Submission.objects.create(
        code=codes[0],
        code_number=codes[0].code,
        changes={"billing_tips": "x"},
        rationale="r",
        submitter_name="n",
        submitter_email="n@example.org",
        token_digest="f" * 64,
    )
    assert later.pk > Submission.objects.exclude(pk=later.pk).order_by("-pk")[0].pk


def test_refuses_production_settings_unless_yes(codes, roles, monkeypatch):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "cdtsite.settings.production")

    with pytest.raises(CommandError, match="production"):
        generate(submissions=3, questions=3)
    assert not Submission.objects.exists()

    generate(submissions=3, questions=3, yes=True)
    assert Submission.objects.count() == 3


def test_without_codes_it_says_what_to_load_first(db):
    Code.objects.all().delete()
    with pytest.raises(CommandError, match="load_sample_data"):
        generate(submissions=1)


@COPY_NEEDS_POSTGRES
def test_insert_fallback_stores_what_copy_stores(codes, roles):
    def made():
        rows = Submission.objects.order_by("id").values_list("status", "code_number", "changes")
        return list(rows), Notification.objects.count()

    scale_data_generate(submissions=40, questions=0, seed=7, use_copy=True)
    first = made()
    Notification.objects.all().delete()
    Submission.objects.all().delete()
    scale_data_generate(submissions=40, questions=0, seed=7, use_copy=False)

    assert made() == first
