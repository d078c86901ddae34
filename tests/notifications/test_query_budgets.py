"""The outbox admin runs a fixed number of SQL queries at any size, never loads a row's
JSON context, and finds by exact address or event key."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contributions.models import Notification
from tests.budgets import add_notifications, assert_budget, estimate_queries

pytestmark = pytest.mark.django_db

OUTBOX = "/admin/contributions/notification/"


@pytest.fixture
def operator(django_user_model):
    return django_user_model.objects.create_superuser("op", "op@example.org", "pw")


@pytest.fixture
def outbox():
    add_notifications(3)
    return lambda: add_notifications(30)


# Session, user, [estimate], count, page.
BUDGET = 4


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?state__exact=failed",
        "?event=submission.received",
        "?q=someone@example.org",
        "?q=submission.received:budget-1",
        "?created_at__gte=2020-01-01+00:00:00%2B00:00",
        "?p=2",
    ],
)
def test_outbox_admin_query_budget(outbox, client, operator, query):
    client.force_login(operator)
    budget = BUDGET + estimate_queries()
    assert_budget(client.get, f"{OUTBOX}{query}", grow=outbox, budget=budget)


def test_outbox_list_leaves_context_and_errors_in_the_table(outbox, client, operator):
    client.force_login(operator)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(OUTBOX)
    assert response.status_code == 200
    page = [q["sql"] for q in ctx.captured_queries if "contributions_notification" in q["sql"]][-1]
    assert '"context"' not in page
    # Only the start of the error, as an expression; never the whole column.
    assert page.count('"last_error"') == 1 and '"last_error_start"' in page
    assert "SMTP 550 SMTP 550" in response.content.decode()
    assert "date_hierarchy" not in response.content.decode()


def test_outbox_search_is_exact(outbox, client, operator):
    client.force_login(operator)
    Notification.objects.create(
        event="submission.received", event_key="submission.received:77", recipient="pat@example.net"
    )
    found = client.get(f"{OUTBOX}?q=PAT@example.net").context["cl"].result_list
    assert [n.recipient for n in found] == ["pat@example.net"]
    found = client.get(f"{OUTBOX}?q=submission.received:77").context["cl"].result_list
    assert [n.event_key for n in found] == ["submission.received:77"]
    assert list(client.get(f"{OUTBOX}?q=pat").context["cl"].result_list) == []
