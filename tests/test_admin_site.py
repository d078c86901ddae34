"""The staff workplace's admin site: named after the product, queues listed first."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_headers_and_titles_name_the_site(root):
    html = root.get("/admin/").content.decode()
    assert "CDT Codes · staff workplace" in html
    assert "<title>Queues and records | CDT Codes staff</title>" in html
    assert "Django administration" not in html
    assert "Django site admin" not in html


def test_the_home_lists_the_queues_before_their_audit_trails(root):
    response = root.get("/admin/")
    (contributions,) = [
        a for a in response.context["app_list"] if a["app_label"] == "contributions"
    ]
    names = [m["object_name"] for m in contributions["models"]]
    assert names[:6] == [
        "Submission",
        "Question",
        "Release",
        "SubmissionEvent",
        "QuestionEvent",
        "ReleaseEvent",
    ]
    assert set(names[6:]) == {"Notification", "NotificationPreference"}


def test_the_login_page_names_the_site_too(client):
    html = client.get("/admin/login/").content.decode()
    assert "CDT Codes · staff workplace" in html
