from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone
from django.utils.html import strip_tags

from contributions.models import Question
from contributions.questions.services import question_answer, question_assign
from tests.factories import code_make

pytestmark = pytest.mark.django_db

QUEUE = "/admin/contributions/question/"
QS = Question.Status


def _page(pk):
    return f"{QUEUE}{pk}/change/"


def _act(pk, action):
    return f"{QUEUE}{pk}/act/{action}/"


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _text(html: str) -> str:
    return strip_tags(html)


def _login(client, user):
    client.force_login(user)
    return client


def _shift(question, *, target_hours: float, due_hours: float):
    """Move the promise so that target and due are `…_hours` from now (negative: past)."""
    now = timezone.now()
    Question.objects.filter(pk=question.pk).update(
        received_at=now + timedelta(hours=min(target_hours, 0) - 24),
        target_at=now + timedelta(hours=target_hours),
        due_at=now + timedelta(hours=due_hours),
    )


@pytest.fixture
def states(ask, expert, lead):
    """One question in each response status."""
    on_track = ask(subject="on track")
    at_risk = ask(subject="at risk")
    _shift(at_risk, target_hours=-2, due_hours=5)
    overdue = ask(subject="overdue")
    _shift(overdue, target_hours=-30, due_hours=-3)
    met = ask(subject="met")
    question_assign(question_id=met.pk, actor=expert)
    question_answer(question_id=met.pk, actor=expert, answer="Yes.")
    return {"on_track": on_track, "at_risk": at_risk, "overdue": overdue, "met": met}


def _ids(response):
    return [q.pk for q in response.context["cl"].result_list]


# --- The queue -------------------------------------------------------------------------


def test_experts_see_the_queue_and_reviewers_do_not(client, expert, reviewer, ask):
    ask()
    assert _login(client, expert).get(QUEUE).status_code == 200
    assert _login(client, reviewer).get(QUEUE).status_code == 403


def test_queue_is_sorted_by_due_time_with_waiting_questions_first(client, expert, states):
    # The answered question was due before all the others: it still comes last.
    now = timezone.now()
    Question.objects.filter(pk=states["met"].pk).update(
        received_at=now - timedelta(days=10),
        target_at=now - timedelta(days=9),
        due_at=now - timedelta(days=8),
        answered_at=now - timedelta(days=9),
    )
    response = _login(client, expert).get(QUEUE)
    # overdue (due 3 h ago), at risk (due in 5 h), on track (due in 2 business days).
    assert _ids(response) == [
        states["overdue"].pk,
        states["at_risk"].pk,
        states["on_track"].pk,
        states["met"].pk,
    ]


@pytest.mark.parametrize("status", ["on_track", "at_risk", "overdue", "met"])
def test_response_status_filter_returns_the_right_rows(client, expert, states, status):
    response = _login(client, expert).get(QUEUE, {"response": status})
    assert response.status_code == 200
    assert _ids(response) == [states[status].pk]


def test_breached_filter_and_badges(client, expert, states):
    Question.objects.filter(pk=states["met"].pk).update(
        answered_at=states["met"].due_at + timedelta(minutes=1)
    )
    response = _login(client, expert).get(QUEUE, {"response": "breached"})
    assert _ids(response) == [states["met"].pk]
    html = _login(client, expert).get(QUEUE).content.decode()
    assert 'class="response-badge response-overdue"' in html
    assert 'class="response-badge response-at_risk"' in html
    assert "3 h overdue" in html
    assert "due in 5 h" in html or "due in 4 h" in html


def test_queue_counts_what_needs_attention(client, expert, states, ask):
    ask(subject="second overdue")
    _shift(Question.objects.get(subject="second overdue"), target_hours=-30, due_hours=-1)
    response = _login(client, expert).get(QUEUE, {"response": "met"})
    # The counts are over the whole queue, not the filtered page.
    assert response.context["queue_counts"] == {"overdue": 2, "at_risk": 1, "unassigned": 4}
    html = response.content.decode()
    assert "<strong>2</strong> overdue" in html
    assert "<strong>1</strong> at risk" in html


