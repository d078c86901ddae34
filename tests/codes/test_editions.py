import datetime

import pytest
from django.core.exceptions import ValidationError

from codes.editions import edition_effective_set
from codes.models import CodeVersion, Edition
from codes.services import CodeValues, code_update, codes_apply
from tests.factories import code_make

pytestmark = pytest.mark.django_db
D = datetime.date


def _spans(number: str) -> list[tuple]:
    return list(
        CodeVersion.objects.filter(code__code=number)
        .order_by("valid_from")
        .values_list("valid_from", "valid_until", "nomenclature")
    )


def test_moving_an_editions_start_moves_the_version_boundary(imaging):
    code_make("D0370", category=imaging, nomenclature="Old", effective_year=2020)
    code_update(code="D0370", changes={"nomenclature": "New"})
    # A release of 2027 text, then its start moved to 1 March.
    codes_apply(entries=[CodeValues("D0370", {"nomenclature": "2027"})], edition=2027)
    edition = edition_effective_set(year=2027, effective_on=D(2027, 3, 1))
    assert edition == Edition.objects.get(year=2027)
    assert _spans("D0370")[-2:] == [
        (D(2020, 1, 1), D(2027, 2, 28), "New"),
        (D(2027, 3, 1), D(9999, 12, 31), "2027"),
    ]
    # Back to 1 January: the row goes, the boundary follows.
    assert edition_effective_set(year=2027, effective_on=D(2027, 1, 1)) is None
    assert not Edition.objects.exists()
    assert _spans("D0370")[-1][0] == D(2027, 1, 1)


def test_an_edition_cannot_start_before_the_previous_one(imaging):
    with pytest.raises(ValidationError) as info:
        edition_effective_set(year=2027, effective_on=D(2025, 12, 31))
    assert "effective_on" in info.value.message_dict
