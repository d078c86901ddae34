"""Bounded input: size, depth, NUL and lone surrogates, length caps; never a 500."""

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from contributions.models import Question, Submission
from tests.hardening.conftest import QUESTION, SUBMISSION

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def _post_raw(path: str, body: str | bytes):
    data = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    return Client().post(path, data, content_type="application/json")


@pytest.mark.parametrize(
    ("changes", "extra", "field"),
    [
        ({"billing_tips": "a\u0000b"}, {}, "changes.billing_tips"),
        ({"related_codes": ["D03\u000071"]}, {}, "changes.related_codes[0]"),
        ({"billing_tips": "ok"}, {"sources": ["https://example.org/\u0000"]}, "sources[0]"),
        ({"billing_tips": "ok"}, {"rationale": "why\u0000"}, "rationale"),
    ],
)
def test_nul_in_any_value_is_a_400_naming_the_field(api, d0370, changes, extra, field):
    body = {**SUBMISSION, "changes": changes, **extra}
    response = _post_raw("/api/submissions/", json.dumps(body))
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert Submission.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('"changes": {"billing_tips": "x\\ud800y"}', "changes.billing_tips"),
        ('"changes": {"related_codes": ["\\udfff"]}', "changes.related_codes[0]"),
        ('"changes": {"billing_tips": "ok"}, "sources": ["https://e.org/\\udc00"]', "sources[0]"),
    ],
)
def test_a_lone_surrogate_is_a_400_naming_the_field(d0370, raw, field):
    body = (
        '{"code": "D0370", "rationale": "r", "name": "Pat", "email": "p@example.net", ' + raw + "}"
    )
    response = _post_raw("/api/submissions/", body)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


@pytest.mark.parametrize("path", ["/api/submissions/", "/api/questions/"])
@pytest.mark.parametrize("depth", [40, 5_000, 100_000])
def test_deeply_nested_json_is_a_json_400(d0370, path, depth):
    nested = "[" * depth + "]" * depth
    for body in (nested, '{"changes": {"billing_tips": ' + nested + "}}"):
        response = _post_raw(path, body)
        assert response.status_code == 400
        assert "nested deeper" in response.json()["detail"].lower()


def test_a_large_body_is_a_json_413(d0370):
    body = json.dumps({**QUESTION, "body": "x" * 3_000_000})
    response = _post_raw("/api/questions/", body)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "too large" in response.json()["detail"]
    assert Question.objects.count() == 0


def test_a_million_character_billing_tip_is_refused_naming_the_field(api, d0370):
    body = {**SUBMISSION, "changes": {"billing_tips": "x" * 200_000}}
    response = api.post("/api/submissions/", body, format="json")
    assert response.status_code == 400
    assert "changes.billing_tips" in response.json()["errors"]
    assert "At most 10000" in response.json()["detail"]


@pytest.mark.parametrize(
    ("field", "limit"), [("name", 120), ("subject", 200), ("body", 5000), ("email", 254)]
)
def test_question_caps_agree_between_api_and_form(api, d0370, field, limit):
    long = "x" * (limit + 1) if field != "email" else "a" * limit + "@example.net"
    response = api.post("/api/questions/", {**QUESTION, field: long}, format="json")
    assert response.status_code == 400 and field in response.json()["errors"]
    page = Client().post("/contact/", {**QUESTION, field: long})
    assert page.status_code == 400
    assert page.context["form"].errors[field]
    assert Question.objects.count() == 0


def test_form_nul_is_a_400_naming_the_field(d0370):
    page = Client().post("/contact/", {**QUESTION, "subject": "a\x00b"})
    assert page.status_code == 400
    assert page.context["form"].errors["subject"]


@pytest.mark.parametrize(
    "path",
    [
        "/codes/D0370%00/suggest/",
        "/codes/D0370%00/",
        "/codes/%00/questions/",
        "/track/submissions/%00/",
        "/track/questions/a%00b/",
    ],
)
def test_nul_in_a_path_is_a_404_page_never_a_500(d0370, path):
    client = Client(raise_request_exception=False)
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 404, (path, response.status_code)
        assert "Page not found" in response.content.decode()


@pytest.mark.parametrize("query", ["category=%00", "q=%00", "category=a%00&q=b%00"])
def test_nul_in_a_public_query_never_fails(d0370, query):
    response = Client(raise_request_exception=False).get(f"/codes/?{query}")
    assert response.status_code < 500


@pytest.mark.parametrize(
    "path",
    [
        "/admin/contributions/submission/?category=%00",
        "/admin/contributions/submission/?status=%00",
        "/admin/contributions/question/?code=%00",
        "/admin/codes/code/?category=%00&q=%00",
    ],
)
def test_nul_in_admin_list_filters_is_a_400(admin_client, path):
    response = admin_client.get(path)
    assert response.status_code == 400


@pytest.mark.parametrize("related", [False, True, 0, 3.5, {"D0371": 1}])
def test_related_codes_that_are_neither_a_list_nor_a_string_are_a_400_naming_the_field(
    d0370, related
):
    body = {**SUBMISSION, "changes": {"related_codes": related}}
    response = _post_raw("/api/submissions/", json.dumps(body))
    assert response.status_code == 400, response.content
    assert "changes.related_codes" in response.json()["errors"], response.json()
    assert Submission.objects.count() == 0
