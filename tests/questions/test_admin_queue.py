"""The experts' queue as a workplace: where each action leads, answer-and-publish in one
step, and the "my queue" views."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone
from django.utils.html import strip_tags

from contributions.models import Notification, Question
from contributions.questions.selectors import question_next
from contributions.questions.services import question_answer, question_assign
from tests.factories import code_make

pytestmark = pytest.mark.django_db

QUEUE = "/admin/contributions/question/"
QS = Question.Status


def _page(pk):
    return f"{QUEUE}{pk}/change/"


def _act(pk, action):
    return f"{QUEUE}{pk}/act/{action}/"


def _message(response) -> str:
    """The latest message (earlier ones stay queued while redirects are not followed)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


@pytest.fixture
def three(ask):
    """Three waiting questions in queue order (soonest due first)."""
    return [ask(subject=f"Question {n}") for n in range(3)]


def _answered(question, expert):
    question_assign(question_id=question.pk, actor=expert)
    question_answer(question_id=question.pk, actor=expert, answer="Yes.")


def test_after_claiming_the_expert_stays_to_answer_and_is_offered_the_next(client, expert, three):
    first, second, _third = three
    client.force_login(expert)
    response = client.post(_act(first.pk, "claim"))
    assert response.url == _page(first.pk)
    message = _message(response)
    assert f'Next: <a href="{_page(second.pk)}">#{second.pk} Question 1</a>.' in message
    assert strip_tags(message).startswith(f"Question #{first.pk} assigned to you.")


@pytest.mark.parametrize("action", ["answer", "spam"])
def test_after_answering_or_spam_the_next_waiting_question_opens(client, expert, three, action):
    first, second, _third = three
    question_assign(question_id=first.pk, actor=expert)
    client.force_login(expert)
    response = client.post(_act(first.pk, action), {"answer": "Yes."})
    assert response.url == _page(second.pk)
    message = _message(response)
    assert f'<a href="{_page(first.pk)}">Question #{first.pk}</a>' in message
    assert (
        Question.objects.get(pk=first.pk).status
        == {
            "answer": QS.ANSWERED,
            "spam": QS.SPAM,
        }[action]
    )


def test_after_closing_the_first_waiting_question_opens(client, expert, three):
    first, second, third = three
    _answered(third, expert)
    client.force_login(expert)
    response = client.post(_act(third.pk, "close"))
    assert response.url == _page(first.pk)  # nothing after it: from the top
    assert strip_tags(_message(response)).startswith(f"Question #{third.pk} closed.")


def test_with_nothing_else_waiting_the_expert_is_back_on_the_queue(client, expert, ask):
    only = ask()
    question_assign(question_id=only.pk, actor=expert)
    client.force_login(expert)
    response = client.post(_act(only.pk, "answer"), {"answer": "Yes."})
    assert response.url == QUEUE
    assert strip_tags(_message(response)) == (
        f"Question #{only.pk} answered. Nothing else waits for you."
    )
    response = client.post(_act(only.pk, "close"))
    assert response.url == QUEUE


def test_an_expert_is_not_sent_to_another_experts_question_but_a_lead_is(
    client, expert, expert2, lead, three
):
    first, second, third = three
    question_assign(question_id=second.pk, actor=expert2)
    assert question_next(user=expert, after=first) == third
    assert question_next(user=lead, after=first) == second
    client.force_login(expert)
    response = client.post(_act(first.pk, "spam"))
    assert response.url == _page(third.pk)


def test_a_lead_assigning_goes_on_to_the_next(client, lead, expert, three):
    first, second, _third = three
    client.force_login(lead)
    response = client.post(_act(first.pk, "assign"), {"assignee": expert.pk})
    assert response.url == _page(second.pk)


def test_answer_and_publish_in_one_step_when_the_asker_agreed(client, expert, ask, imaging):
    code_make("D0370", category=imaging)
    question = ask(code="D0370", publish_consent=True)
    question_assign(question_id=question.pk, actor=expert)
    client.force_login(expert)
    assert 'name="publish"' in client.get(_page(question.pk)).content.decode()
    response = client.post(_act(question.pk, "answer"), {"answer": "Yes.", "publish": "1"})
    question.refresh_from_db()
    assert (question.status, question.is_published) == (QS.ANSWERED, True)
    assert response.url == QUEUE
    assert '<a href="/codes/D0370/#questions">D0370’s page</a>' in _message(response)
    notes = list(question.events.values_list("note", flat=True))
    assert notes[-1] == "Shown on the code's page."


def test_no_publish_box_without_consent_or_code(client, expert, ask, imaging):
    code_make("D0370", category=imaging)
    no_consent = ask(code="D0370")
    no_code = ask(publish_consent=True)
    for question in (no_consent, no_code):
        question_assign(question_id=question.pk, actor=expert)
    client.force_login(expert)
    for question in (no_consent, no_code):
        html = client.get(_page(question.pk)).content.decode()
        assert 'id="action-answer"' in html
        assert 'name="publish"' not in html


def test_a_refused_publish_sends_no_answer_either(
    client, expert, ask, django_capture_on_commit_callbacks
):
    question = ask()  # no consent
    question_assign(question_id=question.pk, actor=expert)
    before = Notification.objects.count()
    client.force_login(expert)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _act(question.pk, "answer"), {"answer": "Kept text.", "publish": "1"}
        )
    question.refresh_from_db()
    assert (question.status, question.answer) == (QS.ASSIGNED, "")
    assert Notification.objects.count() == before
    assert response.status_code == 200  # the page again, with the text kept
    assert "Kept text." in response.content.decode()
    assert "did not agree to publishing" in _message(response)


def test_spam_looks_destructive_and_answer_is_the_primary_button(client, expert, ask):
    question = ask()
    question_assign(question_id=question.pk, actor=expert)
    client.force_login(expert)
    html = client.get(_page(question.pk)).content.decode()
    assert '<button type="submit" class="button danger">Mark as spam</button>' in html
    assert '<button type="submit" class="button default">Send the answer</button>' in html


def test_my_queue_waiting_for_me_and_mine_at_risk(client, expert, expert2, three):
    first, second, third = three
    for question in (first, second):
        question_assign(question_id=question.pk, actor=expert)
    question_assign(question_id=third.pk, actor=expert2)
    now = timezone.now()
    Question.objects.filter(pk__in=[second.pk, third.pk]).update(
        received_at=now - timedelta(days=1, hours=2), target_at=now - timedelta(hours=2)
    )
    client.force_login(expert)
    waiting = client.get(QUEUE, {"queue": "waiting"})
    assert {q.pk for q in waiting.context["cl"].result_list} == {first.pk, second.pk}
    at_risk = client.get(QUEUE, {"queue": "at_risk"})
    assert [q.pk for q in at_risk.context["cl"].result_list] == [second.pk]
    html = at_risk.content.decode()
    assert "<strong>2</strong> waiting for me" in html
    assert "<strong>1</strong> of mine at risk" in html
    assert "By queue" in html
