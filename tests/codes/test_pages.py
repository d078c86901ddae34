import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.template import loader
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from codes.services import CodeValues, codes_apply
from codes.views import page_not_found
from tests.factories import code_make

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    """The page's visible text, tags dropped and entities decoded, spaces collapsed."""
    content = response.content.decode()
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", content, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def _breadcrumb(response) -> list[str]:
    nav = re.search(r'<nav class="breadcrumb".*?</nav>', response.content.decode(), re.S)
    assert nav, "the page has no breadcrumb"
    items = re.findall(r"<li[^>]*>(.*?)</li>", nav.group(0), re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in items]


def _listed(response) -> list[str]:
    return [code.code for code in response.context["codes"]]


def _bulk(numbers, category, related=()) -> None:
    """Many codes in one service call (code_make per code is slow for big sets)."""
    codes_apply(
        entries=[
            CodeValues(
                number,
                {
                    "nomenclature": f"Procedure {number}",
                    "descriptor": f"What {number} describes.",
                    "category": category,
                    "related_codes": [r for r in related if r != number],
                },
            )
            for number in numbers
        ]
    )


@pytest.fixture
def ultrasound(imaging):
    return code_make(
        "D0370",
        category=imaging,
        nomenclature="Maxillofacial ultrasound capture and interpretation",
        descriptor="Ultrasound images of the jaws and face, captured and read.",
        body="Use it when ultrasound is captured and read.\n\nNot for sialography.",
        documentation="The clinical reason.\nThe findings.",
        billing_tips="Bill once per session.",
        effective_year=2013,
    )


# --- Home -------------------------------------------------------------------


def test_home_lists_categories_with_subcategories_ranges_and_counts(categories):
    code_make("D0370", category=categories["diagnostic-imaging"])
    code_make("D0371", category=categories["diagnostic-imaging"])
    code_make("D0150", category=categories["clinical-oral-evaluations"])
    code_make("D1110", category=categories["preventive"])

    response = Client().get("/")

    assert response.status_code == 200
    tree = {c.slug: c for c in response.context["categories"]}
    assert "diagnostic-imaging" not in tree  # subcategories sit under their parent
    assert tree["diagnostic"].code_count == 3  # its own plus its subcategories'
    subs = {c.slug: c.code_count for c in tree["diagnostic"].subcategories}
    assert subs == {
        "clinical-oral-evaluations": 1,
        "diagnostic-imaging": 2,
        "tests-and-examinations": 0,
    }
    assert tree["preventive"].code_count == 1
    assert tree["orthodontics"].code_count == 0
    text = _text(response)
    assert "Diagnostic Imaging D0210–D0709 · 2 codes" in text
    assert "Preventive D1000–D1999 · 1 code" in text
    assert "Browse all 4 codes" in text
    assert 'href="/codes/?category=diagnostic-imaging"' in response.content.decode()


def test_home_has_a_search_form_that_searches_the_code_list(categories):
    content = Client().get("/").content.decode()
    form = re.search(r'<form class="search search--large".*?</form>', content, re.S).group(0)
    assert 'action="/codes/"' in form
    assert 'method="get"' in form
    assert 'name="q"' in form
    assert '<label for="home-search">' in form


def test_every_page_has_landmarks_skip_link_and_stylesheet(ultrasound):
    for url in ("/", "/codes/", "/codes/D0370/", "/codes/D9999/"):
        content = Client().get(url).content.decode()
        assert '<html lang="en">' in content
        assert 'href="#main"' in content
        assert '<main id="main"' in content
        assert "<header" in content
        assert "<footer" in content
        assert 'role="search"' in content
        assert "/static/css/site.css" in content
        # Nothing from a CDN: every address the head loads or links is this site's.
        head = content.split("</head>")[0]
        for address in re.findall(r'(?:src|href)="([^"]*)"', head):
            assert address.startswith("/") or address.startswith("http://testserver/"), address


# --- List -------------------------------------------------------------------


@pytest.fixture
def spread(categories):
    code_make("D0370", category=categories["diagnostic-imaging"], nomenclature="Ultrasound")
    code_make("D0150", category=categories["clinical-oral-evaluations"])
    code_make("D0999", category=categories["diagnostic"])
    code_make("D1110", category=categories["preventive"], nomenclature="Prophylaxis")
    return categories


