"""The code page by date of service, its history, and the comparison of two versions."""

import re

import pytest

from codes.services import CodeValues, code_update, codes_apply

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def revised(categories):
    """D0370: added in 2000, revised in CDT 2027, and two community edits."""
    codes_apply(
        entries=[
            CodeValues(
                "D0370",
                {
                    "nomenclature": "Ultrasound of the face",
                    "descriptor": "Sound waves image soft tissue.",
                    "category": "diagnostic-imaging",
                    "effective_year": 2000,
                },
            )
        ]
    )
    code_update(code="D0370", changes={"billing_tips": "Report once per visit."}, note="Tips")
    codes_apply(
        entries=[CodeValues("D0370", {"nomenclature": "Ultrasound of the face and neck"})],
        edition=2027,
    )


def test_page_on_a_date_shows_the_text_then(client, revised):
    page = client.get("/codes/D0370/", {"on": "2026-12-31"})
    assert page.status_code == 200
    body = text(page)
    assert "Ultrasound of the face " in body and "and neck" not in body.split("History")[0]
    assert "As in force on 31 December 2026 (CDT 2026)" in body
    assert "Report once per visit." in body  # the explanation is today's
    assert "and neck" in text(client.get("/codes/D0370/", {"on": "2027-01-01"}))


def test_page_not_in_force_is_a_404_saying_when_in_words(client, sample_codes):
    page = client.get("/codes/D0360/", {"on": "2014-01-01"})
    assert page.status_code == 404
    body = text(page)
    assert "D0360 was not valid on 1 January 2014" in body
    assert "was deleted in CDT 2013" in body
    assert "It was valid until 31 December 2012." in body
    soon = text(client.get("/codes/D0702/", {"on": "2019-12-31"}))
    assert "It is valid from 1 January 2020 on." in soon
    unknown = client.get("/codes/D9999/", {"on": "2019-12-31"})
    assert unknown.status_code == 404
    assert "D9999 is not a CDT code" in text(unknown)


def test_page_with_a_bad_date_is_a_400_naming_on(client, sample_codes):
    page = client.get("/codes/D0370/", {"on": "31/12/2026"})
    assert page.status_code == 400
    assert "on: “31/12/2026” is not a date" in text(page)


def test_lowercase_code_redirect_keeps_the_date(client, sample_codes):
    response = client.get("/codes/d0370/", {"on": "2020-01-01"})
    assert response.status_code == 301
    assert response["Location"] == "/codes/D0370/?on=2020-01-01"


def test_history_lists_editions_and_community_revisions_newest_first(client, revised):
    body = text(client.get("/codes/D0370/")).split("History", 1)[1]
    order = [
        body.index("Revised in CDT 2027"),
        body.index("Revision 2 published on this site"),
        body.index("Revision 1 published on this site"),
        body.index("Added in CDT 2000"),
    ]
    assert order == sorted(order)
    assert "changed: Title (nomenclature)" in body


def test_history_of_a_deleted_code(client, sample_codes):
    body = text(client.get("/codes/D9940/")).split("History", 1)[1]
    assert body.index("Deleted in CDT 2019") < body.index("In the code set before our records")


def test_compare_two_editions_word_by_word(client, revised):
    page = client.get("/codes/D0370/compare/", {"a": "e2026", "b": "e2027"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<ins> and neck</ins>" in html
    assert "CDT 2026 → CDT 2027" in text(page)


def test_compare_an_edition_with_a_revision_uses_the_shared_fields(client, revised):
    page = client.get("/codes/D0370/compare/", {"a": "r1", "b": "e2027"})
    assert page.status_code == 200
    rows = re.findall(r'<th scope="row">([^<]+)', page.content.decode())
    assert [row.strip() for row in rows] == ["Title (nomenclature)", "Descriptor", "Status"]


def test_compare_two_revisions_shows_every_field(client, revised):
    page = client.get("/codes/D0370/compare/", {"a": "r1", "b": "r2"})
    html = page.content.decode()
    assert "<ins>Report once per visit.</ins>" in html
    assert "Billing tips" in html


def test_compare_without_choice_offers_the_latest_two(client, revised):
    page = client.get("/codes/D0370/compare/")
    assert page.status_code == 200
    assert 'id="compare-table"' in page.content.decode()


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"a": "x1", "b": "r1"}, 400, "a: “x1” names no version"),
        ({"a": "r1", "b": "r99"}, 404, "b: D0370 has no revision 99."),
        ({"a": "e1990", "b": "r1"}, 404, "a: D0370 was not in CDT 1990."),
        ({"a": "r1"}, 400, "b: choose a second version"),
    ],
)
def test_compare_errors_name_the_field(client, revised, params, status, message):
    page = client.get("/codes/D0370/compare/", params)
    assert page.status_code == status
    assert message in text(page)
