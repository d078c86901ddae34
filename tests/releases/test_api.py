"""/api/releases/: read by edition, and one endpoint per action of the workflow's table."""

import pytest
from rest_framework.authtoken.models import Token

from contributions.models import Release
from contributions.releases.services import release_import

from .conftest import edition_2027

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposed(catalog):
    return release_import(path_or_file=edition_2027(), edition=2027).release


def _post(client, user, path: str, body=None):
    headers = {}
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Token {Token.objects.get_or_create(user=user)[0].key}"
    return client.post(path, body or {}, content_type="application/json", **headers)


def _get(client, user, path: str):
    token = Token.objects.get_or_create(user=user)[0].key
    return client.get(path, HTTP_AUTHORIZATION=f"Token {token}")


def test_the_release_by_edition_lists_each_change_with_its_field_diffs(client, proposed, reviewer):
    response = _get(client, reviewer, "/api/releases/2027/")
    assert response.status_code == 200
    body = response.json()
    assert (body["edition"], body["status"], body["effective_on"]) == (
        2027,
        "proposed",
        "2027-01-01",
    )
    assert body["counts"] == {"added": 1, "revised": 1, "deleted": 1, "unchanged": 1}
    changes = {c["code"]: c for c in body["changes"]}
    assert changes["D9110"] == {
        "code": "D9110",
        "kind": "deleted",
        "fields": {
            "status": {"old": "active", "new": "deleted"},
            "deleted_year": {"old": None, "new": 2027},
        },
    }
    assert changes["D0140"]["fields"]["nomenclature"]["new"] == (
        "limited oral evaluation - problem focused"
    )
    listed = _get(client, reviewer, "/api/releases/").json()
    assert [(r["edition"], r["status"]) for r in listed] == [(2027, "proposed")]


def test_reading_releases_needs_a_reviewer_or_publisher(client, proposed, outsider):
    assert client.get("/api/releases/").status_code == 401
    assert client.get("/api/releases/2027/").status_code == 401
    assert _get(client, outsider, "/api/releases/2027/").status_code == 403


def test_an_edition_without_a_release_answers_404(client, proposed, reviewer):
    assert _get(client, reviewer, "/api/releases/2031/").status_code == 404
    response = _post(client, reviewer, "/api/releases/2031/verify/")
    assert response.status_code == 404
    assert response.json()["detail"] == "No release of CDT 2031."


def test_verify_then_publish_through_the_api(client, proposed, reviewer, publisher):
    response = _post(client, reviewer, "/api/releases/2027/verify/", {"note": "Checked"})
    assert response.status_code == 200
    assert response.json()["status"] == "verified"
    response = _post(client, publisher, "/api/releases/2027/publish/")
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    response = _post(client, publisher, "/api/releases/2027/rollback/", {"note": "Oops"})
    assert (response.status_code, response.json()["status"]) == (200, "rolled_back")


def test_refusals_answer_401_403_and_409(client, proposed, reviewer, publisher, outsider):
    assert _post(client, None, "/api/releases/2027/verify/").status_code == 401
    assert _post(client, outsider, "/api/releases/2027/verify/").status_code == 403
    assert _post(client, publisher, "/api/releases/2027/verify/").status_code == 403
    # A wrong state is a conflict.
    response = _post(client, publisher, "/api/releases/2027/publish/")
    assert response.status_code == 409
    assert response.json()["detail"] == "A proposed release cannot be published."
    assert _post(client, publisher, "/api/releases/2027/rollback/").status_code == 409
    assert Release.objects.get().status == "proposed"


def test_the_verifier_cannot_publish_through_the_api(client, proposed, roles, settings):
    from tests.conftest import staff_member

    both = staff_member("Reviewers", "both")
    both.groups.add(*staff_member("Publishers", "pub-too").groups.all())
    assert _post(client, both, "/api/releases/2027/verify/").status_code == 200
    response = _post(client, both, "/api/releases/2027/publish/")
    assert response.status_code == 403
    assert "may not also publish" in response.json()["detail"]


def test_reject_requires_a_reason(client, proposed, reviewer):
    response = _post(client, reviewer, "/api/releases/2027/reject/")
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    response = _post(client, reviewer, "/api/releases/2027/reject/", {"reason": " "})
    assert response.status_code == 400
    response = _post(client, reviewer, "/api/releases/2027/reject/", {"typo": "x", "reason": "r"})
    assert response.status_code == 400
    assert "typo" in response.json()["errors"]
    response = _post(client, reviewer, "/api/releases/2027/reject/", {"reason": "Wrong file"})
    assert (response.status_code, response.json()["status"]) == (200, "rejected")
    assert response.json()["rejection_reason"] == "Wrong file"
