"""`?on=` on the code API, the claim-line check, and the default view moving with the clock."""

import datetime

import pytest
from django.utils import timezone

from codes.editions import edition_effective_set
from codes.services import CodeValues, codes_apply

pytestmark = pytest.mark.django_db

NOT_IN_FORCE_KEYS = ["detail", "code", "valid_from", "valid_until"]


def get(client, path, **params):
    return client.get(path, params)


# --- one code ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "on", "edition"),
    [
        ("D0360", "2012-12-31", 2012),  # the last day before its deletion
        ("D0702", "2020-01-01", 2020),  # the day it takes effect
        ("D9940", "2018-12-31", 2018),
        ("D9944", "2019-01-01", 2019),  # its replacement, added that year
        ("D0370", "1995-03-01", 1995),
    ],
)
def test_code_in_force_on_the_date(client, sample_codes, code, on, edition):
    response = get(client, f"/api/codes/{code}/", on=on)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["code"], body["status"], body["cdt_edition"]) == (code, "active", edition)


@pytest.mark.parametrize(
    ("code", "on", "valid_from", "valid_until", "says"),
    [
        ("D0360", "2013-01-01", None, "2012-12-31", "deleted in CDT 2013"),
        ("D0702", "2019-12-31", "2020-01-01", None, "takes effect on 2020-01-01 (CDT 2020)"),
        ("D9940", "2019-01-01", None, "2018-12-31", "deleted in CDT 2019"),
        ("D9944", "2018-12-31", "2019-01-01", None, "takes effect on 2019-01-01"),
        ("D9999", "2020-01-01", None, None, "not a code in the CDT code set"),
    ],
)
def test_code_not_in_force_is_a_404_saying_when_it_was(
    client, sample_codes, code, on, valid_from, valid_until, says
):
    response = get(client, f"/api/codes/{code}/", on=on)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == NOT_IN_FORCE_KEYS
    assert (body["code"], body["valid_from"], body["valid_until"]) == (
        code,
        valid_from,
        valid_until,
    )
    assert says in body["detail"]


def test_without_a_date_a_deleted_code_still_answers_as_deleted(client, sample_codes):
    body = client.get("/api/codes/D0360/").json()
    assert (body["status"], body["deleted_year"]) == ("deleted", 2013)


@pytest.mark.parametrize("on", ["2020-13-01", "yesterday", "2020-W01-1", "20200101", "2020-02-30"])
def test_bad_date_is_a_400_naming_on(client, sample_codes, on):
    for path in ("/api/codes/D0370/", "/api/codes/"):
        response = get(client, path, on=on)
        assert response.status_code == 400
        body = response.json()
        assert body["detail"].startswith("on: ")
        assert "on" in body["errors"]


def test_official_text_follows_the_edition_and_the_explanation_stays(client, categories):
    codes_apply(
        entries=[
            CodeValues(
                "D0370",
                {
                    "nomenclature": "Old title",
                    "category": "diagnostic",
                    "effective_year": 2000,
                    "billing_tips": "Current tips.",
                },
            )
        ]
    )
    codes_apply(entries=[CodeValues("D0370", {"nomenclature": "New title"})], edition=2027)
    old = get(client, "/api/codes/D0370/", on="2026-12-31").json()
    new = get(client, "/api/codes/D0370/", on="2027-01-01").json()
    assert (old["nomenclature"], old["cdt_edition"]) == ("Old title", 2026)
    assert (new["nomenclature"], new["cdt_edition"]) == ("New title", 2027)
    assert old["billing_tips"] == new["billing_tips"] == "Current tips."


# --- the list -------------------------------------------------------------------------


def codes_listed(client, **params) -> dict:
    response = get(client, "/api/codes/", page_size=200, **params)
    assert response.status_code == 200, response.content
    return {item["code"]: item for item in response.json()["results"]}