def test_assignee_filter(client, expert, expert2, ask):
    mine, theirs, nobody = ask(subject="mine"), ask(subject="theirs"), ask(subject="nobody")
    question_assign(question_id=mine.pk, actor=expert)
    question_assign(question_id=theirs.pk, actor=expert2)
    client = _login(client, expert)
    assert _ids(client.get(QUEUE, {"assignee": "mine"})) == [mine.pk]
    assert _ids(client.get(QUEUE, {"assignee": "none"})) == [nobody.pk]
    assert _ids(client.get(QUEUE, {"assignee": str(expert2.pk)})) == [theirs.pk]


def test_search_by_code_and_text(client, expert, ask, imaging):
    code_make("D0702", category=imaging)
    about_code = ask(code="D0702", subject="Two images")
    ask(subject="Something else", body="Frequency limits")
    client = _login(client, expert)
    assert _ids(client.get(QUEUE, {"q": "D0702"})) == [about_code.pk]
    assert len(_ids(client.get(QUEUE, {"q": "frequency"}))) == 1


def test_no_add_or_direct_edit(client, lead, ask):
    question = ask()
    client = _login(client, lead)
    assert client.get(f"{QUEUE}add/").status_code == 403
    assert client.get(f"{QUEUE}{question.pk}/delete/").status_code == 403
    # The question page has no model form: posting to it changes nothing.
    client.post(_page(question.pk), {"subject": "changed", "status": "closed"})
    question.refresh_from_db()
    assert (question.subject, question.status) == ("Can D0370 and D0386 go on one claim?", QS.NEW)


# --- The question page -----------------------------------------------------------------


def _forms(client, question):
    html = client.get(_page(question.pk)).content.decode()
    return {
        a
        for a in ("claim", "assign", "answer", "close", "spam", "publish", "unpublish")
        if f'id="action-{a}"' in html
    }


