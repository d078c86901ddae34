import datetime
import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from codes.models import Code
from codes.services import CodeValues, code_update, codes_apply
from tests.factories import UserFactory, code_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(categories):
    """A few codes across the Diagnostic subcategories, Preventive, and one deleted code."""
    imaging = categories["diagnostic-imaging"]
    code_make(
        "D0340",
        category=imaging,
        nomenclature="2D cephalometric radiographic image – acquisition, measurement and analysis",
        descriptor="A lateral skull image traced to measure jaw relationships.",
        effective_year=2000,
    )
    code_make(
        "D0370",
        category=imaging,
        nomenclature="Maxillofacial ultrasound capture and interpretation",
        descriptor="Sound-wave imaging of soft tissue of the head and neck.",
        body="Used when radiographs cannot show soft tissue.",
        documentation="The images and the interpreting report.",
        billing_tips="Report once per session.",
        effective_year=2000,
    )
    code_make(
        "D0371",
        category=imaging,
        nomenclature="Sialoendoscopy capture and interpretation",
        related=["D0370"],
    )
    code_make(
        "D0120",
        category=categories["clinical-oral-evaluations"],
        nomenclature="Periodic oral evaluation – established patient",
    )
    code_make("D1110", category=categories["preventive"], nomenclature="Prophylaxis – adult")
    code_make(
        "D0290",
        category=imaging,
        nomenclature="Skull and facial bone survey radiographic image",
        status="deleted",
        deleted_year=2024,
    )
    return categories


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["results"]]


# --- List and filters ----------------------------------------------------------


def test_list_returns_published_codes_in_code_order_with_links(client, catalog):
    response = client.get("/api/codes/")
    assert _codes(response) == ["D0120", "D0290", "D0340", "D0370", "D0371", "D1110"]
    item = response.json()["results"][3]
    assert item["code"] == "D0370"
    assert item["nomenclature"] == "Maxillofacial ultrasound capture and interpretation"
    assert item["descriptor"] == "Sound-wave imaging of soft tissue of the head and neck."
    assert item["category"] == {"slug": "diagnostic-imaging", "name": "Diagnostic Imaging"}
    assert (item["status"], item["effective_year"], item["deleted_year"]) == ("active", 2000, None)
    # Revision 2: D0371 was created related to it, which changed D0370's page too.
    assert item["revision"] == 2
    assert item["updated_at"]
    assert item["url"] == "http://testserver/api/codes/D0370/"
    assert item["html_url"] == "http://testserver/codes/D0370/"
    assert "body" not in item


def test_category_filter_includes_subcategories(client, catalog):
    diagnostic = _codes(client.get("/api/codes/", {"category": "diagnostic"}))
    assert diagnostic == ["D0120", "D0290", "D0340", "D0370", "D0371"]
    imaging = _codes(client.get("/api/codes/", {"category": "diagnostic-imaging"}))
    assert imaging == ["D0290", "D0340", "D0370", "D0371"]
    assert _codes(client.get("/api/codes/", {"category": "preventive"})) == ["D1110"]
    assert _codes(client.get("/api/codes/", {"category": "endodontics"})) == []


@pytest.mark.parametrize("value", ["no-such-category", "Diagnostic Imaging", "x\x00y"])
def test_unknown_category_is_a_400_naming_the_field(client, catalog, value):
    response = client.get("/api/codes/", {"category": value})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("category: ")
    assert "Unknown category" in body["errors"]["category"][0]


def test_status_filter(client, catalog):
    assert _codes(client.get("/api/codes/", {"status": "deleted"})) == ["D0290"]
    assert "D0290" not in _codes(client.get("/api/codes/", {"status": "active"}))
    assert len(_codes(client.get("/api/codes/", {"status": "active"}))) == 5


def test_invalid_status_is_a_400_naming_the_field(client, catalog):
    response = client.get("/api/codes/", {"status": "retired"})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "status: “retired” is not a status: use active or deleted."
    assert list(body["errors"]) == ["status"]


@pytest.mark.parametrize("q", ["D0370", "d0370", "0370", " d0370 "])
def test_search_by_number_puts_the_code_first(client, catalog, q):
    assert _codes(client.get("/api/codes/", {"q": q}))[0] == "D0370"


