"""What search engines read (CONTRACT "Search engines")."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from codes.services import code_update
from tests.factories import code_make

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _sitemap(client) -> dict[str, str | None]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    return {
        url.findtext("s:loc", namespaces=SITEMAP_NS): url.findtext(
            "s:lastmod", namespaces=SITEMAP_NS
        )
        for url in root.findall("s:url", SITEMAP_NS)
    }


def test_sitemap_lists_home_and_every_code_page_with_its_last_change(client, d0370, d0340):
    code_update(code="D0340", changes={"billing_tips": "Once a year."})
    d0340.refresh_from_db()
    entries = _sitemap(client)
    assert set(entries) == {
        "http://testserver/",
        "http://testserver/codes/D0340/",
        "http://testserver/codes/D0370/",
    }
    assert entries["http://testserver/codes/D0340/"] == d0340.updated_at.date().isoformat()
    assert entries["http://testserver/"] == d0340.updated_at.date().isoformat()


def test_sitemap_keeps_deleted_codes_as_records(client, imaging):
    code_make("D0999", category=imaging, status="deleted", deleted_year=2020)
    assert "http://testserver/codes/D0999/" in _sitemap(client)


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_private_paths(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    for path in ("/admin/", "/track/", "/api/"):
        assert f"Disallow: {path}" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /" not in lines  # the public pages stay open


def test_code_page_has_canonical_title_description_and_defined_term(client, d0370):
    html = client.get("/codes/D0370/?utm_source=x").content.decode()
    assert '<link rel="canonical" href="http://testserver/codes/D0370/">' in html
    assert "<title>D0370 — Maxillofacial ultrasound | CDT Codes</title>" in html
    assert (
        '<meta name="description" content="D0370 Maxillofacial ultrasound: '
        'Ultrasound of the maxillofacial soft tissue.">' in html
    )
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    term = json.loads(blocks[0])
    assert term["@context"] == "https://schema.org"
    assert term["@type"] == "DefinedTerm"
    assert term["termCode"] == "D0370"
    assert term["name"] == "Maxillofacial ultrasound"
    assert term["description"] == "Ultrasound of the maxillofacial soft tissue."
    assert term["url"] == "http://testserver/codes/D0370/"
    assert term["inDefinedTermSet"]["@type"] == "DefinedTermSet"
    assert term["inDefinedTermSet"]["@id"] == "http://www.ada.org/cdt"
    # No inline script: the JSON-LD block is data.
    assert not re.search(r"<script(?![^>]*application/ld\+json)", html)


def test_structured_data_escapes_text_that_could_end_the_script(client, imaging):
    code_make("D0380", category=imaging, nomenclature="Cone beam </script><script>alert(1)")
    html = Client().get("/codes/D0380/").content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block
    assert json.loads(block)["name"] == "Cone beam </script><script>alert(1)"


def test_code_page_renders_lists_and_emphasis_from_its_text(client, d0370):
    html = client.get("/codes/D0370/").content.decode()
    assert "<ul>\n<li>one unit per visit</li>\n<li>both sides count once</li>\n</ul>" in html
    assert "<em>maxillofacial</em>" in html
