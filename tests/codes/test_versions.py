"""Versions by date of service: the timeline each write leaves, and the edition calendar."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from codes.editions import edition_effective_set
from codes.models import DATE_MAX, DATE_MIN, Code, CodeVersion, Edition
from codes.services import CodeValues, code_update, codes_apply
from codes.versions import CodeNotInForce, code_on, versions_sync
from tests.factories import code_make

pytestmark = pytest.mark.django_db

D = datetime.date


def timeline(number: str) -> list[tuple]:
    return [
        (v.valid_from, v.valid_until, v.status, v.nomenclature, v.edition)
        for v in CodeVersion.objects.filter(code__code=number).order_by("valid_from")
    ]


def release(number: str, edition: int, **values) -> None:
    codes_apply(entries=[CodeValues(number, values)], edition=edition)


def test_sample_data_carries_the_years_of_its_codes(sample_codes):
    assert timeline("D0360") == [
        (DATE_MIN, D(2012, 12, 31), "active", Code.objects.get(code="D0360").nomenclature, None),
        (D(2013, 1, 1), DATE_MAX, "deleted", Code.objects.get(code="D0360").nomenclature, 2013),
    ]
    assert [v[:3] for v in timeline("D0702")] == [(D(2020, 1, 1), DATE_MAX, "active")]
    assert [v[:3] for v in timeline("D9940")] == [
        (DATE_MIN, D(2018, 12, 31), "active"),
        (D(2019, 1, 1), DATE_MAX, "deleted"),
    ]
    assert [v[:3] for v in timeline("D9944")] == [(D(2019, 1, 1), DATE_MAX, "active")]
    assert [v[:3] for v in timeline("D0370")] == [(DATE_MIN, DATE_MAX, "active")]


@pytest.mark.parametrize(
    ("day", "in_force", "edition"),
    [
        (D(2019, 12, 31), False, None),  # the day before D0702 takes effect
        (D(2020, 1, 1), True, 2020),  # the day it does
        (D(2031, 7, 4), True, 2031),
    ],
)
def test_code_added_in_an_edition_is_in_force_from_its_first_day(
    sample_codes, day, in_force, edition
):
    if not in_force:
        with pytest.raises(CodeNotInForce) as caught:
            code_on("D0702", day)
        assert caught.value.as_dict() == {
            "detail": "D0702 takes effect on 2020-01-01 (CDT 2020); it is not valid on 2019-12-31.",
            "code": "D0702",
            "valid_from": "2020-01-01",
            "valid_until": None,
        }
        return
    code = code_on("D0702", day)
    assert (code.status, code.cdt_edition) == ("active", edition)


def test_deleted_code_is_in_force_until_the_day_before_its_edition(sample_codes):
    assert code_on("D0360", D(2012, 12, 31)).status == "active"
    with pytest.raises(CodeNotInForce) as caught:
        code_on("D0360", D(2013, 1, 1))
    assert caught.value.as_dict()["valid_until"] == "2012-12-31"
    assert "deleted in CDT 2013" in caught.value.message
    # Asked without a date, the record stays readable, marked deleted.
    assert code_on("D0360", D(2013, 1, 1), deleted_ok=True).status == "deleted"


def test_code_never_in_the_set_is_unknown_on_every_day(sample_codes):
    with pytest.raises(CodeNotInForce) as caught:
        code_on("D9999", D(2020, 1, 1))
    assert caught.value.as_dict() == {
        "detail": "D9999 is not a code in the CDT code set.",
        "code": "D9999",
        "valid_from": None,
        "valid_until": None,
    }


def test_release_text_holds_from_its_edition_and_the_old_text_before(categories):
    code_make("D0370", nomenclature="Ultrasound, old words", effective_year=2000)
    release("D0370", 2027, nomenclature="Ultrasound, new words")
    assert timeline("D0370") == [
        (D(2000, 1, 1), D(2026, 12, 31), "active", "Ultrasound, old words", 2000),
        (D(2027, 1, 1), DATE_MAX, "active", "Ultrasound, new words", 2027),
    ]
    assert code_on("D0370", D(2026, 12, 31)).nomenclature == "Ultrasound, old words"
    assert code_on("D0370", D(2027, 1, 1)).nomenclature == "Ultrasound, new words"
    # The code row is the latest text, as before.
    assert Code.objects.get(code="D0370").nomenclature == "Ultrasound, new words"


def test_taking_a_release_back_merges_the_timeline_again(categories):
    code_make("D0370", nomenclature="Old words", effective_year=2000)
    before = timeline("D0370")
    release("D0370", 2027, nomenclature="New words")
    release("D0370", 2027, nomenclature="Old words")
    assert timeline("D0370") == before


def test_a_correction_changes_only_the_latest_text(categories):
    code_make("D0370", nomenclature="Old words", effective_year=2000)
    release("D0370", 2027, nomenclature="New words")
    code_update(code="D0370", changes={"nomenclature": "New words, corrected"})
    assert [v[3] for v in timeline("D0370")] == ["Old words", "New words, corrected"]


def test_a_community_edit_of_the_explanation_leaves_versions_alone(categories):
    code_make("D0370", effective_year=2000)
    before = list(CodeVersion.objects.values_list("pk", "valid_from", "nomenclature"))
    code_update(code="D0370", changes={"body": "When to use it.", "billing_tips": "Tips."})
    assert list(CodeVersion.objects.values_list("pk", "valid_from", "nomenclature")) == before


def test_deleting_and_restoring_a_code_moves_its_end(categories):
    code_make("D0370", effective_year=2000)
    code_update(code="D0370", changes={"status": "deleted", "deleted_year": 2025})
    assert [v[:3] for v in timeline("D0370")] == [
        (D(2000, 1, 1), D(2024, 12, 31), "active"),
        (D(2025, 1, 1), DATE_MAX, "deleted"),
    ]
    code_update(code="D0370", changes={"deleted_year": 2026})
    assert timeline("D0370")[0][1] == D(2025, 12, 31)
    code_update(code="D0370", changes={"status": "active"})
    assert [v[:3] for v in timeline("D0370")] == [(D(2000, 1, 1), DATE_MAX, "active")]


def test_changing_the_effective_year_moves_the_start(categories):
    code_make("D0370", effective_year=2000)
    code_update(code="D0370", changes={"effective_year": 2005})
    assert timeline("D0370")[0][0] == D(2005, 1, 1)
    code_update(code="D0370", changes={"effective_year": None})
    assert timeline("D0370")[0][0] == DATE_MIN


def test_an_edition_may_start_on_another_day_and_its_boundaries_follow(categories):
    code_make("D0370", nomenclature="Old words", effective_year=2000)
    code_make("D0371", status="deleted", deleted_year=2027, effective_year=2000)
    release("D0370", 2027, nomenclature="New words")
    edition_effective_set(year=2027, effective_on=D(2027, 3, 1))
    assert Edition.objects.get(year=2027).effective_on == D(2027, 3, 1)

    feb = code_on("D0370", D(2027, 2, 28))
    assert (feb.nomenclature, feb.cdt_edition) == ("Old words", 2026)
    march = code_on("D0370", D(2027, 3, 1))
    assert (march.nomenclature, march.cdt_edition) == ("New words", 2027)
    assert code_on("D0371", D(2027, 2, 28)).status == "active"
    with pytest.raises(CodeNotInForce) as caught:
        code_on("D0371", D(2027, 3, 1))
    assert caught.value.as_dict()["valid_until"] == "2027-02-28"

    # Back to 1 January: no row needed, boundaries back where they were.
    assert edition_effective_set(year=2027, effective_on=D(2027, 1, 1)) is None
    assert not Edition.objects.exists()
    assert timeline("D0370")[1][0] == D(2027, 1, 1)


def test_an_edition_cannot_start_outside_its_neighbours(categories):
    with pytest.raises(ValidationError) as caught:
        edition_effective_set(year=2027, effective_on=D(2026, 1, 1))
    assert "effective_on" in caught.value.message_dict


def test_a_code_added_with_a_release_is_in_force_from_the_edition(categories):
    codes_apply(
        entries=[
            CodeValues(
                "D0999",
                {
                    "nomenclature": "New",
                    "category": categories["diagnostic"],
                    "effective_year": 2027,
                },
            )
        ],
        edition=2027,
    )
    assert [v[:3] for v in timeline("D0999")] == [(D(2027, 1, 1), DATE_MAX, "active")]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite splits a bulk insert by its parameter limit (CI runs PostgreSQL)",
)
def test_syncing_many_codes_costs_a_fixed_number_of_queries(
    categories, django_assert_max_num_queries
):
    codes_apply(
        entries=[
            CodeValues(f"D0{n:03d}", {"nomenclature": f"Code {n}", "category": "diagnostic"})
            for n in range(200, 400)
        ]
    )
    codes = list(Code.objects.all())
    CodeVersion.objects.all().delete()
    # Schedule, versions read, create: nothing per code.
    with django_assert_max_num_queries(3):
        assert versions_sync(codes) == 200
    Code.objects.update(effective_year=2001)
    codes = list(Code.objects.all())
    # Schedule, read, delete the old starts, create the new ones.
    with django_assert_max_num_queries(4):
        versions_sync(codes)
    assert CodeVersion.objects.count() == 200
    assert set(CodeVersion.objects.values_list("valid_from", flat=True)) == {D(2001, 1, 1)}


# --- every writer keeps versions in line ------------------------------------------------


def test_an_admin_edit_of_the_years_moves_the_versions(client, categories):
    from tests.codes.test_admin import _change_url, _form_data
    from tests.factories import UserFactory

    code_make("D0370", effective_year=2000)
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    url = _change_url("D0370")
    page = client.get(url)
    assert 'id="code-versions"' in page.content.decode()
    response = client.post(
        url, _form_data(page, status="deleted", deleted_year="2025", effective_year="2001")
    )
    assert response.status_code == 302, response.content[:2000]
    assert [v[:3] for v in timeline("D0370")] == [
        (D(2001, 1, 1), D(2024, 12, 31), "active"),
        (D(2025, 1, 1), DATE_MAX, "deleted"),
    ]


def test_an_import_keeps_versions_in_line(categories):
    import io

    from codes.importing import codes_import_csv

    header = "code,nomenclature,descriptor,category,status,effective_year,deleted_year\n"
    first = header + "D0370,Ultrasound,Sound,diagnostic,active,2000,\n"
    codes_import_csv(path_or_file=io.BytesIO(first.encode()))
    assert [v[:3] for v in timeline("D0370")] == [(D(2000, 1, 1), DATE_MAX, "active")]
    second = header + "D0370,Ultrasound,Sound,diagnostic,deleted,2000,2030\n"
    codes_import_csv(path_or_file=io.BytesIO(second.encode()))
    assert [v[:3] for v in timeline("D0370")] == [
        (D(2000, 1, 1), D(2029, 12, 31), "active"),
        (D(2030, 1, 1), DATE_MAX, "deleted"),
    ]
    # A failed import leaves them as they were.
    bad = header + "D0370,Ultrasound,Sound,diagnostic,active,1999,\nD0371,X,Y,no-such,active,,\n"
    with pytest.raises(Exception, match="nothing was imported"):
        codes_import_csv(path_or_file=io.BytesIO(bad.encode()))
    assert timeline("D0370")[0][0] == D(2000, 1, 1)