def test_search_by_number_prefix_finds_the_family(client, catalog):
    assert _codes(client.get("/api/codes/", {"q": "037"})) == ["D0370", "D0371"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ultrasound", ["D0370"]),
        ("ULTRASOUND maxillofacial", ["D0370"]),
        ("cephalometric", ["D0340"]),
        ("capture interpretation", ["D0370", "D0371"]),
        ("soft tissue", ["D0370"]),  # in the descriptor only
        ("nothing like this", []),
    ],
)
def test_search_by_words(client, catalog, q, expected):
    assert _codes(client.get("/api/codes/", {"q": q})) == expected


def test_search_refuses_nul_characters_instead_of_failing(client, catalog):
    response = client.get("/api/codes/", {"q": "ultra\x00sound"})
    assert response.status_code == 400
    assert "q" in response.json()["errors"]


def _set_updated_at(number: str, moment: datetime.datetime) -> None:
    # Timestamps only: the content (and its revisions) stay as published.
    Code.objects.filter(code=number).update(updated_at=moment)


@pytest.fixture
def dated_catalog(catalog):
    utc = datetime.UTC
    for number in ("D0120", "D0290", "D0340", "D0370", "D0371", "D1110"):
        _set_updated_at(number, datetime.datetime(2024, 1, 1, tzinfo=utc))
    _set_updated_at("D0370", datetime.datetime(2025, 3, 1, 12, 0, tzinfo=utc))
    _set_updated_at("D1110", datetime.datetime(2025, 3, 2, 12, 0, tzinfo=utc))
    return catalog


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-01", ["D0370", "D1110"]),
        ("2025-03-01T12:00:00Z", ["D0370", "D1110"]),  # at: included
        ("2025-03-01T12:00:01Z", ["D1110"]),
        ("2025-03-01T13:00:00+01:00", ["D0370", "D1110"]),
        ("2025-03-01T13:00:00 01:00", ["D0370", "D1110"]),  # an unencoded "+"
        ("2025-03-01T08:00:00", ["D1110"]),  # site time: 08:00 New York is 13:00 UTC
        ("2025-03-02T12:00:00.000001+00:00", []),
        ("2023-12-31", ["D0120", "D0290", "D0340", "D0370", "D0371", "D1110"]),
    ],
)
def test_changed_since_accepts_iso_dates_and_datetimes(client, dated_catalog, value, expected):
    assert _codes(client.get("/api/codes/", {"changed_since": value})) == expected


@pytest.mark.parametrize(
    "value",
    ["yesterday", "2025-02-30", "2025-13-01", "31/01/2025", "0001-01-01T00:00:00+14:00", "\x00"],
)
def test_bad_changed_since_is_a_400_naming_the_field(client, dated_catalog, value):
    response = client.get("/api/codes/", {"changed_since": value})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("changed_since: ")
    assert "ISO 8601" in body["errors"]["changed_since"][0]


def test_filters_combine(client, dated_catalog):
    params = {
        "category": "diagnostic",
        "status": "active",
        "q": "interpretation",
        "changed_since": "2025-01-01",
    }
    assert _codes(client.get("/api/codes/", params)) == ["D0370"]
    params["status"] = "deleted"
    assert _codes(client.get("/api/codes/", params)) == []


