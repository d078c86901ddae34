import csv
import io

import pytest
from django.core.management import call_command

from codes.importing import COLUMNS, SAMPLE_DATA_PATH
from codes.models import Category, Code, CodeRevision
from codes.selectors import category_with_descendants

pytestmark = pytest.mark.django_db

# The codes the contract names, with the subcategory each belongs in.
CONTRACT_CODES = {
    **{
        number: "diagnostic-imaging"
        for number in (
            "D0340 D0370 D0371 D0380 D0381 D0382 D0383 D0384 D0385 D0386 "
            "D0391 D0393 D0394 D0395 D0702"
        ).split()
    },
    "D0411": "tests-and-examinations",
}


def load_sample_data() -> str:
    stdout = io.StringIO()
    call_command("load_sample_data", stdout=stdout, stderr=io.StringIO())
    return stdout.getvalue()


def sample_rows() -> list[dict[str, str]]:
    with SAMPLE_DATA_PATH.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def related_of(number: str) -> set[str]:
    return set(Code.objects.get(code=number).related_codes.values_list("code", flat=True))


def test_load_sample_data_loads_every_contract_code_in_its_subcategory(categories):
    out = load_sample_data()

    assert out.splitlines()[-1].startswith(f"added {len(sample_rows())}, changed 0")
    for number, slug in CONTRACT_CODES.items():
        code = Code.objects.get(code=number)
        assert code.category.slug == slug, number
        assert code.status == "active", number


def test_every_sample_code_has_all_its_text(categories):
    load_sample_data()

    for code in Code.objects.all():
        for name in ("nomenclature", "descriptor", "body", "documentation", "billing_tips"):
            assert getattr(code, name).strip(), f"{code.code} has no {name}"


def test_second_load_changes_nothing_and_says_so(categories):
    load_sample_data()
    before = (Code.objects.count(), CodeRevision.objects.count())

    out = load_sample_data()

    assert "Nothing changed" in out
    assert out.splitlines()[-1] == f"added 0, changed 0, unchanged {before[0]}, deleted 0"
    assert (Code.objects.count(), CodeRevision.objects.count()) == before


def test_every_category_of_service_has_at_least_three_codes(categories):
    load_sample_data()

    for category in Category.objects.filter(parent=None):
        count = Code.objects.filter(category__in=category_with_descendants(category)).count()
        assert count >= 3, f"{category.name} has {count} codes"


def test_sample_codes_sit_in_their_category_range(categories):
    load_sample_data()

    for code in Code.objects.select_related("category"):
        assert code.category.range_start <= code.code <= code.category.range_end, code.code


def test_related_codes_named_by_the_brief_are_linked(categories):
    load_sample_data()

    assert "D0340" in related_of("D0702")
    cbct = {"D0380", "D0381", "D0382", "D0383", "D0384"}
    for number in cbct:
        assert cbct - {number} | {"D0391"} <= related_of(number), number
    for number in ("D0385", "D0386"):
        assert {"D0370", "D0391"} <= related_of(number), number


def test_sample_file_relations_exist_and_are_listed_on_both_sides():
    rows = {row["code"]: row for row in sample_rows()}

    for number, row in rows.items():
        for other in row["related_codes"].split():
            assert other in rows, f"{number} relates to {other}, which is not in the file"
            assert number in rows[other]["related_codes"].split(), f"{other} lacks {number}"


def test_sample_file_uses_only_contract_columns_and_ships_a_deleted_code():
    rows = sample_rows()

    assert set(rows[0]) == set(COLUMNS)
    deleted = [row for row in rows if row["status"] == "deleted"]
    assert deleted
    assert all(row["deleted_year"].isdigit() for row in deleted)
    assert 60 <= len(rows) <= 75


def test_deleted_sample_codes_load_as_deleted(categories):
    load_sample_data()

    for row in sample_rows():
        if row["status"] == "deleted":
            code = Code.objects.get(code=row["code"])
            assert (code.status, code.deleted_year) == ("deleted", int(row["deleted_year"]))
