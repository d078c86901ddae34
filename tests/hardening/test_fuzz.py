"""Property test: arbitrary text and JSON at every public endpoint and form; never a 500.

The number of examples per test is bounded (FUZZ_EXAMPLES, default 40) so the suite
stays quick; raise it for a deeper run.
"""

import json
import os
from urllib.parse import quote

import pytest
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contributions.suggestions.services import submission_create
from tests.hardening.conftest import QUESTION, SUBMISSION

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
    database=None,
)
NO_THROTTLE = override_settings(
    REST_FRAMEWORK={
        **__import__("django.conf").conf.settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon_writes": "1000000/min"},
    },
    THROTTLE_ACKS_PER_RECIPIENT="1000000/hour",
)

# Any code point, lone surrogates and NUL included (JSON can carry them all), with the
# ones that broke the server before drawn often.
TROUBLE = st.sampled_from(["\x00", "\ud800", "\udfff", "\u202e", "'", "%", "\n"])
short_text = st.text(TROUBLE | st.characters(exclude_categories=()), max_size=40)
# Past every length cap, now and then.
any_text = short_text | st.text(TROUBLE | st.just("x"), min_size=5001, max_size=6000).map(
    lambda t: t * 2
)
# What a browser's form can carry: no lone surrogates (they are not UTF-8).
form_text = st.text(
    st.sampled_from(["\x00", "'", "%"]) | st.characters(exclude_categories=("Cs",)), max_size=60
)
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text
any_json = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=12,
)
codes = st.sampled_from(["D0370", "D0371", "D9999", "", "d0370", "D037"]) | any_text


def _mutated(valid: dict, fields: dict):
    """A valid body with some fields replaced: deep enough to reach the database."""
    return st.fixed_dictionaries({}, optional=fields).map(lambda drawn: {**valid, **drawn})


def submission_bodies():
    changes = st.dictionaries(
        st.sampled_from(["billing_tips", "related_codes", "body", "nomenclature", "category"]),
        any_json | st.lists(any_text, max_size=3),
        min_size=1,
        max_size=3,
    )
    fields = {
        "code": codes,
        "base_revision": any_json,
        "changes": changes | any_json,
        "rationale": any_text | any_json,
        "sources": st.lists(
            st.sampled_from(["https://example.org/", "http://e.org/a?b="]).flatmap(
                lambda base: any_text.map(lambda t: base + t)
            ),
            max_size=3,
        )
        | any_json,
        "name": any_text | any_json,
        "email": any_text.map(lambda t: t + "@example.net") | any_json,
    }
    return _mutated(SUBMISSION, fields) | st.fixed_dictionaries({}, optional=fields)


def question_bodies():
    fields = {k: any_text | any_json for k in ("name", "subject", "body", "code")}
    fields["email"] = any_text.map(lambda t: t + "@example.net") | any_json
    fields["publish_consent"] = any_json
    return _mutated(QUESTION, fields)


@pytest.fixture
def client():
    with NO_THROTTLE:
        yield Client(raise_request_exception=False)


def _raw_json(value) -> bytes:
    return json.dumps(value).encode()


def _ok(response, what):
    assert response.status_code < 500, (what, response.status_code, response.content[:300])


@FUZZ
@given(body=submission_bodies() | any_json)
def test_submissions_api(client, d0370, body):
    response = client.post("/api/submissions/", _raw_json(body), content_type="application/json")
    _ok(response, body)


@FUZZ
@given(body=question_bodies() | any_json)
def test_questions_api(client, d0370, body):
    response = client.post("/api/questions/", _raw_json(body), content_type="application/json")
    _ok(response, body)


@FUZZ
@given(raw=st.binary(max_size=200) | short_text.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_any_bytes_to_the_write_endpoints(client, d0370, raw):
    for path in ("/api/submissions/", "/api/questions/"):
        _ok(client.post(path, raw, content_type="application/json"), raw)


@FUZZ
@given(segment=short_text, body=any_json)
def test_tracking_and_withdraw_api(client, d0370, segment, body):
    token = quote(segment.encode("utf-8", "surrogatepass"), safe="")
    for path in (f"/api/submissions/track/{token}/", f"/api/questions/track/{token}/"):
        _ok(client.get(path), path)
    path = f"/api/submissions/track/{token}/withdraw/"
    _ok(client.post(path, _raw_json(body), content_type="application/json"), path)


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(["category", "status", "q", "changed_since", "page", "page_size", "on"]),
        form_text,
        max_size=4,
    ),
    segment=short_text,
)
def test_catalog_api_and_pages(client, d0370, params, segment):
    code = quote(segment.encode("utf-8", "surrogatepass"), safe="")
    for path in ("/api/codes/", "/api/categories/", "/codes/", "/changes/"):
        _ok(client.get(path, params), (path, params))
    for path in (f"/api/codes/{code}/", f"/api/codes/{code}/revisions/", f"/codes/{code}/"):
        _ok(client.get(path, params), (path, params))


@FUZZ
@given(data=st.dictionaries(form_text, form_text, max_size=4), fields=st.data())
def test_html_forms(client, d0370, data, fields):
    question = fields.draw(
        st.fixed_dictionaries(
            {},
            optional={
                k: form_text for k in ("name", "email", "subject", "body", "code", "website")
            },
        )
    )
    suggest = fields.draw(
        st.fixed_dictionaries(
            {},
            optional={
                k: form_text
                for k in (
                    "base_revision",
                    "billing_tips",
                    "related_codes",
                    "rationale",
                    "sources",
                    "name",
                    "email",
                    "nomenclature",
                )
            },
        )
    )
    same_site = {"HTTP_SEC_FETCH_SITE": "same-origin"}
    _ok(client.post("/contact/", {**data, **question}), question)
    _ok(client.post("/codes/D0370/questions/", {**data, **question}, **same_site), question)
    _ok(client.post("/codes/D0370/suggest/", {**data, **suggest}), suggest)


@FUZZ
@given(note=form_text, segment=short_text)
def test_withdraw_form(client, d0370, note, segment):
    _submission, token = submission_create(**SUBMISSION)
    _ok(client.post(f"/track/submissions/{token}/", {"note": note}), note)
    bad = quote(segment.encode("utf-8", "surrogatepass"), safe="")
    _ok(client.post(f"/track/submissions/{bad}/", {"note": note}), bad)
    _ok(client.get(f"/track/questions/{bad}/"), bad)