def test_several_bad_filters_are_all_named(client, catalog):
    response = client.get("/api/codes/", {"status": "gone", "changed_since": "soon"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status", "changed_since"}


# --- Pagination ----------------------------------------------------------------


@pytest.fixture
def many_codes(imaging):
    codes_apply(
        entries=[
            CodeValues(f"D{n:04d}", {"nomenclature": f"Procedure {n}", "category": imaging})
            for n in range(300, 365)
        ]
    )


def test_list_is_paginated_by_fifty(client, many_codes):
    first = client.get("/api/codes/").json()
    assert first["count"] == 65
    assert len(first["results"]) == 50
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/codes/?page=2"
    second = client.get(first["next"]).json()
    assert [item["code"] for item in second["results"]][0] == "D0350"
    assert len(second["results"]) == 15
    assert second["next"] is None


def test_page_size_can_be_chosen_up_to_two_hundred(client, many_codes):
    body = client.get("/api/codes/", {"page_size": 10, "page": 2}).json()
    assert [item["code"] for item in body["results"]] == [f"D{n:04d}" for n in range(310, 320)]
    assert "page_size=10" in body["next"]
    assert len(client.get("/api/codes/", {"page_size": 200}).json()["results"]) == 65


@pytest.mark.parametrize("size", ["0", "201", "ten", "-5"])
def test_bad_page_size_is_a_400_naming_it(client, many_codes, size):
    response = client.get("/api/codes/", {"page_size": size})
    assert response.status_code == 400
    assert response.json()["detail"] == "page_size: A whole number from 1 to 200."


def test_page_past_the_last_is_a_json_404(client, many_codes):
    response = client.get("/api/codes/", {"page": "99"})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


@pytest.mark.parametrize("page", ["zero", "0", "-1", ""])
def test_page_that_is_not_a_page_number_is_a_400_naming_it(client, many_codes, page):
    # The schema says page is an integer from 1: anything else is bad input, not a 404.
    response = client.get("/api/codes/", {"page": page})
    assert response.status_code == 400
    assert response.json()["errors"] == {"page": ["A page number: a whole number from 1."]}


def test_changed_since_with_an_offset_postgresql_refuses_is_read_as_utc(client, many_codes):
    # Python takes offsets up to ±23:59, PostgreSQL only to ±15:59 (this answered 500).
    response = client.get("/api/codes/", {"changed_since": "2000-03-07T11:49:31+19:58"})
    assert response.status_code == 200


@pytest.mark.parametrize("param", ["status", "changed_since", "on"])
def test_empty_filter_value_is_a_400_naming_it(client, many_codes, param):
    # `?status=` is not one of the values the schema lists: leave it out instead.
    response = client.get("/api/codes/", {param: ""})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [param]


# --- One code --------------------------------------------------------------------


def test_detail_has_every_published_field_and_related_codes(client, catalog):
    response = client.get("/api/codes/D0370/")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "D0370"
    assert body["body"] == "Used when radiographs cannot show soft tissue."
    assert body["documentation"] == "The images and the interpreting report."
    assert body["billing_tips"] == "Report once per session."
    assert body["category"] == {"slug": "diagnostic-imaging", "name": "Diagnostic Imaging"}
    assert body["related_codes"] == [
        {
            "code": "D0371",
            "nomenclature": "Sialoendoscopy capture and interpretation",
            "url": "http://testserver/api/codes/D0371/",
        }
    ]
    assert body["url"] == "http://testserver/api/codes/D0370/"
    assert body["html_url"] == "http://testserver/codes/D0370/"
    assert body["revisions_url"] == "http://testserver/api/codes/D0370/revisions/"
    assert body["revision"] == 2  # D0371's relation to it was revision 2


@pytest.mark.parametrize("spelling", ["d0370", "0370"])
def test_detail_lookup_ignores_case_and_answers_directly(client, catalog, spelling):
    response = client.get(f"/api/codes/{spelling}/")
    assert response.status_code == 200
    assert response.json()["url"] == "http://testserver/api/codes/D0370/"


def test_detail_ignores_list_filters(client, catalog):
    assert client.get("/api/codes/D0370/", {"status": "deleted"}).status_code == 200


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("/api/codes/D9999/", "No code D9999."),
        ("/api/codes/D037/", "“D037” is not a CDT code: the letter D and four digits, like D0370."),
        ("/api/codes/370/", "“370” is not a CDT code: the letter D and four digits, like D0370."),
        ("/api/codes/D03700/revisions/", "“D03700” is not a CDT code"),
        ("/api/codes/%00/", "is not a CDT code"),
        ("/api/codes/D9999/revisions/", "No code D9999."),
    ],
)
def test_unknown_or_malformed_code_is_a_json_404(client, catalog, path, detail):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert detail in response.json()["detail"]
    assert list(response.json()) == ["detail"]


# --- Revisions --------------------------------------------------------------------


