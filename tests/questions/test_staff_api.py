"""The experts' API: one endpoint per row of the questions' action table."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from contributions.models import Notification, Question
from contributions.questions.services import questions_warn
from contributions.questions.workflow import ACTIONS
from tests.factories import code_make

pytestmark = pytest.mark.django_db


def _as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _post(user, question, action, body=None):
    url = f"/api/review/questions/{question.pk}/{action}/"
    return _as(user).post(url, body or {}, format="json")


def test_every_staff_action_of_the_table_has_an_endpoint():
    from django.urls import reverse

    for name in ACTIONS.names(staff=True):
        assert reverse(f"api-question-{name}", args=[1]) == f"/api/review/questions/1/{name}/"


def test_claim_answer_publish_close_through_the_api(ask, expert, imaging):
    code_make("D0370", category=imaging)
    question = ask(code="D0370", publish_consent=True)
    assert _post(expert, question, "claim").json()["assigned_to"] == "expert"
    answered = _post(expert, question, "answer", {"answer": "Yes, both."})
    assert answered.status_code == 200, answered.content
    assert answered.json()["status"] == "answered"
    assert "email" not in answered.json()
    assert _post(expert, question, "publish").json()["is_published"] is True
    assert _post(expert, question, "close").json()["status"] == "closed"
    notes = list(Question.objects.get(pk=question.pk).events.values_list("note", flat=True))
    assert "Shown on the code's page." in notes


def test_refusals_are_403_and_409_and_bad_input_400(ask, expert, expert2, lead, reviewer):
    question = ask()
    assert APIClient().post(f"/api/review/questions/{question.pk}/claim/").status_code == 401
    assert _post(reviewer, question, "claim").status_code == 403
    assert _post(expert, question, "close").status_code == 409
    missing = _post(expert, question, "answer", {})
    assert missing.status_code == 400 and "answer" in missing.json()["errors"]
    assert _post(expert, question, "claim").status_code == 200
    taken = _post(expert2, question, "claim")
    assert taken.status_code == 403
    assert "expert leads" in taken.json()["detail"]
    unknown = _post(lead, question, "assign", {"assignee": 999999})
    assert unknown.status_code == 400 and "assignee" in unknown.json()["errors"]
    assert _post(lead, question, "assign", {"assignee": expert2.pk}).status_code == 200
    assert _as(expert).post("/api/review/questions/999999/spam/").status_code == 404


def test_publish_without_consent_is_refused_with_the_reason(ask, expert, imaging):
    code_make("D0370", category=imaging)
    question = ask(code="D0370")
    _post(expert, question, "claim")
    _post(expert, question, "answer", {"answer": "No."})
    refused = _post(expert, question, "publish")
    assert refused.status_code == 409
    assert "did not agree" in refused.json()["detail"]


def test_warnings_write_audit_rows_and_mails_link_to_their_question(ask, expert):
    question = ask()
    later = question.due_at + timezone.timedelta(minutes=1)
    assert questions_warn(later) == 2
    notes = list(question.events.values_list("note", "actor_label"))
    assert ("Passed its target time.", "system") in notes
    assert ("Passed its due time.", "system") in notes
    mails = Notification.objects.filter(question=question)
    assert mails.exists()
    assert all(m.subject == question for m in mails)
    assert {m.event for m in mails} >= {"question.ack", "question.past_target"}