def test_list_without_filters_shows_every_code(spread):
    response = Client().get("/codes/")
    assert response.status_code == 200
    assert _listed(response) == ["D0150", "D0370", "D0999", "D1110"]


def test_list_top_level_category_includes_its_subcategories_codes(spread):
    response = Client().get("/codes/", {"category": "diagnostic"})
    assert _listed(response) == ["D0150", "D0370", "D0999"]


def test_list_subcategory_shows_only_its_codes(spread):
    response = Client().get("/codes/", {"category": "diagnostic-imaging"})
    assert _listed(response) == ["D0370"]
    assert _breadcrumb(response) == ["Home", "All codes", "Diagnostic", "Diagnostic Imaging"]


def test_list_unknown_category_is_a_404_page(spread):
    response = Client().get("/codes/", {"category": "no-such-thing"})
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]


def test_list_shows_code_nomenclature_and_category(spread):
    response = Client().get("/codes/", {"category": "diagnostic-imaging"})
    text = _text(response)
    assert "D0370 Ultrasound Diagnostic › Diagnostic Imaging" in text
    assert 'href="/codes/D0370/"' in response.content.decode()


@pytest.mark.parametrize("query", ["D0370", "d0370", "0370", " D0370 "])
def test_search_finds_a_code_by_its_number_in_any_form(ultrasound, imaging, query):
    code_make("D0371", category=imaging)
    response = Client().get("/codes/", {"q": query})
    assert _listed(response) == ["D0370"]


@pytest.mark.parametrize("query", ["ultrasound", "ULTRASOUND", "jaws face", "cephalometric"])
def test_search_finds_codes_by_words(ultrasound, imaging, query):
    code_make("D0340", category=imaging, nomenclature="2D cephalometric radiographic image")
    code_make("D0210", category=imaging, nomenclature="Intraoral complete series")
    response = Client().get("/codes/", {"q": query})
    expected = ["D0340"] if query == "cephalometric" else ["D0370"]
    assert _listed(response) == expected


def test_search_and_category_combine(spread):
    client = Client()
    assert _listed(client.get("/codes/", {"q": "ultrasound", "category": "diagnostic"})) == [
        "D0370"
    ]
    response = client.get("/codes/", {"q": "ultrasound", "category": "preventive"})
    assert response.status_code == 200
    assert _listed(response) == []


def test_empty_result_says_so_and_offers_a_way_out(spread):
    response = Client().get("/codes/", {"q": "xylophone", "category": "preventive"})
    assert response.status_code == 200
    text = _text(response)
    assert "No codes found" in text
    assert "Nothing matches “xylophone” in Preventive" in text
    assert 'href="/codes/?q=xylophone"' in response.content.decode()  # search everywhere


def test_search_box_keeps_the_query_and_escapes_it(spread):
    response = Client().get("/codes/", {"q": '"><script>alert(1)</script>'})
    content = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in content
    assert "&lt;script&gt;alert(1)" in content


def test_list_marks_deleted_codes_with_their_year(imaging):
    code_make("D0370", category=imaging)
    code_make("D0360", category=imaging, status="deleted", deleted_year=2020)
    response = Client().get("/codes/")
    assert _listed(response) == ["D0360", "D0370"]  # deleted codes are CDT history
    text = _text(response)
    assert "deleted 2020" in text
    assert text.count("deleted 2020") == 1


def _page_links(response) -> list[dict[str, list[str]]]:
    nav = re.search(r'<nav class="pagination".*?</nav>', response.content.decode(), re.S)
    assert nav, "the page has no pagination"
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]*)"', nav.group(0))]
    return [parse_qs(urlsplit(href).query) for href in hrefs]


