import pytest
from django.db import transaction

from codes.models import Code, CodeRevision
from codes.services import (
    CodeDataError,
    CodeValues,
    code_create,
    code_revision_restore,
    code_update,
    codes_apply,
)
from tests.factories import UserFactory, code_make

pytestmark = pytest.mark.django_db


def test_create_writes_revision_one_with_full_snapshot(imaging):
    code = code_make("d0370", category=imaging, nomenclature="Ultrasound", billing_tips="Tip")
    assert code.code == "D0370"
    assert code.revision == 1
    snapshot = code.revisions.get()
    assert (snapshot.revision, snapshot.nomenclature, snapshot.billing_tips) == (
        1,
        "Ultrasound",
        "Tip",
    )
    assert snapshot.category == imaging
    assert "nomenclature" in snapshot.changed_fields


def test_update_bumps_revision_and_snapshots_every_change(imaging):
    code_make("D0370", category=imaging)
    editor = UserFactory()
    revision = code_update(code="D0370", changes={"billing_tips": "New tip"}, actor=editor)
    code = Code.objects.get(code="D0370")
    assert code.revision == 2 == revision.revision
    assert code.billing_tips == "New tip"
    assert revision.changed_fields == ["billing_tips"]
    assert revision.published_by == editor
    assert list(code.revisions.values_list("revision", flat=True)) == [2, 1]


def test_update_with_same_values_writes_nothing(imaging):
    code_make("D0370", category=imaging, billing_tips="Same")
    assert code_update(code="D0370", changes={"billing_tips": "Same  \r\n"}) is None
    assert Code.objects.get(code="D0370").revision == 1
    assert CodeRevision.objects.count() == 1


def test_related_codes_are_symmetric(imaging):
    code_make("D0370", category=imaging)
    code_make("D0371", category=imaging, related=["D0370"])
    assert list(Code.objects.get(code="D0370").related_codes.values_list("code", flat=True)) == [
        "D0371"
    ]
    code_update(code="D0371", changes={"related_codes": []})
    assert not Code.objects.get(code="D0370").related_codes.exists()


def test_batch_relates_codes_created_in_the_same_batch_at_revision_one(imaging):
    result = codes_apply(
        entries=[
            CodeValues(
                "D0380", {"nomenclature": "A", "category": imaging, "related_codes": "D0381"}
            ),
            CodeValues("D0381", {"nomenclature": "B", "category": imaging}),
        ]
    )
    assert result.added == ["D0380", "D0381"]
    d0381 = Code.objects.get(code="D0381")
    assert d0381.revision == 1
    assert d0381.revisions.get().related_codes == ["D0380"]


def test_invalid_values_name_the_field_and_write_nothing(imaging):
    code_make("D0370", category=imaging)
    with pytest.raises(CodeDataError) as excinfo:
        codes_apply(
            entries=[
                CodeValues("D0371", {"nomenclature": "Fine", "category": imaging}),
                CodeValues("D0370", {"nomenclature": "", "related_codes": ["D9999", "D0370"]}),
            ]
        )
    errors = excinfo.value.entry_errors
    assert set(errors) == {1}
    assert errors[1]["nomenclature"] == ["This field is required."]
    assert "Unknown codes: D9999." in errors[1]["related_codes"]
    assert "A code cannot be related to itself." in errors[1]["related_codes"]
    assert not Code.objects.filter(code="D0371").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"foo": "x"}, "foo"),
        ({"category": "no-such-category"}, "category"),
        ({"status": "retired"}, "status"),
        ({"status": "deleted"}, "deleted_year"),
        ({"effective_year": "soon"}, "effective_year"),
        ({"deleted_year": 2020}, "deleted_year"),
        ({"nomenclature": "x" * 301}, "nomenclature"),
    ],
)
def test_bad_value_is_refused_naming_its_field(imaging, changes, field):
    code_make("D0370", category=imaging)
    with pytest.raises(CodeDataError) as excinfo:
        code_update(code="D0370", changes=changes)
    assert field in excinfo.value.message_dict


def test_create_refuses_an_existing_code(imaging):
    code_make("D0370", category=imaging)
    with pytest.raises(CodeDataError) as excinfo:
        code_create(code="D0370", values={"nomenclature": "x", "category": imaging})
    assert "code" in excinfo.value.message_dict


def test_deleting_a_code_records_the_year_and_reactivating_clears_it(imaging):
    code_make("D0370", category=imaging)
    code_update(code="D0370", changes={"status": "deleted", "deleted_year": 2024})
    code = Code.objects.get(code="D0370")
    assert (code.status, code.deleted_year, code.revision) == ("deleted", 2024, 2)
    code_update(code="D0370", changes={"status": "active"})
    code.refresh_from_db()
    assert (code.status, code.deleted_year, code.revision) == ("active", None, 3)


def test_restore_brings_back_old_content_as_a_new_revision(imaging):
    code_make("D0370", category=imaging, billing_tips="First")
    code_update(code="D0370", changes={"billing_tips": "Second"})
    restored = code_revision_restore(code="D0370", revision=1)
    code = Code.objects.get(code="D0370")
    assert (code.revision, code.billing_tips) == (3, "First")
    assert (restored.restored_from, restored.changed_fields) == (1, ["billing_tips"])
    assert CodeRevision.objects.filter(code=code).count() == 3


def test_restore_of_the_current_content_is_a_no_op(imaging):
    code_make("D0370", category=imaging)
    assert code_revision_restore(code="D0370", revision=1) is None


def test_failure_after_the_update_rolls_back_code_and_snapshot(imaging):
    code_make("D0370", category=imaging, billing_tips="Kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        code_update(code="D0370", changes={"billing_tips": "Lost"})
        raise RuntimeError("boom")
    code = Code.objects.get(code="D0370")
    assert (code.revision, code.billing_tips) == (1, "Kept")
    assert CodeRevision.objects.filter(code=code).count() == 1


def test_a_relation_change_is_a_revision_of_the_other_code_too(imaging):
    code_make("D0370", category=imaging)
    code_make("D0391", category=imaging)
    code_make("D0371", category=imaging, related=["D0370"])
    d0370 = Code.objects.get(code="D0370")
    assert d0370.revision == 2
    latest = d0370.revisions.first()
    assert (latest.revision, latest.related_codes, latest.changed_fields) == (
        2,
        ["D0371"],
        ["related_codes"],
    )
    assert latest.note == "Related codes changed with D0371."
    # Moving D0371's relation from D0370 to D0391 is a revision of all three.
    result = codes_apply(entries=[CodeValues("D0371", {"related_codes": ["D0391"]})])
    assert result.changed == ["D0371"]
    assert sorted(result.related_changed) == ["D0370", "D0391"]
    assert Code.objects.get(code="D0370").revisions.first().related_codes == []
    assert Code.objects.get(code="D0391").revisions.first().related_codes == ["D0371"]


def test_progress_is_reported_while_writing(imaging):
    seen = []
    codes_apply(
        entries=[
            CodeValues(f"D03{n:02d}", {"nomenclature": "x", "category": imaging}) for n in range(5)
        ],
        progress=seen.append,
    )
    assert seen == [1, 2, 3, 4, 5]
