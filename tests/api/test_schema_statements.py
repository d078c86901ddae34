"""What the schema states about each finding schemathesis made, read from /api/schema/."""

import json

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def _operation(schema, path, method="post"):
    return schema["paths"][path][method]


def _body_schema(schema, path):
    ref = _operation(schema, path)["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


@pytest.mark.parametrize(
    "path",
    [
        "/api/submissions/",
        "/api/questions/",
        "/api/codes/validate/",
        "/api/submissions/track/{token}/withdraw/",
        "/api/review/submissions/{id}/reject/",
        "/api/review/questions/{id}/assign/",
        "/api/releases/{edition}/verify/",
    ],
)
def test_strict_inputs_say_unknown_keys_are_refused(schema, path):
    assert _body_schema(schema, path)["additionalProperties"] is False


def test_required_text_needs_a_non_space_character(schema):
    reason = _body_schema(schema, "/api/review/submissions/{id}/reject/")["properties"]["reason"]
    assert reason["pattern"] == r"\S"


def test_question_code_may_be_blank_or_null(schema):
    code = _body_schema(schema, "/api/questions/")["properties"]["code"]
    assert "minLength" not in code
    assert code["nullable"] is True


@pytest.mark.parametrize(
    "path",
    ["/api/submissions/", "/api/questions/", "/api/submissions/track/{token}/"],
)
def test_anonymous_endpoints_allow_no_credentials(schema, path):
    method = "get" if "track/{token}/" in path and not path.endswith("withdraw/") else "post"
    assert {} in _operation(schema, path, method)["security"]


def test_review_queue_documents_401_and_403(schema):
    responses = _operation(schema, "/api/review/submissions/", "get")["responses"]
    assert {"400", "401", "403", "404"} <= set(responses)


def test_every_token_operation_documents_401(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if any("tokenAuth" in option for option in operation.get("security", [])):
                assert "401" in operation["responses"], f"{method.upper()} {path}"


def test_page_parameters_state_their_range(schema):
    parameters = {
        p["name"]: p["schema"] for p in _operation(schema, "/api/codes/", "get")["parameters"]
    }
    assert parameters["page"]["minimum"] == 1
    assert (parameters["page_size"]["minimum"], parameters["page_size"]["maximum"]) == (1, 200)
    assert "404" in _operation(schema, "/api/codes/", "get")["responses"]


def test_conflict_fields_are_optional_and_verified_by_nullable(schema):
    components = schema["components"]["schemas"]
    assert components["Conflict"]["required"] == ["detail"]
    assert components["ReviewSubmission"]["properties"]["verified_by"]["nullable"] is True


def test_400_answers_carry_field_errors_as_drf_nests_them(schema):
    components = schema["components"]["schemas"]
    assert components["ApiValidationError"]["required"] == ["detail"]
    reject = _operation(schema, "/api/review/submissions/{id}/reject/")["responses"]["400"]
    assert reject["content"]["application/json"]["schema"]["$ref"].endswith("/ApiValidationError")
    nested = components["FieldErrors"]["additionalProperties"]["anyOf"]
    assert {"$ref": "#/components/schemas/FieldErrors"} in nested


def test_code_404_names_dates_only_when_the_code_exists(schema):
    not_in_force = schema["components"]["schemas"]["CodeNotInForce"]
    assert not_in_force["required"] == ["detail"]