def test_list_is_paginated_by_50_and_page_links_keep_the_filters(imaging):
    _bulk([f"D0{n:03d}" for n in range(400, 520)], imaging)
    client = Client()

    first = client.get("/codes/", {"q": "procedure", "category": "diagnostic"})
    assert len(_listed(first)) == 50
    assert first.context["page_obj"].paginator.num_pages == 3
    links = _page_links(first)
    assert {"q": ["procedure"], "category": ["diagnostic"], "page": ["2"]} in links
    assert all(link["q"] == ["procedure"] and link["category"] == ["diagnostic"] for link in links)

    third = client.get("/codes/", {"q": "procedure", "category": "diagnostic", "page": "3"})
    assert _listed(third) == [f"D0{n:03d}" for n in range(500, 520)]
    assert "showing 101–120" in _text(third)


@pytest.mark.parametrize(
    ("page", "expected_page"),
    [("abc", 1), ("0", 3), ("-1", 3), ("999", 3), ("1.5", 1), ("", 1), ("2" * 40, 3)],
)
def test_junk_page_numbers_show_a_page_instead_of_failing(imaging, page, expected_page):
    _bulk([f"D0{n:03d}" for n in range(400, 520)], imaging)
    response = Client().get("/codes/", {"page": page})
    assert response.status_code == 200
    assert response.context["page_obj"].number == expected_page


def test_junk_query_values_do_not_fail(spread):
    client = Client()
    for params in (
        {"q": "x" * 5000},
        {"q": "%%%___"},
        {"q": "D"},
        {"q": "'; drop table codes_code; --"},
        {"q": "\x00"},
        {"q": "ultra\x00sound", "category": "diagnostic"},
        {"q": "0370\x00"},
        {"category": ""},
        {"category": "diag\x00nostic"},
        {"category": "<b>"},
        {"category": "x" * 500},
    ):
        assert client.get("/codes/", params).status_code in (200, 404), params


# --- Code page --------------------------------------------------------------


def test_code_page_shows_every_section_with_its_heading(ultrasound, imaging):
    code_make("D0371", category=imaging, nomenclature="Sialoendoscopy capture", related=["D0370"])

    response = Client().get("/codes/D0370/")

    assert response.status_code == 200
    text = _text(response)
    assert "D0370 Maxillofacial ultrasound capture and interpretation" in text
    assert "Ultrasound images of the jaws and face, captured and read." in text
    assert "When to use it Use it when ultrasound is captured and read." in text
    assert "What the chart must hold The clinical reason." in text
    assert "Billing tips Bill once per session." in text
    assert "Related codes D0371 Sialoendoscopy capture" in text
    assert 'href="/codes/D0371/"' in response.content.decode()


def test_code_page_breadcrumb_follows_the_category_tree(ultrasound):
    response = Client().get("/codes/D0370/")
    assert _breadcrumb(response) == ["Home", "Diagnostic", "Diagnostic Imaging", "D0370"]


def test_code_page_shows_revision_and_last_updated_date(ultrasound):
    from codes.services import code_update

    code_update(code="D0370", changes={"billing_tips": "Bill it once."})
    ultrasound.refresh_from_db()

    text = _text(Client().get("/codes/D0370/"))

    updated = date_format(timezone.localtime(ultrasound.updated_at), "F j, Y")
    assert f"Revision 2 · Last updated {updated}" in text
    assert "In the CDT code set since 2013" in text


def test_code_page_leaves_out_empty_sections_and_says_what_is_missing(imaging):
    code_make("D0380", category=imaging, body="Only a body.")
    response = Client().get("/codes/D0380/")
    text = _text(response)
    assert "When to use it" in text
    assert "Billing tips Bill" not in text
    assert "Related codes" not in text
    assert "Not written yet: What the chart must hold, Billing tips." in text


def test_code_page_escapes_text_and_keeps_paragraphs(imaging):
    code_make(
        "D0370",
        category=imaging,
        billing_tips='<script>alert("x")</script> & <b>bold</b>',
        body="First paragraph.\n\nSecond paragraph,\nsame paragraph new line.",
    )
    content = Client().get("/codes/D0370/").content.decode()
    assert "<script>alert" not in content
    assert '&lt;script&gt;alert("x")&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;' in content
    assert "<p>First paragraph.</p>" in content
    assert "<p>Second paragraph,<br>\nsame paragraph new line.</p>" in content