def test_list_on_a_date_is_the_code_set_then(client, sample_codes):
    in_2012 = codes_listed(client, on="2012-06-01")
    assert "D0702" not in in_2012 and "D9944" not in in_2012
    assert in_2012["D0360"]["status"] == "active"
    assert {item["cdt_edition"] for item in in_2012.values()} == {2012}
    in_2020 = codes_listed(client, on="2020-01-01")
    assert in_2020["D0360"]["status"] == "deleted"
    assert "D0702" in in_2020
    active = codes_listed(client, on="2020-01-01", status="active")
    assert "D0360" not in active and "D9940" not in active and "D9944" in active


def test_list_search_reads_the_text_in_force_then(client, categories):
    codes_apply(
        entries=[
            CodeValues(
                "D0370",
                {"nomenclature": "Sonography", "category": "diagnostic", "effective_year": 2000},
            )
        ]
    )
    codes_apply(entries=[CodeValues("D0370", {"nomenclature": "Ultrasound"})], edition=2027)
    assert list(codes_listed(client, on="2026-06-01", q="sonography")) == ["D0370"]
    assert list(codes_listed(client, on="2026-06-01", q="ultrasound")) == []
    assert list(codes_listed(client, on="2027-06-01", q="ultrasound")) == ["D0370"]


# --- moving the clock -------------------------------------------------------------------


def at(monkeypatch, moment: datetime.datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_default_view_switches_on_the_effective_date_by_itself(client, categories, monkeypatch):
    codes_apply(
        entries=[
            CodeValues(
                "D0370",
                {"nomenclature": "Old title", "category": "diagnostic", "effective_year": 2000},
            ),
            CodeValues(
                "D0999",
                {"nomenclature": "Brand new", "category": "diagnostic", "effective_year": 2027},
            ),
        ]
    )
    codes_apply(entries=[CodeValues("D0370", {"nomenclature": "New title"})], edition=2027)
    edition_effective_set(year=2027, effective_on=datetime.date(2027, 2, 1))

    # 23:59 local time the day before, then midnight: nothing runs in between.
    tz = timezone.get_current_timezone()
    at(monkeypatch, datetime.datetime(2027, 1, 31, 23, 59, tzinfo=tz))
    body = client.get("/api/codes/D0370/").json()
    assert (body["nomenclature"], body["cdt_edition"]) == ("Old title", 2026)
    assert client.get("/api/codes/D0999/").status_code == 404
    assert "D0999" not in codes_listed(client)

    at(monkeypatch, datetime.datetime(2027, 2, 1, 0, 0, tzinfo=tz))
    body = client.get("/api/codes/D0370/").json()
    assert (body["nomenclature"], body["cdt_edition"]) == ("New title", 2027)
    assert client.get("/api/codes/D0999/").status_code == 200
    assert "D0999" in codes_listed(client)


# --- query counts -----------------------------------------------------------------------


def test_lookups_by_date_cost_the_same_whatever_the_number_of_editions(client, categories):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    codes_apply(
        entries=[
            CodeValues(
                number,
                {"nomenclature": "Title 1990", "category": "diagnostic", "effective_year": 1990},
            )
            for number in ("D0370", "D0371")
        ]
    )

    def count(path, **params) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path, params).status_code in (200, 404)
        return len(queries)

    paths = [
        ("/api/codes/D0370/", {"on": "1995-06-01"}),
        ("/api/codes/D0370/", {"on": "1980-06-01"}),  # a 404
        ("/api/codes/", {"on": "1995-06-01", "q": "title"}),
        ("/codes/D0370/", {"on": "1995-06-01"}),
    ]
    before = [count(path, **params) for path, params in paths]
    for year in range(1991, 2031):
        codes_apply(entries=[CodeValues("D0370", {"nomenclature": f"Title {year}"})], edition=year)
    after = [count(path, **params) for path, params in paths]
    assert before == after
    assert after[0] <= 2 and after[2] <= 2
