from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from contributions.models import Question
from contributions.questions.business_days import add_business_days, business_hours_between
from contributions.questions.charts import weekly_chart_svg
from contributions.questions.selectors import percentile, response_report, weekly_response_numbers
from contributions.questions.services import question_answer, question_assign, question_mark_spam
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REPORT = "/admin/contributions/question/report/"
ET = ZoneInfo("America/New_York")
START, END = date(2026, 4, 6), date(2026, 4, 19)  # Monday of ISO week 15 to Sunday of week 16
NOW = datetime(2026, 4, 22, 12, 0, tzinfo=ET)
# The admin has SVG icons of its own: look for the chart itself.
CHART = '<svg xmlns="http://www.w3.org/2000/svg" class="weekly-chart"'


def _at(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=ET)


def _question(ask, lead, received, *, responded=None, subject="Q"):
    """A question received at `received` (with its real promise), answered at `responded`."""
    question = ask(subject=subject)
    if responded is not None:
        question_assign(question_id=question.pk, actor=lead)
        question_answer(question_id=question.pk, actor=lead, answer="Yes.")
    Question.objects.filter(pk=question.pk).update(
        received_at=received,
        target_at=add_business_days(received, 1),
        due_at=add_business_days(received, 2),
        first_response_at=responded,
        # As question_answer stores it (test_answer_stores_business_hours_to_first_response).
        first_response_hours=business_hours_between(received, responded) if responded else None,
        answered_at=responded,
    )
    return question


def test_answer_stores_business_hours_to_first_response(ask, lead):
    question = ask(subject="Q")
    question_assign(question_id=question.pk, actor=lead)
    question_answer(question_id=question.pk, actor=lead, answer="Yes.")
    question.refresh_from_db()
    assert question.first_response_hours == business_hours_between(
        question.received_at, question.first_response_at
    )
    assert question.first_response_hours is not None


@pytest.fixture
def known(ask, lead):
    """Five questions received in the period (one more is spam), one before, one after.

    First responses in business hours: 4, 48 (Thu 10:00 -> Mon 10:00, exactly at due),
    68 (Fri 16:00 -> Wed 12:00, after due) and 2; one still waiting past due.
    """
    q = {
        "quick": _question(ask, lead, _at(4, 6, 10), responded=_at(4, 6, 14)),
        "at_due": _question(ask, lead, _at(4, 9, 10), responded=_at(4, 13, 10)),
        "late": _question(ask, lead, _at(4, 10, 16), responded=_at(4, 15, 12)),
        "spam": _question(ask, lead, _at(4, 7, 10)),
        "week2": _question(ask, lead, _at(4, 13, 9), responded=_at(4, 13, 11)),
        "waiting": _question(ask, lead, _at(4, 14, 12)),
        "before": _question(ask, lead, _at(4, 5, 10), responded=_at(4, 6, 10)),
        "after": _question(ask, lead, _at(4, 20, 10)),
    }
    question_mark_spam(question_id=q["spam"].pk, actor=lead)
    return q


def test_percentile_is_nearest_rank():
    assert percentile([], 0.9) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([float(n) for n in range(10, 0, -1)], 0.9) == 9.0
    assert percentile([2.0, 4.0, 48.0, 68.0], 0.9) == 68.0
    assert percentile([2.0, 4.0, 48.0, 68.0], 0.5) == 4.0


def test_report_numbers_on_a_known_set(known):
    report = response_report(start=START, end=END, now=NOW)
    assert report["received"] == 5  # spam, and the ones before and after, left out
    assert report["answered"] == 4
    assert report["first_responses"] == 4
    assert report["median_first_response_hours"] == 26.0  # (4 + 48) / 2
    assert report["p90_first_response_hours"] == 68.0
    assert report["within_promise"] == 3
    assert report["within_promise_share"] == pytest.approx(0.6)
    # Waiting past due now, whatever the period: "waiting" and "after".
    assert report["open_overdue"] == 2


def test_open_overdue_depends_on_now_not_on_the_period(known):
    # On 2026-04-16 11:00 "waiting" (due Thu 12:00) is not yet overdue; "after" not yet received.
    early = response_report(start=START, end=END, now=_at(4, 16, 11))
    assert early["open_overdue"] == 0
    assert (
        response_report(start=date(2025, 1, 1), end=date(2025, 1, 2), now=NOW)["open_overdue"] == 2
    )


