"""Claim-line validation: POST /api/codes/validate/ and the form at /codes/validate/."""

import re

import pytest
from django.test import Client

from codes.services import CodeValues, codes_apply

pytestmark = pytest.mark.django_db

URL = "/api/codes/validate/"


def check(client, body, status=200):
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == status, response.content
    return response.json()


def test_each_line_in_the_order_asked_with_a_reason(client, sample_codes):
    body = check(
        client,
        {
            "date_of_service": "2019-06-01",
            "codes": ["D0370", "D0360", "D0702", "D9940", "d9944", "D9999", "X-1", "D0370"],
        },
    )
    results = body["results"]
    assert [r["code"] for r in results] == [
        "D0370", "D0360", "D0702", "D9940", "D9944", "D9999", "X-1", "D0370",
    ]  # fmt: skip
    assert [r["valid"] for r in results] == [True, False, False, False, True, False, False, True]
    assert set(results[0]) == {"code", "valid", "cdt_edition", "nomenclature"}
    assert results[0]["cdt_edition"] == 2019
    for line in results:
        if not line["valid"]:
            assert set(line) == {"code", "valid", "reason"}
    assert "deleted in CDT 2013" in results[1]["reason"]
    assert "takes effect on 2020-01-01" in results[2]["reason"]
    assert "deleted in CDT 2019" in results[3]["reason"]
    assert "not a code in the CDT code set" in results[5]["reason"]
    assert "not a CDT code" in results[6]["reason"]


def test_an_edition_boundary_day_by_day(client, sample_codes):
    def valid(day):
        lines = check(client, {"date_of_service": day, "codes": ["D0702", "D9940", "D9944"]})
        return [line["valid"] for line in lines["results"]]

    assert valid("2018-12-31") == [False, True, False]
    assert valid("2019-01-01") == [False, False, True]
    assert valid("2019-12-31") == [False, False, True]
    assert valid("2020-01-01") == [True, False, True]


def test_one_hundred_codes_cost_the_same_queries_as_one(
    client, categories, django_assert_num_queries
):
    codes_apply(
        entries=[
            CodeValues(
                f"D{n:04d}",
                {
                    "nomenclature": f"Procedure {n}",
                    "category": "diagnostic",
                    "effective_year": 2000 + n % 30,
                    **({"status": "deleted", "deleted_year": 2031} if n % 7 == 0 else {}),
                },
            )
            for n in range(100, 200)
        ]
    )
    numbers = [f"D{n:04d}" for n in range(100, 200)]
    # The edition calendar and every version of the codes asked.
    with django_assert_num_queries(2):
        one = check(client, {"date_of_service": "2015-06-01", "codes": numbers[:1]})
    with django_assert_num_queries(2):
        hundred = check(client, {"date_of_service": "2015-06-01", "codes": numbers})
    assert one["results"] == hundred["results"][:1]
    assert len(hundred["results"]) == 100
    valid = [line["code"] for line in hundred["results"] if line["valid"]]
    assert valid == [f"D{n:04d}" for n in range(100, 200) if 2000 + n % 30 <= 2015]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date_of_service": "2026-06-01", "codes": [f"D{n:04d}" for n in range(101)]}, "codes"),
        ({"date_of_service": "2026-06-01", "codes": []}, "codes"),
        ({"date_of_service": "2026-06-01", "codes": "D0370"}, "codes"),
        ({"date_of_service": "2026-06-01", "codes": [{"code": "D0370"}]}, "codes"),
        ({"date_of_service": "2026-06-01"}, "codes"),
        ({"date_of_service": "06/01/2026", "codes": ["D0370"]}, "date_of_service"),
        ({"date_of_service": "2026-02-30", "codes": ["D0370"]}, "date_of_service"),
        ({"codes": ["D0370"]}, "date_of_service"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, sample_codes, body, field):
    answer = check(client, body, status=400)
    assert field in answer["errors"]
    assert answer["detail"].startswith(f"{field}")


def test_101_codes_are_refused_naming_codes(client, sample_codes):
    answer = check(client, {"date_of_service": "2026-06-01", "codes": ["D0370"] * 101}, status=400)
    assert answer["detail"] == "codes: At most 100 codes in one check."


def test_logged_in_browsers_need_no_csrf_token_for_a_check(sample_codes):
    from tests.factories import UserFactory

    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    check(client, {"date_of_service": "2026-06-01", "codes": ["D0370"]})


# --- the form --------------------------------------------------------------------------


def test_the_form_checks_pasted_codes(sample_codes):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/codes/validate/")
    assert page.status_code == 200
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/codes/validate/",
        {
            "date_of_service": "2013-01-01",
            "codes": "D0370, D0360\nD0702",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="claim-results"' in html
    assert "deleted in CDT 2013" in html
    assert "takes effect on 2020-01-01" in html
    assert "/codes/D0370/?on=2013-01-01" in html


def test_the_form_refuses_a_post_without_its_csrf_token(sample_codes):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/codes/validate/", {"date_of_service": "2026-06-01", "codes": "D0370"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"date_of_service": "", "codes": "D0370"}, "date_of_service", "Enter the date of service"),
        ({"date_of_service": "1/2/2026", "codes": "D0370"}, "date_of_service", "2026-06-01"),
        ({"date_of_service": "2026-06-01", "codes": " , "}, "codes", "at least one"),
        ({"date_of_service": "2026-06-01", "codes": "D0370 " * 101}, "codes", "At most 100"),
    ],
)
def test_the_form_names_the_field_in_error(client, sample_codes, data, field, message):
    response = client.post("/codes/validate/", data)
    assert response.status_code == 400
    html = response.content.decode()
    # The error is tied to its field (the id its aria-describedby names) and in the summary.
    assert f'id="id_{field}_error"' in html
    assert re.search(rf'aria-describedby="[^"]*\bid_{field}_error\b', html)
    assert message in html
    assert 'id="error-summary"' in html
