from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from codes.models import Code
from contributions.core.errors import NotPermitted, TransitionNotAllowed
from contributions.models import Question
from contributions.questions.services import (
    question_answer,
    question_assign,
    question_by_token,
    question_close,
    question_create,
    question_mark_spam,
    question_publish,
)
from tests.factories import code_make

pytestmark = pytest.mark.django_db
QS = Question.Status


def test_a_question_gets_its_promise_and_an_audit_row(ask):
    question = ask()
    assert question.status == QS.NEW
    assert question.received_at < question.target_at < question.due_at
    assert question.events.get().to_status == QS.NEW
    assert question_by_token(question.token) == question
    assert question.token not in str(Question.objects.filter(pk=question.pk).values().get())


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"email": "nope"}, "email"),
        ({"subject": " "}, "subject"),
        ({"subject": "x" * 201}, "subject"),
        ({"body": ""}, "body"),
        ({"code": "D9999"}, "code"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(ask, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        ask(**overrides)
    assert field in excinfo.value.message_dict
    assert Question.objects.count() == 0


def test_a_question_can_be_about_a_code(ask, imaging):
    code_make("D0370", category=imaging)
    assert ask(code="d0370").code == Code.objects.get(code="D0370")


def _status_of(question, now):
    return (
        Question.objects.with_response_status(now)
        .filter(pk=question.pk)
        .values_list("response_status", flat=True)
        .get()
    )


def test_every_response_status_is_computed_and_filterable_in_sql(ask, expert):
    waiting = ask()
    answered = ask()
    question_assign(question_id=answered.pk, actor=expert)
    question_answer(question_id=answered.pk, actor=expert, answer="Yes.")
    answered.refresh_from_db()

    assert _status_of(waiting, waiting.received_at) == "on_track"
    assert _status_of(waiting, waiting.target_at + timedelta(minutes=1)) == "at_risk"
    assert _status_of(waiting, waiting.due_at + timedelta(minutes=1)) == "overdue"
    assert _status_of(answered, answered.due_at + timedelta(days=9)) == "met"

    Question.objects.filter(pk=answered.pk).update(answered_at=answered.due_at + timedelta(hours=1))
    assert _status_of(answered, timezone.now()) == "breached"

    later = waiting.due_at + timedelta(hours=1)
    overdue = Question.objects.with_response_status(later).filter(response_status="overdue")
    assert list(overdue) == [waiting]


def test_spam_has_no_response_status(ask, expert):
    question = ask()
    question_mark_spam(question_id=question.pk, actor=expert)
    assert _status_of(question, question.due_at + timedelta(days=1)) == ""


def test_expert_claims_answers_and_closes(ask, expert):
    question = ask()
    question_assign(question_id=question.pk, actor=expert)
    question_answer(question_id=question.pk, actor=expert, answer="Bill D0370 only.")
    question.refresh_from_db()
    assert (question.status, question.answered_by, question.assigned_to) == (
        QS.ANSWERED,
        expert,
        expert,
    )
    assert question.first_response_at == question.answered_at
    question_close(question_id=question.pk, actor=expert)
    question.refresh_from_db()
    assert question.status == QS.CLOSED
    assert list(question.events.values_list("from_status", "to_status")) == [
        ("", "new"),
        ("new", "assigned"),
        ("assigned", "answered"),
        ("answered", "closed"),
    ]


def test_only_the_assigned_expert_answers(ask, expert, expert2):
    question = ask()
    question_assign(question_id=question.pk, actor=expert)
    with pytest.raises(NotPermitted):
        question_answer(question_id=question.pk, actor=expert2, answer="Mine!")
    with pytest.raises(NotPermitted):
        question_assign(question_id=question.pk, actor=expert2)  # no taking over


def test_a_lead_assigns_to_an_expert_and_may_take_over(ask, expert, expert2, lead):
    question = ask()
    question_assign(question_id=question.pk, actor=lead, assignee=expert)
    assert Question.objects.get(pk=question.pk).assigned_to == expert
    question_assign(question_id=question.pk, actor=lead, assignee=expert2)
    assert Question.objects.get(pk=question.pk).assigned_to == expert2
    question_answer(question_id=question.pk, actor=lead, answer="Lead answers.")
    assert Question.objects.get(pk=question.pk).status == QS.ANSWERED


def test_an_expert_cannot_assign_to_someone_else(ask, expert, expert2):
    question = ask()
    with pytest.raises(NotPermitted):
        question_assign(question_id=question.pk, actor=expert, assignee=expert2)


def test_nobody_assigns_to_a_non_expert(ask, lead, reviewer):
    question = ask()
    with pytest.raises(NotPermitted, match="not an expert"):
        question_assign(question_id=question.pk, actor=lead, assignee=reviewer)


def test_non_experts_may_do_nothing(ask, reviewer):
    question = ask()
    for call in (
        lambda: question_assign(question_id=question.pk, actor=reviewer),
        lambda: question_mark_spam(question_id=question.pk, actor=reviewer),
        lambda: question_close(question_id=question.pk, actor=reviewer),
    ):
        with pytest.raises(NotPermitted):
            call()
    assert Question.objects.get(pk=question.pk).status == QS.NEW


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (QS.NEW, "answer"),
        (QS.NEW, "close"),
        (QS.ASSIGNED, "close"),
        (QS.ANSWERED, "spam"),
        (QS.ANSWERED, "answer"),
        (QS.CLOSED, "assign"),
        (QS.SPAM, "assign"),
        (QS.SPAM, "spam"),
    ],
)
def test_refused_transitions(ask, expert, state, action):
    question = ask()
    if state in (QS.ASSIGNED, QS.ANSWERED, QS.CLOSED):
        question_assign(question_id=question.pk, actor=expert)
    if state in (QS.ANSWERED, QS.CLOSED):
        question_answer(question_id=question.pk, actor=expert, answer="A.")
    if state == QS.CLOSED:
        question_close(question_id=question.pk, actor=expert)
    if state == QS.SPAM:
        question_mark_spam(question_id=question.pk, actor=expert)
    calls = {
        "answer": lambda: question_answer(question_id=question.pk, actor=expert, answer="B."),
        "close": lambda: question_close(question_id=question.pk, actor=expert),
        "spam": lambda: question_mark_spam(question_id=question.pk, actor=expert),
        "assign": lambda: question_assign(question_id=question.pk, actor=expert),
    }
    with pytest.raises((TransitionNotAllowed, NotPermitted)):
        calls[action]()
    assert Question.objects.get(pk=question.pk).status == state


