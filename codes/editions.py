"""The CDT edition calendar: when each edition starts.

Edition Y is in force from 1 January Y unless an `Edition` row moves its start
(a yearly release may, with `--effective`). Moving a start moves every version
boundary at the old first day with it, in one transaction.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from cdtsite.cache import catalog_changed

from .models import Edition
from .versions import edition_boundaries_move, edition_schedule


def edition_effective_check(*, year: int, effective_on: datetime.date) -> None:
    """Raise ValidationError naming `effective_on` unless CDT `year` may start that day:
    after the previous edition's start and before the next one's."""
    schedule = edition_schedule()
    if not schedule.start(year - 1) < effective_on < schedule.start(year + 1):
        raise ValidationError(
            {
                "effective_on": [
                    f"CDT {year} must start after CDT {year - 1} "
                    f"({schedule.start(year - 1):%Y-%m-%d}) and before CDT {year + 1} "
                    f"({schedule.start(year + 1):%Y-%m-%d})."
                ]
            }
        )


@transaction.atomic
def edition_effective_set(*, year: int, effective_on: datetime.date) -> Edition | None:
    """Make CDT edition `year` start on `effective_on` instead of its current first
    day (1 January unless set before); every version boundary there moves with it.

    Returns the Edition row, or None when the day is 1 January (the default
    needs no row). Raises ValidationError naming `effective_on`.
    """
    edition_effective_check(year=year, effective_on=effective_on)
    Edition.objects.select_for_update().filter(year=year).first()
    old = edition_schedule().start(year)
    if effective_on != old:
        edition_boundaries_move(year, old, effective_on)
        # Which version is in force on those days changed: cached answers end here.
        transaction.on_commit(catalog_changed)
    if effective_on == datetime.date(year, 1, 1):
        Edition.objects.filter(year=year).delete()
        return None
    edition, _ = Edition.objects.update_or_create(
        year=year, defaults={"effective_on": effective_on}
    )
    return edition
