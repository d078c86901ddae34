from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from contributions.questions.business_days import (
    add_business_days,
    business_hours_between,
    business_start,
    is_business_day,
)

NY = ZoneInfo("America/New_York")


def ny(*args) -> datetime:
    return datetime(*args, tzinfo=NY)


@pytest.mark.parametrize(
    ("received", "target", "due"),
    [
        # A Tuesday afternoon: the same time one and two business days later.
        (ny(2026, 11, 17, 14, 30), ny(2026, 11, 18, 14, 30), ny(2026, 11, 19, 14, 30)),
        # Friday 23:00 is still Friday: Monday and Tuesday at 23:00.
        (ny(2026, 11, 20, 23, 0), ny(2026, 11, 23, 23, 0), ny(2026, 11, 24, 23, 0)),
        # Saturday: counts from Monday 09:00.
        (ny(2026, 11, 21, 10, 0), ny(2026, 11, 24, 9, 0), ny(2026, 11, 25, 9, 0)),
        # The day before Thanksgiving (Thu 26 Nov 2026): skips the holiday, then the weekend.
        (ny(2026, 11, 25, 16, 0), ny(2026, 11, 27, 16, 0), ny(2026, 11, 30, 16, 0)),
        # New Year's Eve (Thursday): New Year's Day is a holiday, then a weekend.
        (ny(2026, 12, 31, 18, 0), ny(2027, 1, 4, 18, 0), ny(2027, 1, 5, 18, 0)),
        # On New Year's Day itself: from Monday 4 January 09:00.
        (ny(2027, 1, 1, 8, 0), ny(2027, 1, 5, 9, 0), ny(2027, 1, 6, 9, 0)),
        # Independence Day observed on Friday 3 July 2026.
        (ny(2026, 7, 2, 12, 0), ny(2026, 7, 6, 12, 0), ny(2026, 7, 7, 12, 0)),
    ],
)
def test_target_and_due_dates(received, target, due):
    assert add_business_days(received, 1) == target
    assert add_business_days(received, 2) == due


def test_a_moment_given_in_utc_counts_in_the_sites_local_time():
    # 02:00 UTC on Saturday is still Friday 21:00 in New York.
    received = datetime(2026, 11, 21, 2, 0, tzinfo=ZoneInfo("UTC"))
    assert add_business_days(received, 1) == ny(2026, 11, 23, 21, 0)


def test_the_clock_keeps_local_time_across_a_dst_change():
    # DST ends Sunday 1 November 2026: Friday 10:00 EDT -> Monday 10:00 EST.
    assert add_business_days(ny(2026, 10, 30, 10, 0), 1) == ny(2026, 11, 2, 10, 0)
    assert add_business_days(ny(2026, 10, 30, 10, 0), 1).utcoffset().total_seconds() == -5 * 3600


@override_settings(QUESTIONS_HOLIDAY_COUNTRY="GB")
def test_holidays_follow_the_configured_country():
    assert is_business_day(ny(2026, 11, 26).date())  # Thanksgiving is a US holiday only
    assert not is_business_day(ny(2026, 12, 28).date())  # Boxing Day (substitute) in England


@override_settings(TIME_ZONE="Europe/London")
def test_business_days_count_in_the_configured_time_zone():
    # Friday 23:30 in New York is already Saturday in London: Monday 09:00 London.
    received = ny(2026, 11, 20, 23, 30)
    assert business_start(received) == datetime(
        2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/London")
    )


def test_business_hours_skip_weekends_and_holidays():
    # Friday 16:00 to Monday 10:00 is 8 h on Friday + 10 h on Monday.
    assert business_hours_between(ny(2026, 11, 20, 16, 0), ny(2026, 11, 23, 10, 0)) == 18
    # Across Thanksgiving: Wednesday 12:00 to Friday 12:00 is 12 h + 12 h.
    assert business_hours_between(ny(2026, 11, 25, 12, 0), ny(2026, 11, 27, 12, 0)) == 24
    assert business_hours_between(ny(2026, 11, 25, 12, 0), ny(2026, 11, 25, 11, 0)) == 0