def test_question_page_shows_the_question_asker_and_trail(client, expert, ask, imaging):
    code_make("D0370", category=imaging)
    question = ask(code="D0370")
    response = _login(client, expert).get(_page(question.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Same visit, two images." in html
    assert "Ann Asker &lt;ann.private@example.net&gt;" in html
    assert 'href="/codes/D0370/"' in html
    assert 'id="response-status">On track' in html
    assert 'id="audit-trail"' in html and "<td>New</td>" in html


def test_reviewer_cannot_open_a_question(client, reviewer, ask):
    assert _login(client, reviewer).get(_page(ask().pk)).status_code == 403


def test_buttons_follow_role_and_state(client, expert, expert2, lead, ask, imaging):
    code_make("D0370", category=imaging)
    new = ask()
    assert _forms(_login(client, expert), new) == {"claim", "spam"}
    assert _forms(_login(client, lead), new) == {"claim", "assign", "spam"}

    question_assign(question_id=new.pk, actor=expert2)
    # Taking over another expert's question is for leads.
    assert _forms(_login(client, expert), new) == {"spam"}
    assert _forms(_login(client, expert2), new) == {"answer", "spam"}
    assert _forms(_login(client, lead), new) == {"claim", "assign", "answer", "spam"}

    question_answer(question_id=new.pk, actor=expert2, answer="Yes.")
    assert _forms(_login(client, expert), new) == {"close"}  # no consent, no code

    consenting = ask(code="D0370", publish_consent=True)
    question_assign(question_id=consenting.pk, actor=expert)
    question_answer(question_id=consenting.pk, actor=expert, answer="Yes.")
    assert _forms(_login(client, expert), consenting) == {"close", "publish"}


def test_claim_answer_close(client, expert, ask):
    question = ask()
    client = _login(client, expert)

    response = client.post(_act(question.pk, "claim"))
    assert response.status_code == 302 and response.url == _page(question.pk)
    question.refresh_from_db()
    assert (question.status, question.assigned_to) == (QS.ASSIGNED, expert)

    response = client.post(_act(question.pk, "answer"), {"answer": "  Yes, on one claim.  "})
    assert response.status_code == 302 and response.url == QUEUE
    assert _text(_messages(response)[-1]) == (
        f"Question #{question.pk} answered. Nothing else waits for you."
    )
    question.refresh_from_db()
    assert question.status == QS.ANSWERED
    assert question.answer == "Yes, on one claim."
    assert question.answered_at is not None
    assert question.first_response_at == question.answered_at
    assert question.answered_by == expert

    client.post(_act(question.pk, "close"))
    question.refresh_from_db()
    assert question.status == QS.CLOSED
    assert list(question.events.values_list("to_status", flat=True)) == [
        QS.NEW,
        QS.ASSIGNED,
        QS.ANSWERED,
        QS.CLOSED,
    ]


def test_mark_as_spam(client, expert, ask):
    question = ask()
    _login(client, expert).post(_act(question.pk, "spam"))
    question.refresh_from_db()
    assert question.status == QS.SPAM


def test_lead_assigns_to_an_expert(client, lead, expert, expert2, ask):
    question = ask()
    client = _login(client, lead)
    page = client.get(_page(question.pk))
    choices = [user.username for user in page.context["assign_form"].fields["assignee"].queryset]
    assert "expert" in choices and "expert2" in choices and "reviewer" not in choices
    response = client.post(_act(question.pk, "assign"), {"assignee": expert2.pk})
    assert [_text(m) for m in _messages(response)] == [
        f"Question #{question.pk} assigned to expert2. Nothing else waits for you."
    ]
    question.refresh_from_db()
    assert question.assigned_to == expert2


def test_expert_cannot_assign_to_someone_else(client, expert, expert2, ask):
    question = ask()
    response = _login(client, expert).post(_act(question.pk, "assign"), {"assignee": expert2.pk})
    assert response.status_code == 302
    assert _messages(response) == [
        "Only expert leads assign questions to others or take over an assigned one."
    ]
    question.refresh_from_db()
    assert question.status == QS.NEW


def test_refused_answer_is_a_message_and_keeps_the_text(client, expert, expert2, ask):
    question = ask()
    question_assign(question_id=question.pk, actor=expert2)
    response = _login(client, expert).post(
        _act(question.pk, "answer"), {"answer": "My careful answer"}
    )
    assert response.status_code == 200
    assert "Only the expert the question is assigned to may answer it." in _messages(response)
    assert '<textarea id="unsent-answer" rows="6" readonly>My careful answer</textarea>' in (
        response.content.decode()
    )
    question.refresh_from_db()
    assert question.status == QS.ASSIGNED and question.answered_at is None


def test_empty_answer_and_wrong_state_are_messages(client, expert, ask):
    question = ask()
    client = _login(client, expert)
    response = client.post(_act(question.pk, "close"))
    assert response.status_code == 302
    [message] = _messages(response)
    assert message.startswith("A question that is new cannot be close")
    client.post(_act(question.pk, "claim"))
    response = client.post(_act(question.pk, "answer"), {"answer": "   "})
    assert response.status_code == 200
    assert "Write the answer." in _messages(response)
    question.refresh_from_db()
    assert question.status == QS.ASSIGNED


def test_bad_requests_never_fail(client, expert, ask):
    question = ask()
    client = _login(client, expert)
    assert client.get(_act(question.pk, "claim")).status_code == 405
    response = client.post(_act(question.pk, "explode"))
    assert response.status_code == 302
    assert _messages(response) == ["Unknown action “explode”."]
    response = client.post(_act(question.pk + 1000, "claim"))
    assert response.status_code == 302 and response.url == QUEUE
    assert _messages(response)[-1] == f"Question #{question.pk + 1000} does not exist."
    assert client.get(_page(question.pk + 1000)).status_code == 404


def test_reviewer_cannot_act(client, reviewer, ask):
    question = ask()
    assert _login(client, reviewer).post(_act(question.pk, "claim")).status_code == 403
    question.refresh_from_db()
    assert question.status == QS.NEW


def test_publish_and_unpublish(client, expert, ask, imaging):
    code_make("D0370", category=imaging)
    question = ask(code="D0370", publish_consent=True)
    question_assign(question_id=question.pk, actor=expert)
    question_answer(question_id=question.pk, actor=expert, answer="Yes.")
    client = _login(client, expert)
    client.post(_act(question.pk, "publish"))
    question.refresh_from_db()
    assert question.is_published
    assert _forms(client, question) == {"close", "unpublish"}
    client.post(_act(question.pk, "unpublish"))
    question.refresh_from_db()
    assert not question.is_published


def test_publish_without_consent_is_refused(client, expert, ask):
    question = ask()
    question_assign(question_id=question.pk, actor=expert)
    question_answer(question_id=question.pk, actor=expert, answer="Yes.")
    response = _login(client, expert).post(_act(question.pk, "publish"))
    assert _messages(response) == ["The asker did not agree to publishing this question."]
    question.refresh_from_db()
    assert not question.is_published


# --- Bulk actions ----------------------------------------------------------------------


def _bulk(client, action, questions, **extra):
    data = {"action": action, "_selected_action": [q.pk for q in questions], **extra}
    return client.post(QUEUE, data)


def test_bulk_assign_to_me_reports_the_refused_row(client, expert, expert2, ask):
    free, taken = ask(subject="free"), ask(subject="taken")
    question_assign(question_id=taken.pk, actor=expert2)
    response = _bulk(_login(client, expert), "assign_to_me", [free, taken])
    assert response.status_code == 302
    assert _messages(response) == [
        "1 question(s) assigned to you.",
        f"1 refused — #{taken.pk}: Only expert leads assign questions to others "
        "or take over an assigned one.",
    ]
    free.refresh_from_db()
    taken.refresh_from_db()
    assert (free.assigned_to, taken.assigned_to) == (expert, expert2)


def test_bulk_spam_reports_the_refused_row(client, expert, ask):
    junk, answered = ask(subject="junk"), ask(subject="answered")
    question_assign(question_id=answered.pk, actor=expert)
    question_answer(question_id=answered.pk, actor=expert, answer="Yes.")
    response = _bulk(_login(client, expert), "mark_spam", [junk, answered])
    messages = _messages(response)
    assert messages[0] == "1 question(s) marked as spam."
    assert messages[1].startswith(f"1 refused — #{answered.pk}: ")
    junk.refresh_from_db()
    answered.refresh_from_db()
    assert (junk.status, answered.status) == (QS.SPAM, QS.ANSWERED)


def test_bulk_assign_to_an_expert_asks_whom_then_assigns(client, lead, expert, ask):
    first, second = ask(subject="first"), ask(subject="second")
    question_answer_ready = ask(subject="done")
    question_assign(question_id=question_answer_ready.pk, actor=expert)
    question_answer(question_id=question_answer_ready.pk, actor=expert, answer="Yes.")
    client = _login(client, lead)

    page = _bulk(client, "assign_to_expert", [first, second, question_answer_ready])
    assert page.status_code == 200
    assert "Assign these 3 question(s)" in page.content.decode()

    response = _bulk(
        client,
        "assign_to_expert",
        [first, second, question_answer_ready],
        apply="1",
        assignee=expert.pk,
    )
    assert response.status_code == 302
    messages = _messages(response)
    assert messages[0] == "2 question(s) assigned to expert."
    assert messages[1].startswith(f"1 refused — #{question_answer_ready.pk}: ")
    assert set(
        Question.objects.filter(pk__in=[first.pk, second.pk]).values_list("assigned_to", flat=True)
    ) == {expert.pk}


def test_bulk_assign_to_an_expert_is_for_leads_only(client, expert, lead):
    expert_actions = dict(
        _login(client, expert).get(QUEUE).context["action_form"].fields["action"].choices
    )
    assert "assign_to_me" in expert_actions and "mark_spam" in expert_actions
    assert "assign_to_expert" not in expert_actions
    lead_actions = dict(
        _login(client, lead).get(QUEUE).context["action_form"].fields["action"].choices
    )
    assert "assign_to_expert" in lead_actions
    assert "delete_selected" not in lead_actions


def test_bulk_assign_without_an_expert_asks_again(client, lead, ask):
    question = ask()
    response = _bulk(_login(client, lead), "assign_to_expert", [question], apply="1")
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    question.refresh_from_db()
    assert question.status == QS.NEW