def test_weekly_numbers_per_iso_week(known):
    weeks = weekly_response_numbers(start=START, end=END)
    assert [(w["week"], w["monday"]) for w in weeks] == [
        ("2026-W15", date(2026, 4, 6)),
        ("2026-W16", date(2026, 4, 13)),
    ]
    first, second = weeks
    assert (first["received"], first["answered"], first["within_promise"]) == (3, 3, 2)
    assert first["median_first_response_hours"] == 48.0
    assert (second["received"], second["answered"], second["within_promise"]) == (2, 1, 1)
    assert second["median_first_response_hours"] == 2.0


def test_a_period_with_no_questions_has_empty_weeks_and_no_averages(db):
    report = response_report(start=START, end=date(2026, 4, 8), now=NOW)
    assert report["received"] == 0
    assert report["median_first_response_hours"] is None
    assert report["within_promise_share"] is None
    # Wednesday to the next Tuesday touches two ISO weeks.
    weeks = weekly_response_numbers(start=date(2026, 4, 8), end=date(2026, 4, 14))
    assert [w["week"] for w in weeks] == ["2026-W15", "2026-W16"]
    assert all(w["received"] == 0 and w["median_first_response_hours"] is None for w in weeks)


def test_the_period_counts_whole_local_days(ask, lead):
    # 23:30 in New York on the end date is already the next day in UTC: still inside.
    _question(ask, lead, _at(4, 19, 23, 30))
    _question(ask, lead, _at(4, 20, 0, 0))
    assert response_report(start=START, end=END, now=NOW)["received"] == 1


def test_chart_is_inline_svg_with_escaped_text(known):
    svg = str(weekly_chart_svg(weekly_response_numbers(start=START, end=END), title="<b>&"))
    assert svg.startswith("<svg")
    assert "&lt;b&gt;&amp;" in svg
    assert "<b>" not in svg
    assert svg.count("<rect") == 2 * 2 + 3  # two bars a week, three legend keys
    assert "2026-W15" in svg
    assert "2026-W16" in svg
    assert "<circle" in svg
    assert "http://" not in svg.replace("http://www.w3.org/2000/svg", "")


# --- The page ------------------------------------------------------------------------


def test_report_page_shows_the_numbers_chart_and_table(client, lead, known):
    client.force_login(lead)
    response = client.get(REPORT, {"start": "2026-04-06", "end": "2026-04-19"})
    assert response.status_code == 200
    html = response.content.decode()
    assert CHART in html
    assert '<dd class="value" id="n-received">5</dd>' in html
    assert '<dd class="value" id="n-answered">4</dd>' in html
    assert '<dd class="value" id="n-median">26.0 h</dd>' in html
    assert '<dd class="value" id="n-p90">68.0 h</dd>' in html
    assert '<dd class="value" id="n-within">60&nbsp;%</dd>' in html
    assert '<dd class="value" id="n-overdue">2</dd>' in html
    assert '<dd class="value" id="n-due">5</dd>' in html
    assert "3 of the 5 due so far" in html
    assert '<th scope="row">2026-W15</th><td>2026-04-06</td><td>3</td><td>3</td><td>2</td>' in html
    assert "<td>48.0</td>" in html


def test_report_defaults_to_the_last_28_days(client, lead):
    client.force_login(lead)
    response = client.get(REPORT)
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["report"]["end"] == today
    assert (today - response.context["report"]["start"]).days == 27
    assert CHART in response.content.decode()


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"start": "2026-13-01", "end": "2026-04-19"}, "Enter a valid date."),
        ({"start": "2026-04-06", "end": "soon"}, "Enter a valid date."),
        ({"start": "2026-04-06", "end": ""}, "This field is required."),
        ({"start": "2026-04-19", "end": "2026-04-06"}, "must not be after the end date"),
        ({"start": "2020-01-01", "end": "2026-04-06"}, "at most 731 days"),
    ],
)
def test_bad_dates_show_a_form_error(client, lead, params, error):
    client.force_login(lead)
    response = client.get(REPORT, params)
    assert response.status_code == 200
    assert response.context["report"] is None
    assert error in response.content.decode()
    assert CHART not in response.content.decode()


def test_only_expert_leads_and_superusers_see_the_report(client, expert, lead, reviewer):
    assert client.get(REPORT).status_code == 302  # to the login page
    client.force_login(expert)
    assert client.get(REPORT).status_code == 403
    client.force_login(reviewer)
    assert client.get(REPORT).status_code == 403
    client.force_login(lead)
    assert client.get(REPORT).status_code == 200
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get(REPORT).status_code == 200


def test_the_queue_links_to_the_report_for_leads_only(client, expert, lead):
    client.force_login(lead)
    assert REPORT in client.get("/admin/contributions/question/").content.decode()
    client.force_login(expert)
    assert REPORT not in client.get("/admin/contributions/question/").content.decode()
