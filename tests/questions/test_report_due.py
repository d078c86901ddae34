"""The response-time report counts a question against the promise only once it is due
(or answered); the same numbers as JSON at /api/reports/questions/."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from contributions.models import Question
from contributions.questions.business_days import add_business_days
from contributions.questions.selectors import response_report
from contributions.questions.services import question_answer, question_assign

pytestmark = pytest.mark.django_db

API = "/api/reports/questions/"
PAGE = "/admin/contributions/question/report/"
ET = ZoneInfo("America/New_York")
START, END = date(2026, 4, 6), date(2026, 4, 19)
NOW = datetime(2026, 4, 14, 12, 0, tzinfo=ET)  # a Tuesday, inside the period
KEYS = {
    "received",
    "answered",
    "median_first_response_hours",
    "p90_first_response_hours",
    "due_in_period",
    "within_promise",
    "within_promise_share",
    "open_overdue",
}


def _at(day, hour):
    return datetime(2026, 4, day, hour, 0, tzinfo=ET)


def _question(ask, lead, received, *, answered=None):
    question = ask()
    if answered is not None:
        question_assign(question_id=question.pk, actor=lead)
        question_answer(question_id=question.pk, actor=lead, answer="Yes.")
    Question.objects.filter(pk=question.pk).update(
        received_at=received,
        target_at=add_business_days(received, 1),
        due_at=add_business_days(received, 2),
        first_response_at=answered,
        answered_at=answered,
    )
    return question


@pytest.fixture
def partly_due(ask, lead):
    """Seen at NOW: two answered in time, one missed, two not yet due."""
    return {
        "quick": _question(ask, lead, _at(6, 10), answered=_at(6, 14)),
        "missed": _question(ask, lead, _at(7, 10)),  # due Thu 9 10:00, never answered
        "today": _question(ask, lead, _at(13, 10), answered=_at(13, 12)),
        "new1": _question(ask, lead, _at(14, 9)),  # due Thu 16 09:00
        "new2": _question(ask, lead, _at(14, 10)),
    }


def test_questions_not_yet_due_count_neither_for_nor_against_the_promise(partly_due):
    report = response_report(start=START, end=END, now=NOW)
    assert report["received"] == 5
    assert report["answered"] == 2
    assert report["due_in_period"] == 3  # quick, missed, today
    assert report["not_yet_due"] == 2
    assert report["within_promise"] == 2
    assert report["within_promise_share"] == pytest.approx(2 / 3)
    assert report["open_overdue"] == 1  # missed
    # Two days later the two new ones are past due and unanswered: misses now.
    later = response_report(start=START, end=END, now=_at(16, 12))
    assert (later["due_in_period"], later["within_promise"]) == (5, 2)
    assert later["within_promise_share"] == pytest.approx(0.4)


def test_minutes_old_questions_do_not_count_as_misses(ask, lead):
    # The case: three received minutes ago, one answered: 100 %, not 33 %.
    now = timezone.now()
    for question in (ask(), ask()):
        assert question.due_at > now
    answered = ask()
    question_assign(question_id=answered.pk, actor=lead)
    question_answer(question_id=answered.pk, actor=lead, answer="Yes.")
    today = timezone.localdate()
    report = response_report(start=today, end=today)
    assert (report["received"], report["due_in_period"], report["within_promise"]) == (3, 1, 1)
    assert report["within_promise_share"] == 1.0


def test_share_is_null_when_nothing_is_due(ask):
    ask()
    today = timezone.localdate()
    report = response_report(start=today, end=today)
    assert (report["received"], report["due_in_period"], report["within_promise"]) == (1, 0, 0)
    assert report["within_promise_share"] is None


def test_the_page_says_how_it_counts_and_reads_dates_like_its_heading(client, lead, partly_due):
    client.force_login(lead)
    html = client.get(PAGE, {"start": "2026-04-06", "end": "2026-04-19"}).content.decode()
    assert "Questions received from 2026-04-06 to 2026-04-19" in html
    assert 'name="start" value="2026-04-06"' in html
    assert 'name="end" value="2026-04-19"' in html
    assert 'type="date"' not in html  # the browser would show its own locale's format
    assert "count neither way" in html
    assert f"{API}?from=2026-04-06&amp;to=2026-04-19" in html


# --- The API -------------------------------------------------------------------------


def test_api_answers_exactly_the_contracts_keys(client, lead, partly_due):
    client.force_login(lead)
    response = client.get(API, {"from": "2026-04-06", "to": "2026-04-19"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == KEYS
    expected = response_report(start=START, end=END)
    assert body == {key: expected[key] for key in KEYS}
    assert body["received"] == 5


def test_api_with_a_token(lead, partly_due):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=lead).key}")
    response = api.get(API, {"from": "2026-04-06", "to": "2026-04-19"})
    assert response.status_code == 200
    assert response.json()["due_in_period"] == 5  # seen today, long after


def test_api_is_for_expert_leads_only(client, expert, reviewer, lead):
    response = client.get(API)
    assert response.status_code == 401
    for user in (expert, reviewer):
        client.force_login(user)
        response = client.get(API)
        assert response.status_code == 403
        assert "expert leads" in response.json()["detail"]
    client.force_login(lead)
    assert client.get(API).status_code == 200  # the last 28 days by default


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"from": "2026-13-01", "to": "2026-04-19"}, "from", "Enter a valid date."),
        ({"from": "2026-04-06", "to": "19/04/2026"}, "to", "Enter a valid date."),
        ({"from": "", "to": "2026-04-19"}, "from", "This field is required."),
        ({"from": "2026-04-19", "to": "2026-04-06"}, "from", "must not be after"),
        ({"from": "2020-01-01", "to": "2026-04-06"}, "from", "at most 731 days"),
    ],
)
def test_api_names_the_bad_date(client, lead, params, field, message):
    client.force_login(lead)
    response = client.get(API, params)
    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == [field]
    assert message in body["errors"][field][0]
    assert body["detail"].startswith(f"{field}: ")
