"""`import_codes FILE --release YEAR`: an edition's file becomes a proposed release;
no live code changes."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from codes.importing import CodeImportError
from codes.models import Code, CodeRevision, CodeVersion
from contributions.models import Release, ReleaseEvent
from contributions.releases.services import release_import

from .conftest import csv_file, deliver_all, edition_2027

pytestmark = pytest.mark.django_db


def _catalog_snapshot():
    return (
        list(Code.objects.order_by("code").values()),
        CodeRevision.objects.count(),
        list(CodeVersion.objects.order_by("pk").values()),
    )


def test_a_release_import_proposes_every_change_and_changes_no_live_code(catalog):
    before = _catalog_snapshot()
    proposed = release_import(path_or_file=edition_2027(), edition=2027)

    release = proposed.release
    assert (release.edition, release.status) == (2027, Release.Status.PROPOSED)
    assert release.effective_on == datetime.date(2027, 1, 1)
    assert proposed.summary == "added 1, revised 1, deleted 1, unchanged 1"
    changes = {c.code: c for c in release.changes.all()}
    assert {n: c.kind for n, c in changes.items()} == {
        "D0140": "revised",
        "D0160": "added",
        "D9110": "deleted",
    }
    assert changes["D0140"].fields == {
        "nomenclature": {
            "old": "limited oral evaluation",
            "new": "limited oral evaluation - problem focused",
        },
        "descriptor": {
            "old": "An evaluation limited to a specific oral health problem.",
            "new": "An evaluation limited to a specific oral health problem or complaint.",
        },
    }
    # Absent from the file: proposed as deleted in that edition.
    assert changes["D9110"].fields == {
        "status": {"old": "active", "new": "deleted"},
        "deleted_year": {"old": None, "new": 2027},
    }
    # New: takes effect in the edition, in the file's category.
    assert changes["D0160"].fields["effective_year"] == {"old": None, "new": 2027}
    assert changes["D0160"].category.slug == "clinical-oral-evaluations"
    assert release.unchanged_count == 1
    assert _catalog_snapshot() == before
    assert ReleaseEvent.objects.get(release=release).to_status == "proposed"


def test_the_command_prints_the_counts_and_leaves_the_codes_alone(catalog, tmp_path):
    path = tmp_path / "cdt2027.csv"
    path.write_bytes(edition_2027().getvalue())
    before = _catalog_snapshot()
    out = StringIO()
    call_command(
        "import_codes", str(path), "--release", "2027", "--effective", "2027-01-01", stdout=out
    )
    assert "added 1, revised 1, deleted 1, unchanged 1" in out.getvalue()
    assert "no live code changed" in out.getvalue()
    assert Release.objects.get().status == "proposed"
    assert _catalog_snapshot() == before


def test_a_bad_file_names_line_and_field_and_writes_no_release(catalog, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_file(
            ("D0140", "ok", "ok", "clinical-oral-evaluations"),
            ("D0160", "new", "new", "no-such-category"),
            ("D01X0", "bad", "bad", "clinical-oral-evaluations"),
        ).getvalue()
    )
    with pytest.raises(CommandError) as info:
        call_command("import_codes", str(path), "--release", "2027", stdout=StringIO())
    message = str(info.value)
    assert "line 3, field category: Unknown category" in message
    assert "line 4, field code" in message
    assert not Release.objects.exists()
    assert Code.objects.get(code="D0140").nomenclature == "limited oral evaluation"


def test_an_edition_with_a_release_under_way_refuses_a_second_import(catalog):
    release_import(path_or_file=edition_2027(), edition=2027)
    with pytest.raises(ValidationError) as info:
        release_import(path_or_file=edition_2027(), edition=2027)
    assert "edition" in info.value.message_dict
    assert Release.objects.count() == 1


def test_the_effective_day_must_fall_in_the_editions_window(catalog):
    with pytest.raises(ValidationError) as info:
        release_import(
            path_or_file=edition_2027(), edition=2027, effective_on=datetime.date(2030, 1, 1)
        )
    assert "effective_on" in info.value.message_dict
    assert not Release.objects.exists()


def test_release_options_do_not_mix_with_a_direct_import(catalog, tmp_path):
    path = tmp_path / "cdt2027.csv"
    path.write_bytes(edition_2027().getvalue())
    with pytest.raises(CommandError, match="--release"):
        call_command("import_codes", str(path), "--release", "2027", "--dry-run")
    with pytest.raises(CommandError, match="--effective goes with --release"):
        call_command("import_codes", str(path), "--effective", "2027-01-01")


def test_reviewers_are_told_of_a_new_release(catalog, reviewer, publisher, mailoutbox):
    from django.db import transaction

    with transaction.atomic():
        release_import(path_or_file=edition_2027(), edition=2027)
    deliver_all()
    assert [m.to for m in mailoutbox] == [["reviewer@example.com"]]
    assert mailoutbox[0].subject == (
        "[CDT Codes] Release CDT 2027 to review: 1 added, 1 revised, 1 deleted"
    )
    assert "/admin/contributions/release/" in mailoutbox[0].body


def test_a_file_that_cannot_be_read_raises_an_import_error(catalog):
    with pytest.raises(CodeImportError) as info:
        release_import(path_or_file=csv_file(header=("code", "oops")), edition=2027)
    assert "line 1" in info.value.describe()
