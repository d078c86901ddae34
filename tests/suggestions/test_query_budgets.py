"""The reviewers' pages and API run a fixed number of SQL queries at any queue size."""

import datetime

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from contributions.models import Notification, Submission
from contributions.suggestions import notifications
from contributions.suggestions.services import submission_verify
from tests.budgets import assert_budget, clone_submissions, estimate_queries

pytestmark = pytest.mark.django_db

QUEUE = "/admin/contributions/submission/"


@pytest.fixture
def queue(submit, reviewer, publisher):
    """One verified suggestion, then a few in each state; `grow()` adds ten times more."""
    first = submit()
    submission_verify(submission_id=first.pk, actor=reviewer)
    first.refresh_from_db()
    clone_submissions(first, 2)
    return lambda: clone_submissions(first, 20)


# Token, user's and group permissions, the page, its published revisions.
API_BUDGET = 5


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?page_size=2",
        "?code=d0370",
        "?status=published",
        "?status=all&ordering=-created_at",
        "?stale=false",
    ],
)
def test_review_queue_api_query_budget(queue, reviewer, query):
    client = APIClient()
    token = Token.objects.create(user=reviewer)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert_budget(client.get, f"/api/review/submissions/{query}", grow=queue, budget=API_BUDGET)


def test_review_queue_api_next_page_query_budget(queue, reviewer):
    client = APIClient()
    token = Token.objects.create(user=reviewer)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    following = client.get("/api/review/submissions/?status=all&page_size=2").json()["next"]
    assert_budget(client.get, following, grow=queue, budget=API_BUDGET)


DIGEST_BUDGET = 10

# Session, user, "waiting for me" count, [estimate], count, page, categories (filter),
# user's and group permissions (actions); claims come from the cache.
ADMIN_BUDGET = 8


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?q=d0370",
        "?q=Cloned",
        "?q=payer+guide",
        "?status__exact=submitted",
        "?stale=no",
        "?age=old",
        "?category=diagnostic-imaging",
        "?p=2",
    ],
)
def test_admin_suggestion_list_query_budget(queue, client, reviewer, query):
    client.force_login(reviewer)
    assert_budget(
        client.get, f"{QUEUE}{query}", grow=queue, budget=ADMIN_BUDGET + estimate_queries()
    )


def test_review_page_query_budget(queue, client, reviewer):
    client.force_login(reviewer)
    pk = Submission.objects.order_by("pk").first().pk
    # With the previous and next suggestions in the queue for the page's links.
    assert_budget(client.get, f"{QUEUE}{pk}/change/", grow=queue, budget=9)


def test_digest_query_budget(queue, reviewer, publisher, django_assert_num_queries):
    # Two counts, two short lists, the staff and their groups, the outbox's writes.
    with django_assert_num_queries(DIGEST_BUDGET):
        notifications.submission_digest_record(day=datetime.date(2030, 1, 1))
    queue()
    with django_assert_num_queries(DIGEST_BUDGET):
        notifications.submission_digest_record(day=datetime.date(2030, 1, 2))


def test_digest_counts_and_links_the_oldest_few(queue, reviewer, publisher, settings):
    settings.SITE_URL = "https://cdt.example.org"
    queue()
    notifications.submission_digest_record(day=datetime.date(2030, 1, 1))
    row = Notification.objects.get(event="digest.submissions", recipient=reviewer.email)
    waiting = Submission.objects.filter(status="submitted").order_by("created_at", "pk")
    to_verify = row.context["to_verify"]
    assert to_verify["count"] == waiting.count() > notifications.DIGEST_OLDEST
    assert [s["submission_id"] for s in to_verify["oldest"]] == [
        s.pk for s in waiting[: notifications.DIGEST_OLDEST]
    ]
    assert to_verify["url"] == (
        "https://cdt.example.org/admin/contributions/submission/?status__exact=submitted"
    )
    assert row.context["to_publish"]["count"] == 0
