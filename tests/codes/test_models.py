import pytest
from django.db import DataError, IntegrityError, transaction

from codes.models import Category, Code, CodeRevision
from tests.factories import code_make

pytestmark = pytest.mark.django_db


def test_categories_of_service_are_shipped_with_official_ranges(categories):
    top = {c.name: c.code_range for c in Category.objects.filter(parent=None)}
    assert top["Diagnostic"] == "D0100–D0999"
    assert top["Prosthodontics, removable"] == "D5000–D5899"
    assert top["Maxillofacial Prosthetics"] == "D5900–D5999"
    assert top["Implant Services"] == "D6000–D6199"
    assert top["Prosthodontics, fixed"] == "D6200–D6999"
    assert top["Adjunctive General Services"] == "D9000–D9999"
    assert len(top) == 12
    assert categories["diagnostic-imaging"].parent == categories["diagnostic"]


@pytest.mark.parametrize("bad", ["d0370", "D037", "D03700", "X0370", "D03A0", ""])
def test_database_refuses_a_code_outside_the_cdt_pattern(imaging, bad):
    # Too long trips the column's length (DataError) before the pattern check.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Code.objects.create(code=bad, nomenclature="x", category=imaging)


def test_database_refuses_a_duplicate_code(imaging):
    Code.objects.create(code="D0370", nomenclature="x", category=imaging)
    with pytest.raises(IntegrityError), transaction.atomic():
        Code.objects.create(code="D0370", nomenclature="y", category=imaging)


def test_database_refuses_revision_zero(imaging):
    with pytest.raises(IntegrityError), transaction.atomic():
        Code.objects.create(code="D0370", nomenclature="x", category=imaging, revision=0)


def test_database_refuses_deleted_code_without_year(imaging):
    with pytest.raises(IntegrityError), transaction.atomic():
        Code.objects.create(code="D0370", nomenclature="x", category=imaging, status="deleted")


def test_database_refuses_two_snapshots_of_one_revision(imaging):
    code = code_make("D0370", category=imaging)
    snapshot = CodeRevision.objects.get(code=code)
    snapshot.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        snapshot.save()


def test_category_range_must_be_ordered(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(name="Odd", slug="odd", range_start="D2000", range_end="D1000")
