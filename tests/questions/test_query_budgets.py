"""The experts' queue and question page run a fixed number of SQL queries at any size,
and the queue's indexable status predicates say what the response-status annotation says."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contributions.models import Question
from contributions.questions.queue import response_status_q
from contributions.questions.services import question_answer, question_assign
from tests.budgets import assert_budget, clone_questions, estimate_queries

pytestmark = pytest.mark.django_db

QUEUE = "/admin/contributions/question/"
R = Question.ResponseStatus


@pytest.fixture
def questions(ask, expert):
    first = ask()
    clone_questions(first, 2)
    return lambda: clone_questions(first, 20)


# Session, user, queue counts (2), "my queue" counts (2), [estimate], count, page,
# experts (assignee filter), user's and group permissions (actions).
ADMIN_BUDGET = 11


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?q=D0370",
        "?q=Cloned+question",
        "?response=overdue",
        "?response=met",
        "?status__exact=new",
        "?assignee=none",
        "?p=2",
    ],
)
def test_admin_question_list_query_budget(questions, client, expert, query):
    client.force_login(expert)
    assert_budget(
        client.get, f"{QUEUE}{query}", grow=questions, budget=ADMIN_BUDGET + estimate_queries()
    )


def test_question_page_query_budget(questions, client, expert):
    client.force_login(expert)
    pk = Question.objects.order_by("pk").first().pk
    assert_budget(client.get, f"{QUEUE}{pk}/change/", grow=questions, budget=6)


def test_status_predicates_match_the_annotation(ask, expert):
    now = timezone.now()
    shapes = [(-50, -10), (-5, 20), (10, 30)]  # overdue, at risk, on track (hours)
    for target, due in shapes:
        for assign in (False, True):
            q = ask()
            Question.objects.filter(pk=q.pk).update(
                received_at=now - timedelta(hours=60),
                target_at=now + timedelta(hours=target),
                due_at=now + timedelta(hours=due),
            )
            if assign:
                question_assign(question_id=q.pk, actor=expert)
    for late in (False, True):
        q = ask()
        question_assign(question_id=q.pk, actor=expert)
        question_answer(question_id=q.pk, actor=expert, answer="Yes.")
        if late:
            Question.objects.filter(pk=q.pk).update(
                received_at=now - timedelta(hours=60),
                target_at=now - timedelta(hours=50),
                due_at=now - timedelta(hours=40),
            )
    spam = ask()
    Question.objects.filter(pk=spam.pk).update(status="spam")

    annotated = Question.objects.with_response_status(now)
    for status in R.values:
        expected = set(annotated.filter(response_status=status).values_list("pk", flat=True))
        matching = Question.objects.filter(response_status_q(status, now))
        found = set(matching.values_list("pk", flat=True))
        assert expected, status
        assert found == expected, status


# Session, user, the lead's and group permissions, the period's counts by week, their
# first-response hours, the open overdue count.
REPORT_BUDGET = 7


def test_response_report_page_query_budget(questions, client, lead):
    client.force_login(lead)
    assert_budget(client.get, f"{QUEUE}report/", grow=questions, budget=REPORT_BUDGET)


def test_response_report_api_query_budget(questions, client, lead):
    client.force_login(lead)
    assert_budget(client.get, "/api/reports/questions/", grow=questions, budget=REPORT_BUDGET)
