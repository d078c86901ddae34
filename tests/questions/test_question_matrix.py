"""Every question state × action × role: allowed ones change the state, the rest are refused."""

import pytest

from contributions.core.errors import NotPermitted, TransitionNotAllowed
from contributions.models import Question
from contributions.questions.services import (
    question_answer,
    question_assign,
    question_close,
    question_mark_spam,
)

pytestmark = pytest.mark.django_db
QS = Question.Status

# (state, action, role) -> the state after. Roles: the expert who holds the question
# ("holder"), another expert, an expert lead, a reviewer (not an expert at all).
ALLOWED = {
    (QS.NEW, "claim", "holder"): QS.ASSIGNED,
    (QS.NEW, "claim", "other"): QS.ASSIGNED,
    (QS.NEW, "claim", "lead"): QS.ASSIGNED,
    (QS.NEW, "spam", "holder"): QS.SPAM,
    (QS.NEW, "spam", "other"): QS.SPAM,
    (QS.NEW, "spam", "lead"): QS.SPAM,
    (QS.ASSIGNED, "claim", "other"): None,  # refused: taking over needs a lead
    (QS.ASSIGNED, "claim", "lead"): QS.ASSIGNED,  # a lead takes it over
    (QS.ASSIGNED, "answer", "holder"): QS.ANSWERED,
    (QS.ASSIGNED, "answer", "lead"): QS.ANSWERED,
    (QS.ASSIGNED, "spam", "holder"): QS.SPAM,
    (QS.ASSIGNED, "spam", "other"): QS.SPAM,
    (QS.ASSIGNED, "spam", "lead"): QS.SPAM,
    (QS.ANSWERED, "close", "holder"): QS.CLOSED,
    (QS.ANSWERED, "close", "other"): QS.CLOSED,
    (QS.ANSWERED, "close", "lead"): QS.CLOSED,
}
STATES = (QS.NEW, QS.ASSIGNED, QS.ANSWERED, QS.CLOSED, QS.SPAM)
ACTIONS = ("claim", "answer", "close", "spam")
ROLES = ("holder", "other", "lead", "reviewer")


@pytest.fixture
def people(expert, expert2, lead, reviewer):
    return {"holder": expert, "other": expert2, "lead": lead, "reviewer": reviewer}


def _bring(question, state, holder):
    if state in (QS.ASSIGNED, QS.ANSWERED, QS.CLOSED):
        question_assign(question_id=question.pk, actor=holder)
    if state in (QS.ANSWERED, QS.CLOSED):
        question_answer(question_id=question.pk, actor=holder, answer="An answer.")
    if state == QS.CLOSED:
        question_close(question_id=question.pk, actor=holder)
    if state == QS.SPAM:
        question_mark_spam(question_id=question.pk, actor=holder)


def _do(action, question, actor):
    if action == "claim":
        return question_assign(question_id=question.pk, actor=actor)
    if action == "answer":
        return question_answer(question_id=question.pk, actor=actor, answer="Mine.")
    if action == "close":
        return question_close(question_id=question.pk, actor=actor)
    return question_mark_spam(question_id=question.pk, actor=actor)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", STATES)
def test_question_transition_matrix(ask, people, state, action, role):
    question = ask()
    _bring(question, state, people["holder"])
    events = question.events.count()
    expected = ALLOWED.get((state, action, role))
    if expected is not None:
        _do(action, question, people[role])
        question.refresh_from_db()
        assert question.status == expected
        assert question.events.count() == events + 1
        if action == "claim":
            assert question.assigned_to == people[role]
        return
    with pytest.raises((NotPermitted, TransitionNotAllowed)):
        _do(action, question, people[role])
    question.refresh_from_db()
    assert question.status == state
    assert question.events.count() == events