def test_revisions_are_the_published_history_newest_first(client, catalog):
    editor = UserFactory(username="editor", email="editor@private.example")
    code_update(
        code="D0370", changes={"billing_tips": "Once per day."}, actor=editor, note="Clearer."
    )
    response = client.get("/api/codes/d0370/revisions/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    newest, related, first = body["results"]
    assert [newest["revision"], related["revision"], first["revision"]] == [3, 2, 1]
    assert (related["changed_fields"], related["related_codes"]) == (["related_codes"], ["D0371"])
    assert first["related_codes"] == []
    assert newest["changed_fields"] == ["billing_tips"]
    assert newest["note"] == "Clearer."
    assert newest["billing_tips"] == "Once per day."
    assert newest["related_codes"] == ["D0371"]
    assert newest["category"] == {"slug": "diagnostic-imaging", "name": "Diagnostic Imaging"}
    assert newest["restored_from"] is None
    assert newest["published_at"]
    assert first["billing_tips"] == "Report once per session."
    assert set(newest) >= {
        "nomenclature",
        "descriptor",
        "body",
        "documentation",
        "status",
        "effective_year",
        "deleted_year",
    }


def test_revisions_never_show_who_published_them(client, catalog):
    editor = UserFactory(username="editor", email="editor@private.example")
    code_update(code="D0370", changes={"billing_tips": "Once per day."}, actor=editor)
    content = client.get("/api/codes/D0370/revisions/").content.decode()
    assert "editor@private.example" not in content
    assert "@" not in content
    assert "published_by" not in content


def test_revisions_are_paginated(client, catalog):
    for n in range(5):
        code_update(code="D0340", changes={"billing_tips": f"Tip {n}"})
    body = client.get("/api/codes/D0340/revisions/", {"page_size": 2}).json()
    assert body["count"] == 6
    assert [r["revision"] for r in body["results"]] == [6, 5]
    assert body["next"].startswith("http://testserver/api/codes/D0340/revisions/?")


# --- Categories --------------------------------------------------------------------


def test_categories_are_a_tree_with_code_counts(client, catalog):
    response = client.get("/api/categories/")
    assert response.status_code == 200
    tree = response.json()
    assert isinstance(tree, list)  # not paginated
    assert [c["slug"] for c in tree][:3] == ["diagnostic", "preventive", "restorative"]
    assert len(tree) == 12
    diagnostic = tree[0]
    assert diagnostic["name"] == "Diagnostic"
    assert (diagnostic["range_start"], diagnostic["range_end"]) == ("D0100", "D0999")
    assert diagnostic["code_range"] == "D0100–D0999"
    assert diagnostic["parent"] is None
    assert diagnostic["code_count"] == 5  # all in its subcategories, the deleted one too
    children = {c["slug"]: c for c in diagnostic["children"]}
    assert list(children) == [
        "clinical-oral-evaluations",
        "diagnostic-imaging",
        "tests-and-examinations",
    ]
    imaging = children["diagnostic-imaging"]
    assert imaging["parent"] == "diagnostic"
    assert imaging["code_count"] == 4
    assert imaging["children"] == []
    assert children["tests-and-examinations"]["code_count"] == 0
    preventive = tree[1]
    assert (preventive["code_count"], preventive["children"]) == (1, [])


# --- Read-only and errors ------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "path", ["/api/codes/", "/api/codes/D0370/", "/api/codes/D0370/revisions/", "/api/categories/"]
)
def test_writes_are_405_json(client, catalog, method, path):
    before = Code.objects.get(code="D0370").revision
    response = getattr(client, method)(path, data="{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert "not allowed" in response.json()["detail"]
    assert Code.objects.get(code="D0370").revision == before


def test_writes_are_405_for_a_logged_in_superuser_too(catalog):
    admin = UserFactory(username="boss", is_staff=True, is_superuser=True)
    api = APIClient()
    api.force_authenticate(admin)
    response = api.patch("/api/codes/D0370/", {"nomenclature": "Changed"}, format="json")
    assert response.status_code == 405
    assert Code.objects.get(code="D0370").nomenclature.startswith("Maxillofacial")


@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/nothing-here/",
        "/api/codes/D0370/history/",
        "/api/v2/x",
        # A newline in a segment escaped the catch-all and got the HTML page.
        "/api/releases/s%0A/verify/",
    ],
)
def test_unknown_api_paths_are_json_404(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_api_path_without_trailing_slash_redirects_get_and_explains_other_methods(client, catalog):
    response = client.get("/api/codes", {"q": "0370"})
    assert response.status_code == 301
    assert response["Location"] == "/api/codes/?q=0370"
    response = client.post("/api/codes/D0370", data="{}", content_type="application/json")
    assert response.status_code == 404
    assert response.json()["detail"] == (
        "Not found. Did you mean /api/codes/D0370/ (with a trailing slash)?"
    )


# --- Schema and docs --------------------------------------------------------------------


def test_schema_is_valid_openapi_3_with_the_catalog_paths(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in (
        "/api/codes/",
        "/api/codes/{code}/",
        "/api/codes/{code}/revisions/",
        "/api/categories/",
    ):
        assert "get" in paths[path]
    listing = paths["/api/codes/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {
        "category",
        "status",
        "q",
        "changed_since",
        "page",
        "page_size",
    }
    assert "400" in listing["responses"]
    assert "404" in paths["/api/codes/{code}/"]["get"]["responses"]
    assert "404" in paths["/api/codes/{code}/revisions/"]["get"]["responses"]
    revision = schema["components"]["schemas"]["CodeRevision"]["properties"]
    assert "published_by" not in revision


def test_docs_page_uses_only_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    # The page loads its start-up script from ?script (no inline script: CSP).
    assert '<script src="/api/docs/?script="></script>' in html
    html += client.get("/api/docs/", {"script": ""}).content.decode()
    assert "SwaggerUIBundle" in html
    external = re.findall(r"https?://[^\s\"'<>]+", html)
    assert [url for url in external if not url.startswith("http://testserver/")] == []
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset


# --- Query counts ---------------------------------------------------------------------


def _queries(client, path, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {})
    assert response.status_code == 200, response.content
    return len(queries)


def _related_web(imaging, count: int, prefix: int) -> None:
    """`count` codes, each related to every other one."""
    numbers = [f"D{prefix + n:04d}" for n in range(count)]
    codes_apply(
        entries=[
            CodeValues(
                number,
                {
                    "nomenclature": f"Procedure {number}",
                    "category": imaging,
                    "related_codes": [other for other in numbers if other != number],
                },
            )
            for number in numbers
        ]
    )


def test_list_detail_and_revisions_cost_a_fixed_number_of_queries(client, imaging):
    _related_web(imaging, 2, 300)
    small = {
        "list": _queries(client, "/api/codes/"),
        "category": _queries(client, "/api/codes/", {"category": "diagnostic", "q": "procedure"}),
        "detail": _queries(client, "/api/codes/D0300/"),
        "revisions": _queries(client, "/api/codes/D0300/revisions/"),
        "categories": _queries(client, "/api/categories/"),
    }
    _related_web(imaging, 40, 400)
    for n in range(6):
        code_update(code="D0400", changes={"billing_tips": f"Tip {n}"})
    large = {
        "list": _queries(client, "/api/codes/"),
        "category": _queries(client, "/api/codes/", {"category": "diagnostic", "q": "procedure"}),
        "detail": _queries(client, "/api/codes/D0400/"),
        "revisions": _queries(client, "/api/codes/D0400/revisions/"),
        "categories": _queries(client, "/api/categories/"),
    }
    assert large == small
    assert small["detail"] <= 2
    assert small["list"] <= 2
    assert small["categories"] == 1


def test_detail_shows_every_related_code(client, imaging):
    _related_web(imaging, 40, 400)
    related = client.get("/api/codes/D0400/").json()["related_codes"]
    assert [r["code"] for r in related] == [f"D{n:04d}" for n in range(401, 440)]


def test_changed_since_compares_with_the_sites_time_zone(client, catalog):
    # Midnight of a date is midnight where the site is, not in UTC.
    moment = timezone.make_aware(datetime.datetime(2025, 6, 1, 0, 30))
    _set_updated_at("D0340", moment)
    Code.objects.exclude(code="D0340").update(
        updated_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    assert _codes(client.get("/api/codes/", {"changed_since": "2025-06-01"})) == ["D0340"]
    assert _codes(client.get("/api/codes/", {"changed_since": "2025-06-01T05:00:00Z"})) == []


def test_docs_page_turns_off_swagger_uis_online_validator_badge(client):
    # Swagger UI otherwise loads a badge image from validator.swagger.io on a public host.
    html = client.get("/api/docs/", {"script": ""}).content.decode()
    assert '"validatorUrl": null' in html
