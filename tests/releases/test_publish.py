"""Publishing a release: one transaction, visible ahead under ?on=, the default view on the
day itself with no job at midnight, and a rollback that loses nothing."""

import datetime

import pytest

import codes.services
from codes.models import Code, CodeRevision, CodeVersion, Edition
from codes.services import code_update
from contributions.core.errors import EditConflict
from contributions.models import Release, ReleaseEvent
from contributions.releases.services import (
    release_import,
    release_publish,
    release_rollback,
    release_verify,
)

from .conftest import edition_2027

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified(catalog, reviewer, clock):
    clock("2026-11-15")
    release = release_import(path_or_file=edition_2027(), edition=2027).release
    return release_verify(release_id=release.pk, actor=reviewer)


def _catalog():
    return (
        list(Code.objects.order_by("code").values()),
        list(CodeRevision.objects.order_by("pk").values()),
        list(CodeVersion.objects.order_by("pk").values()),
        list(Edition.objects.values()),
    )


def _title(client, number: str, on: str = "") -> tuple[int, str]:
    response = client.get(f"/api/codes/{number}/" + (f"?on={on}" if on else ""))
    body = response.json()
    return response.status_code, body.get("nomenclature") or body.get("detail")


def test_a_fault_half_way_through_publishing_leaves_everything_as_it_was(
    verified, publisher, monkeypatch
):
    before = _catalog()

    def fail(*args, **kwargs):
        # By now every code row is written and every revision is in the table.
        assert Code.objects.filter(code="D0160").exists()
        raise RuntimeError("disk full")

    monkeypatch.setattr(codes.services, "versions_sync", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        release_publish(release_id=verified.pk, actor=publisher)
    assert _catalog() == before
    verified.refresh_from_db()
    assert verified.status == Release.Status.VERIFIED
    assert not ReleaseEvent.objects.filter(release=verified, to_status="published").exists()


def test_published_ahead_it_shows_for_later_dates_at_once_and_by_default_on_the_day(
    verified, publisher, client, clock
):
    release_publish(release_id=verified.pk, actor=publisher)

    # Still 15 November 2026: today's answers are CDT 2026's.
    assert _title(client, "D0140") == (200, "limited oral evaluation")
    assert _title(client, "D0140", "2026-12-31") == (200, "limited oral evaluation")
    assert _title(client, "D0140", "2027-01-01") == (
        200,
        "limited oral evaluation - problem focused",
    )
    assert _title(client, "D0160")[0] == 404
    assert _title(client, "D0160", "2027-01-01") == (200, "detailed and extensive oral evaluation")
    assert client.get("/api/codes/D9110/").json()["status"] == "active"
    assert client.get("/api/codes/D9110/?on=2027-01-01").status_code == 404
    listed = [c["code"] for c in client.get("/api/codes/").json()["results"]]
    assert listed == ["D0140", "D0150", "D9110"]
    assert client.get("/changes/2027/").status_code == 200

    # New Year's Eve, late: nothing ran, nothing needs to.
    clock("2026-12-31")
    assert _title(client, "D0140") == (200, "limited oral evaluation")

    clock("2027-01-01")
    assert _title(client, "D0140") == (200, "limited oral evaluation - problem focused")
    assert _title(client, "D0160") == (200, "detailed and extensive oral evaluation")
    assert client.get("/api/codes/D9110/").json()["status"] == "deleted"
    listed = {c["code"]: c for c in client.get("/api/codes/").json()["results"]}
    assert sorted(listed) == ["D0140", "D0150", "D0160", "D9110"]
    assert listed["D0140"]["cdt_edition"] == 2027


def test_each_changed_code_gets_one_revision_whose_source_is_the_release(verified, publisher):
    release_publish(release_id=verified.pk, actor=publisher)
    revisions = CodeRevision.objects.filter(release=verified)
    assert sorted(r.code.code for r in revisions) == ["D0140", "D0160", "D9110"]
    assert {r.published_by for r in revisions} == {publisher}
    assert Code.objects.get(code="D0150").revision == 1


def test_an_effective_day_other_than_new_years_day_moves_the_switch(
    catalog, reviewer, publisher, client, clock
):
    clock("2026-11-15")
    release = release_import(
        path_or_file=edition_2027(), edition=2027, effective_on=datetime.date(2027, 3, 1)
    ).release
    release_verify(release_id=release.pk, actor=reviewer)
    release_publish(release_id=release.pk, actor=publisher)
    assert _title(client, "D0140", "2027-02-28") == (200, "limited oral evaluation")
    assert _title(client, "D0140", "2027-03-01")[1] == "limited oral evaluation - problem focused"
    clock("2027-02-28")
    assert _title(client, "D0140") == (200, "limited oral evaluation")
    clock("2027-03-01")
    assert _title(client, "D0140")[1] == "limited oral evaluation - problem focused"


def test_publishing_is_refused_when_the_catalog_moved_on_since_the_import(verified, publisher):
    code_update(code="D0140", changes={"nomenclature": "edited meanwhile"})
    before = _catalog()
    with pytest.raises(EditConflict) as info:
        release_publish(release_id=verified.pk, actor=publisher)
    assert info.value.fields == ["D0140"]
    assert "D0140: nomenclature" in info.value.message
    assert _catalog() == before


def test_rollback_takes_the_changes_back_as_new_revisions_and_loses_nothing(
    verified, publisher, client
):
    release_publish(release_id=verified.pk, actor=publisher)
    published = list(CodeRevision.objects.order_by("pk").values())
    # A community edit after the publish, on a field the release did not touch.
    code_update(code="D0140", changes={"billing_tips": "Document the complaint."})

    release = release_rollback(release_id=verified.pk, actor=publisher, note="Wrong file")
    assert release.status == Release.Status.ROLLED_BACK

    # Nothing published is lost: every earlier revision is still there, unchanged.
    kept = CodeRevision.objects.filter(pk__in=[r["id"] for r in published]).order_by("pk")
    assert list(kept.values()) == published
    d0140 = Code.objects.get(code="D0140")
    assert d0140.nomenclature == "limited oral evaluation"
    assert d0140.billing_tips == "Document the complaint."
    back = CodeRevision.objects.filter(release=verified, code=d0140).order_by("revision")
    assert [r.nomenclature for r in back] == [
        "limited oral evaluation - problem focused",
        "limited oral evaluation",
    ]
    # The timeline is CDT 2026's again, for every date.
    assert _title(client, "D0140", "2027-06-01") == (200, "limited oral evaluation")
    assert client.get("/api/codes/D9110/?on=2027-06-01").json()["status"] == "active"
    # The added code is withdrawn, not erased: its history stays, it was never in force.
    gone = client.get("/api/codes/D0160/?on=2027-06-01")
    assert gone.status_code == 404
    assert "never in force" in gone.json()["detail"]
    assert CodeRevision.objects.filter(code__code="D0160").count() == 2


def test_rollback_leaves_a_field_changed_since_as_it_is(verified, publisher):
    release_publish(release_id=verified.pk, actor=publisher)
    code_update(code="D0140", changes={"descriptor": "Corrected after the release."})
    release_rollback(release_id=verified.pk, actor=publisher)
    d0140 = Code.objects.get(code="D0140")
    assert d0140.nomenclature == "limited oral evaluation"
    assert d0140.descriptor == "Corrected after the release."


def test_no_answer_is_cached_past_the_switch(verified, publisher, client):
    # Without a lifetime, no browser or shared cache serves CDT 2026 after the switch.
    release_publish(release_id=verified.pk, actor=publisher)
    for path in ("/api/codes/D0140/", "/api/codes/", "/changes/2027/", "/changes/feed/"):
        response = client.get(path)
        assert response.status_code == 200
        assert "max-age" not in response.get("Cache-Control", ""), path
        assert "Expires" not in response, path


def test_the_code_page_switches_on_the_day_even_from_the_public_cache(
    verified, publisher, client, clock, settings
):
    settings.PUBLIC_CACHE_SECONDS = 300
    release_publish(release_id=verified.pk, actor=publisher)
    clock("2026-12-31")
    assert "problem focused" not in client.get("/codes/D0140/").content.decode()
    assert client.get("/codes/D0140/")["X-Cache"] == "hit"

    clock("2027-01-01")
    page = client.get("/codes/D0140/")
    assert page["X-Cache"] == "miss"
    assert "limited oral evaluation - problem focused" in page.content.decode()