def test_code_page_title_and_meta_description(ultrasound):
    content = Client().get("/codes/D0370/").content.decode()
    assert (
        "<title>D0370 — Maxillofacial ultrasound capture and interpretation | CDT Codes</title>"
        in content
    )
    assert (
        '<meta name="description" content="D0370 Maxillofacial ultrasound capture and '
        'interpretation: Ultrasound images of the jaws and face, captured and read.">' in content
    )


def test_code_page_has_placeholders_for_suggestions_and_questions(ultrasound):
    content = Client().get("/codes/D0370/").content.decode()
    suggest = re.search(r'id="suggest-edit".*?</div>', content, re.S)
    assert suggest
    assert "Suggest an edit" in suggest.group(0)
    assert re.search(r'<section[^>]*id="questions"', content)


def test_lower_case_code_redirects_permanently_to_the_canonical_page(ultrasound):
    response = Client().get("/codes/d0370/")
    assert response.status_code == 301
    assert response["Location"] == "/codes/D0370/"


def test_deleted_code_stays_reachable_and_says_when_it_was_deleted(imaging):
    code_make("D0360", category=imaging, status="deleted", deleted_year=2020, related=[])
    response = Client().get("/codes/D0360/")
    assert response.status_code == 200
    content = response.content.decode()
    notice = re.search(r'<div class="notice notice--deleted".*?</div>', content, re.S)
    assert notice
    assert "This code was deleted in 2020." in html.unescape(notice.group(0))
    # The notice comes before the code's content.
    assert content.index("notice--deleted") < content.index('id="code-title"')


def test_related_deleted_code_is_marked(ultrasound, imaging):
    code_make("D0360", category=imaging, status="deleted", deleted_year=2020, related=["D0370"])
    text = _text(Client().get("/codes/D0370/"))
    assert "D0360 Procedure D0360 deleted 2020" in text


@pytest.mark.parametrize(
    "url",
    [
        "/codes/D9999/",
        "/codes/X123/",
        "/codes/D03700/",
        "/codes/d037/",
        "/codes/%20/",
        "/codes/%00/",
        "/nope/",
    ],
)
def test_unknown_or_malformed_code_is_a_404_page_with_a_search_box(ultrasound, url):
    response = Client().get(url)
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert "Page not found" in content
    assert 'id="not-found-search"' in content


def test_handler404_renders_the_404_template():
    request = RequestFactory().get("/gone/")
    response = page_not_found(request, Exception("gone"))
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_500_template_renders_without_any_context():
    content = loader.get_template("500.html").render({})
    assert "Something went wrong" in content
    assert "{%" not in content


# --- Fixed query counts -----------------------------------------------------


def _queries(url: str, params=None) -> int:
    client = Client()
    client.get(url, params)  # warm up anything cached per process (content types…)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


def _grow(imaging, count: int) -> None:
    """`count` codes in Diagnostic Imaging, each related to several others."""
    numbers = [f"D0{n:03d}" for n in range(400, 400 + count)]
    _bulk(numbers, imaging, related=numbers[:8])


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/", None),
        ("/codes/", None),
        ("/codes/", {"category": "diagnostic"}),
        ("/codes/", {"q": "procedure", "category": "diagnostic-imaging"}),
        ("/codes/", {"q": "0400"}),
    ],
)
def test_list_pages_cost_a_fixed_number_of_queries(imaging, url, params):
    _grow(imaging, 3)
    small = _queries(url, params)
    _grow(imaging, 30)
    large = _queries(url, params)
    assert small == large
    assert large <= 6


def test_code_page_costs_a_fixed_number_of_queries_whatever_its_related_codes(imaging):
    code_make("D0370", category=imaging, related=[])
    small = _queries("/codes/D0370/")

    numbers = [f"D0{n:03d}" for n in range(400, 440)]
    _bulk(numbers, imaging, related=["D0370"])
    code_make("D0360", category=imaging, status="deleted", deleted_year=2020, related=["D0370"])
    large = _queries("/codes/D0370/")

    assert _text(Client().get("/codes/D0370/")).count("Procedure D04") == 40
    assert small == large
    # Code with its version, related codes, questions, and the history (versions, revisions).
    assert large <= 5
