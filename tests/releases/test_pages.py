"""/changes/<edition>/ and the feed: a release's changes, grouped, once it is published."""

import xml.etree.ElementTree as ET

import pytest

from codes.services import code_update
from contributions.releases.services import (
    release_import,
    release_publish,
    release_rollback,
    release_verify,
)

from .conftest import edition_2027

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def published(catalog, reviewer, publisher):
    release = release_import(path_or_file=edition_2027(), edition=2027).release
    release_verify(release_id=release.pk, actor=reviewer)
    return release_publish(release_id=release.pk, actor=publisher)


def _sections(html: str) -> dict[str, str]:
    parts = {}
    for kind in ("added", "revised", "deleted"):
        start = html.index(f'id="{kind}"')
        end = html.find("</section>", start)
        parts[kind] = html[start:end]
    return parts


def test_the_editions_page_groups_the_changes(client, published):
    response = client.get("/changes/2027/")
    assert response.status_code == 200
    sections = _sections(response.content.decode())
    assert "D0160" in sections["added"] and "D0140" not in sections["added"]
    assert "D0140" in sections["revised"] and "Title (nomenclature)" in sections["revised"]
    assert "D9110" in sections["deleted"]
    assert "palliative treatment of dental pain" in sections["deleted"]


def test_a_release_not_yet_published_has_no_public_page(client, catalog):
    release_import(path_or_file=edition_2027(), edition=2027)
    assert client.get("/changes/2027/").status_code == 404
    assert client.get("/changes/1999/").status_code == 404


def test_a_rolled_back_release_says_so(client, published, publisher):
    release_rollback(release_id=published.pk, actor=publisher)
    html = client.get("/changes/2027/").content.decode()
    assert "rolled back" in html


def test_the_feed_has_one_entry_per_release_beside_single_edits(client, published):
    code_update(code="D0150", changes={"billing_tips": "Once per patient."})
    root = ET.fromstring(client.get("/changes/feed/").content)  # noqa: S314 - our own feed
    titles = [e.find(f"{ATOM}title").text for e in root.iter(f"{ATOM}entry")]
    assert titles[0].startswith("D0150 revision 2")
    assert titles[1:] == ["CDT 2027 published: 1 added, 1 revised, 1 deleted"]
    links = [e.find(f"{ATOM}link").get("href") for e in root.iter(f"{ATOM}entry")]
    assert links[1].endswith("/changes/2027/")