def test_answer_must_not_be_empty(ask, expert):
    question = ask()
    question_assign(question_id=question.pk, actor=expert)
    with pytest.raises(ValidationError) as excinfo:
        question_answer(question_id=question.pk, actor=expert, answer="  ")
    assert "answer" in excinfo.value.message_dict


def test_publishing_needs_consent_an_answer_and_a_code(ask, expert, imaging):
    code_make("D0370", category=imaging)
    no_consent = ask(code="D0370")
    consent = ask(code="D0370", publish_consent=True)
    for q in (no_consent, consent):
        question_assign(question_id=q.pk, actor=expert)
    with pytest.raises(TransitionNotAllowed, match="answered"):
        question_publish(question_id=consent.pk, actor=expert)
    for q in (no_consent, consent):
        question_answer(question_id=q.pk, actor=expert, answer="A.")
    with pytest.raises(TransitionNotAllowed, match="agree"):
        question_publish(question_id=no_consent.pk, actor=expert)
    question_publish(question_id=consent.pk, actor=expert)
    assert Question.objects.get(pk=consent.pk).is_published is True
    question_publish(question_id=consent.pk, actor=expert, publish=False)
    assert Question.objects.get(pk=consent.pk).is_published is False


def test_question_create_direct_call_keeps_the_email_private_field(db):
    question, _ = question_create(
        name="A", email="A@Example.NET", subject="S", body="B", publish_consent=True
    )
    assert question.email == "a@example.net"


def test_refusals_read_as_plain_english(ask, expert):
    question = ask()
    with pytest.raises(TransitionNotAllowed, match="cannot be closed"):
        question_close(question_id=question.pk, actor=expert)
    question_mark_spam(question_id=question.pk, actor=expert)
    with pytest.raises(TransitionNotAllowed, match="cannot be marked as spam"):
        question_mark_spam(question_id=question.pk, actor=expert)
