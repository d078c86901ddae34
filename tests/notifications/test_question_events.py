"""Billing questions: the asker's acknowledgement and answer, the experts' alerts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contributions.models import Notification, Question
from contributions.questions import notifications, services
from contributions.questions.services import question_answer, question_assign, question_create

from .conftest import sent_to, wait_settled
from .test_events import deliver_all

pytestmark = pytest.mark.django_db


def _ask(**overrides):
    values = {
        "name": "Ann Asker",
        "email": "ann@example.net",
        "subject": "Two images, one visit?",
        "body": "Can D0370 and D0386 go on one claim?",
    }
    return question_create(**{**values, **overrides})


def test_a_question_acknowledges_the_asker_with_the_date_and_tells_the_experts(
    expert, expert2, reviewer, mailoutbox, settings
):
    settings.SITE_URL = "https://cdt.example.org"
    question, token = _ask()
    assert deliver_all() == 3
    assert sorted(m.to[0] for m in mailoutbox) == [
        "ann@example.net",
        "expert2@example.com",
        "expert@example.com",
    ]
    [ack] = sent_to("ann@example.net")
    assert ack.subject == "We received your question: Two images, one visit?"
    expected = timezone.localtime(question.target_at).strftime("%A %-d %B %Y, %H:%M")
    assert expected in ack.body
    assert f"https://cdt.example.org/track/questions/{token}/" in ack.body
    for message in sent_to("expert@example.com"):
        assert f"/admin/contributions/question/{question.pk}/change/" in message.body
        assert "ann@example.net" not in message.body and "Ann Asker" not in message.body
        assert token not in message.body


def test_the_answer_is_mailed_to_the_asker_once(expert, mailoutbox):
    question, _ = _ask()
    deliver_all()
    mailoutbox.clear()
    question_assign(question_id=question.pk, actor=expert)
    question_answer(question_id=question.pk, actor=expert, answer="Report both codes.")
    assert deliver_all() == 1
    [message] = mailoutbox
    assert message.to == ["ann@example.net"]
    assert "Report both codes." in message.body
    # Recording the same event again sends nothing more.
    notifications.question_answered(Question.objects.get(pk=question.pk))
    assert deliver_all() == 0


def _age(question, *, past_target=False, past_due=False):
    now = timezone.now()
    fields = {}
    if past_target or past_due:
        fields["target_at"] = now - timedelta(hours=2)
        fields["received_at"] = now - timedelta(days=3)
    fields["due_at"] = now - timedelta(hours=1) if past_due else now + timedelta(days=1)
    Question.objects.filter(pk=question.pk).update(**fields)


def test_past_target_warns_the_assigned_expert_once(expert, expert2, lead, mailoutbox):
    question, _ = _ask()
    question_assign(question_id=question.pk, actor=expert)
    deliver_all()
    mailoutbox.clear()
    _age(question, past_target=True)
    assert services.questions_warn() == 1
    assert services.questions_warn() == 0
    assert deliver_all() == 1
    [message] = mailoutbox
    assert message.to == ["expert@example.com"]
    assert "passed its target" in message.subject


def test_an_unclaimed_question_past_target_warns_every_expert(expert, expert2, mailoutbox):
    question, _ = _ask()
    deliver_all()
    mailoutbox.clear()
    _age(question, past_target=True)
    services.questions_warn()
    deliver_all()
    assert sorted(m.to[0] for m in mailoutbox) == ["expert2@example.com", "expert@example.com"]


def test_past_due_warns_the_expert_leads_once(expert, lead, mailoutbox):
    question, _ = _ask()
    deliver_all()
    mailoutbox.clear()
    _age(question, past_due=True)
    assert services.questions_warn() == 2  # past target, then past due
    services.questions_warn()
    deliver_all()
    overdue = [m for m in mailoutbox if "Overdue" in m.subject]
    assert [m.to for m in overdue] == [["lead@example.com"]]
    assert "Nobody has claimed it." in overdue[0].body


def test_answered_questions_are_never_warned(expert, lead):
    question, _ = _ask()
    question_assign(question_id=question.pk, actor=expert)
    question_answer(question_id=question.pk, actor=expert, answer="A.")
    _age(question, past_due=True)
    assert services.questions_warn() == 0


def test_a_real_worker_delivers_the_acknowledgement_and_the_answer(worker, expert, mailoutbox):
    question, _ = _ask()
    wait_settled()
    question_assign(question_id=question.pk, actor=expert)
    question_answer(question_id=question.pk, actor=expert, answer="Yes, both.")
    wait_settled()
    to_asker = sent_to("ann@example.net")
    assert len(to_asker) == 2
    assert any("Yes, both." in m.body for m in to_asker)
    assert Notification.objects.filter(state="sent").count() == 3  # ack, expert, answer
