"""The API takes JSON's own types, as its schema states them (schemathesis found these
taken: 5 for a text, "3" for a number, 0 for a flag, a string for a list)."""

import pytest
from rest_framework.test import APIClient

from contributions.questions.services import question_create
from contributions.suggestions.services import submission_create
from tests.hardening.conftest import QUESTION, SUBMISSION

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission(d0370):
    return submission_create(**SUBMISSION)


@pytest.fixture
def staff(reviewer):
    client = APIClient()
    client.force_authenticate(reviewer)
    return client


def _errors(response) -> dict:
    assert response.status_code == 400, response.content
    return response.json()["errors"]


def test_reject_reason_must_be_text(staff, submission):
    record, _token = submission
    response = staff.post(
        f"/api/review/submissions/{record.pk}/reject/", {"reason": 5}, format="json"
    )
    assert _errors(response) == {"reason": ["Not a valid string."]}


def test_verify_note_must_be_text(staff, submission):
    record, _token = submission
    response = staff.post(
        f"/api/review/submissions/{record.pk}/verify/", {"note": 7}, format="json"
    )
    assert _errors(response) == {"note": ["Not a valid string."]}


def test_withdraw_note_must_be_text(client, submission):
    _record, token = submission
    response = client.post(
        f"/api/submissions/track/{token}/withdraw/", {"note": 1}, content_type="application/json"
    )
    assert _errors(response) == {"note": ["Not a valid string."]}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("base_revision", "1", "A valid integer is required."),
        ("base_revision", True, "A valid integer is required."),
        ("rationale", 12, "Not a valid string."),
        ("sources", "https://example.org/manual", None),
    ],
)
def test_suggestion_fields_take_their_json_types(client, d0370, field, value, message):
    response = client.post(
        "/api/submissions/", {**SUBMISSION, field: value}, content_type="application/json"
    )
    errors = _errors(response)
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]


def test_question_consent_is_a_boolean_and_code_may_be_blank(client, d0370):
    response = client.post(
        "/api/questions/", {**QUESTION, "publish_consent": 0}, content_type="application/json"
    )
    assert _errors(response) == {"publish_consent": ["Must be true or false."]}
    # "" means no code, as the schema says (no minLength).
    response = client.post(
        "/api/questions/", {**QUESTION, "code": ""}, content_type="application/json"
    )
    assert response.status_code == 201


def test_claim_check_takes_strings_and_no_unknown_keys(client):
    body = {"date_of_service": "2026-06-01", "codes": ["D0370", 370], "extra": 1}
    response = client.post("/api/codes/validate/", body, content_type="application/json")
    assert _errors(response) == {
        "codes": {"1": ["Not a valid string."]},
        "extra": ["Unknown field."],
    }


def test_assign_takes_a_user_id_not_a_string(staff, expert, d0370):
    question, _token = question_create(**QUESTION)
    staff.force_authenticate(expert)
    response = staff.post(
        f"/api/review/questions/{question.pk}/assign/", {"assignee": str(expert.pk)}, format="json"
    )
    assert _errors(response) == {"assignee": ["A valid integer is required."]}
