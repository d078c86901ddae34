"""The FHIR terminology API: every answer is checked against the FHIR R4 models of
`fhir.resources` (R4B: R4 with its technical corrections), errors included."""

import pytest
from fhir.resources.R4B import get_fhir_model_class

from codes.fhir.resources import CDT_SYSTEM, CDT_VALUE_SET
from codes.models import Code
from codes.services import CodeValues, codes_apply

pytestmark = pytest.mark.django_db

LOOKUP = "/fhir/CodeSystem/$lookup"
VALIDATE = "/fhir/CodeSystem/$validate-code"
EXPAND = "/fhir/ValueSet/$expand"


def fhir(client, path, params=None, *, status=200, resource="Parameters", **headers):
    """GET and parse with the FHIR model of `resource`; returns (model, json)."""
    response = client.get(path, params or {}, **headers)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/fhir+json"
    body = response.json()
    assert body["resourceType"] == resource
    return get_fhir_model_class(resource).model_validate(body), body


def params_of(model) -> dict:
    return {p.name: p for p in model.parameter}


def outcome(client, path, params, status) -> str:
    model, _ = fhir(client, path, params, status=status, resource="OperationOutcome")
    assert model.issue[0].severity == "error"
    return model.issue[0].diagnostics


# --- metadata ---------------------------------------------------------------------------


def test_metadata_lists_the_three_operations(client):
    model, _ = fhir(client, "/fhir/metadata", resource="CapabilityStatement")
    assert model.fhirVersion == "4.0.1"
    operations = {
        resource.type: {op.name for op in resource.operation} for resource in model.rest[0].resource
    }
    assert operations == {"CodeSystem": {"lookup", "validate-code"}, "ValueSet": {"expand"}}


def test_answers_fhir_json_whatever_the_client_accepts(client):
    fhir(client, "/fhir/metadata", resource="CapabilityStatement", HTTP_ACCEPT="application/xml")
    fhir(client, "/fhir/metadata", {"_format": "json"}, resource="CapabilityStatement")


# --- $lookup ----------------------------------------------------------------------------


def test_lookup_gives_name_edition_display_and_descriptor(client, sample_codes):
    model, _ = fhir(client, LOOKUP, {"system": CDT_SYSTEM, "code": "D0370", "date": "2026-06-01"})
    found = params_of(model)
    assert found["name"].valueString == "CDT"
    assert found["version"].valueString == "2026"
    code = Code.objects.get(code="D0370")
    assert found["display"].valueString == code.nomenclature
    designation = {part.name: part for part in found["designation"].part}
    assert designation["value"].valueString == code.descriptor


def test_lookup_honours_the_date_across_an_edition(client, categories):
    codes_apply(
        entries=[
            CodeValues(
                "D0370",
                {"nomenclature": "Old title", "category": "diagnostic", "effective_year": 2000},
            )
        ]
    )
    codes_apply(entries=[CodeValues("D0370", {"nomenclature": "New title"})], edition=2027)
    before, _ = fhir(client, LOOKUP, {"system": CDT_SYSTEM, "code": "D0370", "date": "2026-12-31"})
    after, _ = fhir(client, LOOKUP, {"system": CDT_SYSTEM, "code": "D0370", "date": "2027-01-01"})
    assert params_of(before)["display"].valueString == "Old title"
    assert params_of(before)["version"].valueString == "2026"
    assert params_of(after)["display"].valueString == "New title"
    assert params_of(after)["version"].valueString == "2027"


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"system": CDT_SYSTEM, "code": "D0360", "date": "2013-01-01"}, 404, "deleted in CDT 2013"),
        ({"system": CDT_SYSTEM, "code": "D0702", "date": "2019-12-31"}, 404, "takes effect"),
        ({"system": CDT_SYSTEM, "code": "D9999"}, 404, "not a code in the CDT code set"),
        ({"system": CDT_SYSTEM, "code": "X12"}, 404, "not a CDT code"),
        ({"system": "http://loinc.org", "code": "D0370"}, 404, "unknown code system"),
        ({"code": "D0370"}, 400, "system: this parameter is required"),
        ({"system": CDT_SYSTEM}, 400, "code: this parameter is required"),
        ({"system": CDT_SYSTEM, "code": "D0370", "date": "2026-13-01"}, 400, "date:"),
        ({"system": CDT_SYSTEM, "code": "D0370", "date": "yesterday"}, 400, "date:"),
    ],
)
def test_lookup_errors_are_operation_outcomes(client, sample_codes, params, status, message):
    assert message in outcome(client, LOOKUP, params, status)


def test_lookup_accepts_a_date_time(client, sample_codes):
    model, _ = fhir(
        client, LOOKUP, {"system": CDT_SYSTEM, "code": "D0360", "date": "2012-06-01T10:00:00Z"}
    )
    assert params_of(model)["version"].valueString == "2012"


# --- $validate-code ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "date", "result", "message"),
    [
        ("D0370", "2026-06-01", True, None),
        ("D0360", "2012-12-31", True, None),
        ("D0360", "2013-01-01", False, "deleted in CDT 2013"),
        ("D0702", "2019-12-31", False, "takes effect on 2020-01-01"),
        ("D0702", "2020-01-01", True, None),
        ("D9940", "2019-01-01", False, "deleted in CDT 2019"),
        ("D9944", "2019-01-01", True, None),
        ("D9999", "2026-06-01", False, "not a code in the CDT code set"),
        ("D12", "2026-06-01", False, "not a CDT code"),
    ],
)
def test_validate_code_by_date_of_service(client, sample_codes, code, date, result, message):
    model, _ = fhir(client, VALIDATE, {"url": CDT_SYSTEM, "code": code, "date": date})
    found = params_of(model)
    assert found["result"].valueBoolean is result
    assert found["version"].valueString == date[:4]
    if result:
        assert found["display"].valueString == Code.objects.get(code=code).nomenclature
        assert "message" not in found
    else:
        assert message in found["message"].valueString


