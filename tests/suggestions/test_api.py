import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cdtsite.throttling import AnonWritesThrottle
from codes.models import Code
from contributions.models import Submission
from contributions.suggestions.services import submission_reject, submission_verify

pytestmark = pytest.mark.django_db

BODY = {
    "code": "D0370",
    "base_revision": 1,
    "changes": {"billing_tips": "Proposed tip", "related_codes": []},
    "rationale": "Per the payer manual.",
    "sources": ["https://example.org/manual"],
    "name": "Pat",
    "email": "pat.private@example.net",
}


@pytest.fixture
def api():
    return APIClient()


def _as(user):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _token(tracking_url: str) -> str:
    return tracking_url.rstrip("/").rsplit("/", 1)[-1]


def test_anyone_can_submit_and_gets_a_tracking_url(api, d0370):
    response = api.post("/api/submissions/", BODY, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert set(data) == {"id", "status", "tracking_url"}
    assert data["status"] == "submitted"
    assert data["tracking_url"].startswith("http://testserver/track/submissions/")
    assert Submission.objects.get(pk=data["id"]).submitter_email == "pat.private@example.net"


def test_bad_input_is_a_400_naming_the_field(api, d0370):
    response = api.post("/api/submissions/", {**BODY, "email": "nope"}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()["errors"]
    assert response.json()["detail"].startswith("email")
    assert Submission.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "surprise": 1}, "surprise"),
        ({**BODY, "changes": {"billing_tips": "x", "status": "deleted"}}, "changes"),
        ({**BODY, "changes": {"related_codes": "D9999"}}, "changes.related_codes"),
        ({k: v for k, v in BODY.items() if k != "rationale"}, "rationale"),
        ({**BODY, "base_revision": "two"}, "base_revision"),
        ({**BODY, "code": None}, "code"),
    ],
)
def test_every_bad_field_is_named(api, d0370, body, field):
    response = api.post("/api/submissions/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


@pytest.mark.parametrize("payload", ["[]", '"text"', "{", "null"])
def test_malformed_json_is_a_400_not_a_500(api, d0370, payload):
    response = api.post("/api/submissions/", payload, content_type="application/json")
    assert response.status_code == 400


def test_anonymous_writes_take_json_only(api, d0370):
    response = api.post(
        "/api/submissions/",
        "code=D0370&rationale=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415


def test_tracking_shows_state_and_public_notes_but_never_the_email(api, d0370):
    url = api.post("/api/submissions/", BODY, format="json").json()["tracking_url"]
    response = api.get(f"/api/submissions/track/{_token(url)}/")
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["code"], data["can_withdraw"]) == ("submitted", "D0370", True)
    assert "pat.private" not in response.content.decode()
    assert [n["status"] for n in data["notes"]] == ["submitted"]


def test_wrong_token_is_a_404(api, d0370):
    api.post("/api/submissions/", BODY, format="json")
    assert api.get("/api/submissions/track/wrong/").status_code == 404
    assert api.post("/api/submissions/track/wrong/withdraw/", {}, format="json").status_code == 404


def test_submitter_withdraws_and_then_cannot_again(api, d0370):
    token = _token(api.post("/api/submissions/", BODY, format="json").json()["tracking_url"])
    response = api.post(
        f"/api/submissions/track/{token}/withdraw/", {"note": "Oops"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    again = api.post(f"/api/submissions/track/{token}/withdraw/", {}, format="json")
    assert again.status_code == 409


def test_review_queue_needs_a_reviewer_or_publisher(
    api, d0370, reviewer, publisher, outsider, submit
):
    submit()
    assert api.get("/api/review/submissions/").status_code == 401
    assert _as(outsider).get("/api/review/submissions/").status_code == 403
    for user in (reviewer, publisher):
        response = _as(user).get("/api/review/submissions/")
        assert response.status_code == 200
        assert len(response.json()["results"]) == 1
        assert "pat@example.net" not in response.content.decode()


def _ids(client, query=""):
    response = client.get(f"/api/review/submissions/{query}")
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_review_queue_filters(submit, reviewer, publisher):
    a = submit()
    b = submit(changes={"body": "New"})
    submission_verify(submission_id=a.pk, actor=reviewer)
    client = _as(publisher)
    assert _ids(client, "?status=verified") == [a.pk]
    assert _ids(client, "?code=d0370") == [a.pk, b.pk]
    assert _ids(client, "?code=%20D0370%20") == [a.pk, b.pk]
    assert _ids(client, "?code=D0999") == []
    assert _ids(client, "?stale=true") == []
    bad = client.get("/api/review/submissions/?status=lost")
    assert bad.status_code == 400
    assert "status" in bad.json()["errors"]


def test_review_queue_shows_open_suggestions_oldest_first_by_default(submit, reviewer):
    old, done, new = submit(), submit(), submit()
    submission_reject(submission_id=done.pk, actor=reviewer, reason="Duplicate.")
    client = _as(reviewer)
    assert _ids(client) == [old.pk, new.pk]
    assert _ids(client, "?status=open") == [old.pk, new.pk]
    assert _ids(client, "?status=rejected") == [done.pk]
    assert _ids(client, "?status=all") == [old.pk, done.pk, new.pk]
    assert _ids(client, "?status=all&ordering=-created_at") == [new.pk, done.pk, old.pk]


def test_review_queue_pages_by_cursor_without_a_count(submit, reviewer):
    made = [submit().pk for _ in range(5)]
    client = _as(reviewer)
    seen, url = [], "/api/review/submissions/?page_size=2"
    while url:
        body = client.get(url).json()
        assert "count" not in body
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == made
    last = client.get("/api/review/submissions/?page_size=2&ordering=-created_at").json()
    assert [row["id"] for row in last["results"]] == made[:-3:-1]
    back = client.get(last["next"]).json()["previous"]
    assert [row["id"] for row in client.get(back).json()["results"]] == made[:-3:-1]


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("?ordering=rationale", 400, "ordering"),
        ("?ordering=created_at,id", 400, "ordering"),
        # Empty or unlisted values of a parameter the schema enumerates (these were taken
        # as "no filter" before).
        ("?ordering=", 400, "ordering"),
        ("?status=", 400, "status"),
        ("?stale=", 400, "stale"),
        ("?stale=null", 400, "stale"),
        ("?page_size=0", 400, "page_size"),
        ("?page_size=201", 400, "page_size"),
        ("?page_size=ten", 400, "page_size"),
        ("?page=2", 400, "page"),
        ("?cursor=not-a-cursor", 404, None),
    ],
)
def test_review_queue_refuses_what_it_cannot_do(submit, reviewer, query, status, field):
    submit()
    response = _as(reviewer).get(f"/api/review/submissions/{query}")
    assert response.status_code == status
    assert response.json()["detail"]
    if field:
        assert field in response.json()["errors"]


def test_review_queue_schema_documents_cursor_ordering_and_errors(api):
    schema = api.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/review/submissions/"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert {"cursor", "page_size", "ordering", "status", "code", "stale"} <= set(params)
    assert "page" not in params
    assert set(params["ordering"]["schema"]["enum"]) == {"created_at", "-created_at"}
    assert {"200", "400", "404"} <= set(operation["responses"])
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(page["properties"]) == {"next", "previous", "results"}


def test_transitions_through_the_api(submit, reviewer, publisher, outsider):
    submission = submit()
    base = f"/api/review/submissions/{submission.pk}"
    assert APIClient().post(f"{base}/verify/", {}, format="json").status_code == 401
    assert _as(outsider).post(f"{base}/verify/", {}, format="json").status_code == 403
    assert _as(publisher).post(f"{base}/publish/", {}, format="json").status_code == 409
    response = _as(reviewer).post(f"{base}/verify/", {"note": "Checked"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "verified"
    assert _as(reviewer).post(f"{base}/publish/", {}, format="json").status_code == 403
    response = _as(publisher).post(f"{base}/publish/", {}, format="json")
    assert response.status_code == 200
    assert Code.objects.get(code="D0370").billing_tips == "Better tip"
    assert _as(publisher).post(
        "/api/review/submissions/999999/verify/", {}, format="json"
    ).status_code in (403, 404)


def test_reject_needs_a_reason(submit, reviewer):
    submission = submit()
    url = f"/api/review/submissions/{submission.pk}/reject/"
    response = _as(reviewer).post(url, {"note": "only a note"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    assert _as(reviewer).post(url, {"reason": "No source"}, format="json").status_code == 200


def test_publish_conflict_is_a_409_naming_the_fields(submit, reviewer, publisher):
    first = submit(changes={"billing_tips": "One"})
    second = submit(changes={"billing_tips": "Two"})
    for s in (first, second):
        submission_verify(submission_id=s.pk, actor=reviewer)
    client = _as(publisher)
    assert client.post(f"/api/review/submissions/{first.pk}/publish/").status_code == 200
    response = client.post(f"/api/review/submissions/{second.pk}/publish/")
    assert response.status_code == 409
    assert response.json()["fields"] == ["billing_tips"]


def test_review_queue_names_the_revision_each_publish_wrote(submit, reviewer, publisher):
    first = submit(changes={"billing_tips": "One"})
    second = submit(changes={"body": "Two"})
    waiting = submit(changes={"documentation": "Three"})
    client = _as(publisher)
    for s in (first, second):
        submission_verify(submission_id=s.pk, actor=reviewer)
        assert client.post(f"/api/review/submissions/{s.pk}/publish/").status_code == 200
    rows = client.get("/api/review/submissions/?status=all").json()["results"]
    revisions = {row["id"]: row["published_revision"] for row in rows}
    assert revisions == {first.pk: 2, second.pk: 3, waiting.pk: None}


def test_anonymous_writes_are_throttled(api, d0370, monkeypatch):
    monkeypatch.setattr(AnonWritesThrottle, "rate", "3/min", raising=False)
    codes = [api.post("/api/submissions/", BODY, format="json").status_code for _ in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    response = api.post("/api/submissions/", BODY, format="json")
    assert "detail" in response.json()
