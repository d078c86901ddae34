"""The release in the admin: one list of changes with their diffs, filters, and buttons."""

import pytest

from contributions.models import Release
from contributions.releases.services import release_import, release_verify

from .conftest import edition_2027

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposed(catalog):
    return release_import(path_or_file=edition_2027(), edition=2027).release


def _codes(response) -> list[str]:
    import re

    return sorted(set(re.findall(r'data-code="(D\d{4})"', response.content.decode())))


def test_the_review_page_lists_every_change_with_its_word_diff(client, proposed, reviewer):
    client.force_login(reviewer)
    response = client.get(f"/admin/contributions/release/{proposed.pk}/change/")
    assert response.status_code == 200
    assert _codes(response) == ["D0140", "D0160", "D9110"]
    html = response.content.decode()
    assert "limited oral evaluation<ins> - problem focused</ins>" in html.replace("\n", "")
    assert 'id="transition-verify"' in html
    assert 'id="transition-publish"' not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=added", ["D0160"]),
        ("kind=revised", ["D0140"]),
        ("kind=deleted", ["D9110"]),
        ("category=clinical-oral-evaluations", ["D0140", "D0160"]),
        ("category=diagnostic", ["D0140", "D0160"]),  # a parent covers its subcategories
        ("category=adjunctive-general-services&kind=deleted", ["D9110"]),
        ("category=adjunctive-general-services&kind=added", []),
    ],
)
def test_the_list_filters_by_kind_and_category(client, proposed, reviewer, query, expected):
    client.force_login(reviewer)
    response = client.get(f"/admin/contributions/release/{proposed.pk}/change/?{query}")
    assert _codes(response) == expected


def test_the_buttons_run_the_workflow_and_follow_the_two_person_rule(
    client, proposed, reviewer, publisher
):
    client.force_login(reviewer)
    url = f"/admin/contributions/release/{proposed.pk}/transition/verify/"
    client.post(url, {"note": "ok"})
    assert Release.objects.get().status == "verified"
    client.force_login(publisher)
    page = client.get(f"/admin/contributions/release/{proposed.pk}/change/").content.decode()
    assert 'id="transition-publish"' in page and 'id="transition-reject"' in page
    client.post(f"/admin/contributions/release/{proposed.pk}/transition/publish/")
    assert Release.objects.get().status == "published"


def test_a_refused_button_shows_why_and_changes_nothing(client, proposed, reviewer):
    client.force_login(reviewer)
    url = f"/admin/contributions/release/{proposed.pk}/transition/reject/"
    response = client.post(url, {"reason": ""}, follow=True)
    assert "Say why the release is rejected." in response.content.decode()
    assert Release.objects.get().status == "proposed"


def test_the_release_list_shows_the_counts(client, proposed, reviewer, publisher):
    release_verify(release_id=proposed.pk, actor=reviewer)
    client.force_login(publisher)
    html = client.get("/admin/contributions/release/").content.decode()
    assert "1 added, 1 revised, 1 deleted" in html