def test_validate_code_checks_the_display(client, sample_codes):
    title = Code.objects.get(code="D0370").nomenclature
    ok, _ = fhir(
        client, VALIDATE, {"system": CDT_SYSTEM, "code": "D0370", "display": title.upper()}
    )
    assert params_of(ok)["result"].valueBoolean is True
    wrong, _ = fhir(client, VALIDATE, {"url": CDT_SYSTEM, "code": "D0370", "display": "Teeth"})
    assert params_of(wrong)["result"].valueBoolean is False
    assert "is not the title of D0370" in params_of(wrong)["message"].valueString


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"code": "D0370"}, 400, "url: this parameter is required"),
        ({"url": CDT_SYSTEM}, 400, "code: this parameter is required"),
        ({"url": "http://snomed.info/sct", "code": "D0370"}, 404, "unknown code system"),
        ({"url": CDT_SYSTEM, "code": "D0370", "date": "2026-02-30"}, 400, "date:"),
    ],
)
def test_validate_code_errors_are_operation_outcomes(client, sample_codes, params, status, message):
    assert message in outcome(client, VALIDATE, params, status)


# --- $expand ----------------------------------------------------------------------------


def test_expand_filters_the_codes_in_force_on_the_date(client, sample_codes):
    model, body = fhir(
        client, EXPAND, {"url": CDT_VALUE_SET, "filter": "ultrasound"}, resource="ValueSet"
    )
    codes = [item.code for item in model.expansion.contains]
    assert codes == ["D0370", "D0386"]
    assert model.expansion.total == 2
    assert {item.system for item in model.expansion.contains} == {CDT_SYSTEM}
    assert model.expansion.contains[0].display == Code.objects.get(code="D0370").nomenclature


def test_expand_by_number_prefix_and_date(client, sample_codes):
    def codes(date):
        model, _ = fhir(
            client,
            EXPAND,
            {"url": CDT_VALUE_SET, "filter": "D07", "date": date},
            resource="ValueSet",
        )
        return [item.code for item in model.expansion.contains or []]

    assert codes("2019-12-31") == []
    assert codes("2020-01-01") == ["D0702"]
    deleted, _ = fhir(
        client,
        EXPAND,
        {"url": CDT_VALUE_SET, "filter": "D0360", "date": "2013-01-01"},
        resource="ValueSet",
    )
    assert deleted.expansion.total == 0


def test_expand_pages_with_count_and_offset(client, sample_codes):
    everything, _ = fhir(client, EXPAND, {"url": CDT_VALUE_SET, "count": 1000}, resource="ValueSet")
    all_codes = [item.code for item in everything.expansion.contains]
    assert "D0360" not in all_codes and "D9940" not in all_codes  # deleted today
    assert everything.expansion.total == len(all_codes)
    page, _ = fhir(
        client, EXPAND, {"url": CDT_VALUE_SET, "count": 5, "offset": 10}, resource="ValueSet"
    )
    assert [item.code for item in page.expansion.contains] == all_codes[10:15]
    assert page.expansion.offset == 10
    assert page.expansion.total == len(all_codes)
    only_total, body = fhir(client, EXPAND, {"url": CDT_VALUE_SET, "count": 0}, resource="ValueSet")
    assert only_total.expansion.total == len(all_codes)
    assert "contains" not in body["expansion"]  # FHIR JSON has no empty arrays


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({}, 400, "url: this parameter is required"),
        ({"url": "http://example.org/vs"}, 404, "unknown value set"),
        ({"url": CDT_VALUE_SET, "count": "-1"}, 400, "count:"),
        ({"url": CDT_VALUE_SET, "count": "1001"}, 400, "count:"),
        ({"url": CDT_VALUE_SET, "offset": "ten"}, 400, "offset:"),
        ({"url": CDT_VALUE_SET, "date": "2026-6-1"}, 400, "date:"),
        ({"url": CDT_VALUE_SET, "filter": "x" * 101}, 400, "filter:"),
    ],
)
def test_expand_errors_are_operation_outcomes(client, sample_codes, params, status, message):
    assert message in outcome(client, EXPAND, params, status)


def test_expand_costs_the_same_queries_whatever_the_size(
    client, categories, django_assert_num_queries
):
    def grow(start, count):
        codes_apply(
            entries=[
                CodeValues(
                    f"D{n:04d}", {"nomenclature": f"Procedure {n}", "category": "diagnostic"}
                )
                for n in range(start, start + count)
            ]
        )

    params = {"url": CDT_VALUE_SET, "filter": "procedure", "count": 50}
    grow(100, 5)
    # Count, page, edition calendar.
    with django_assert_num_queries(3):
        fhir(client, EXPAND, params, resource="ValueSet")
    grow(200, 300)
    with django_assert_num_queries(3):
        _, body = fhir(client, EXPAND, params, resource="ValueSet")
    assert body["expansion"]["total"] == 305
    assert len(body["expansion"]["contains"]) == 50


# --- anything else ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/fhir/Patient/1", "/fhir/", "/fhir/CodeSystem/$subsumes"])
def test_unknown_fhir_paths_are_operation_outcomes(client, path):
    assert "not supported" in outcome(client, path, {}, 404)


def test_other_methods_are_operation_outcomes(client):
    response = client.post(LOOKUP, {}, content_type="application/fhir+json")
    assert response.status_code == 405
    body = get_fhir_model_class("OperationOutcome").model_validate(response.json())
    assert body.issue[0].code == "not-supported"
