"""Business days for the 1–2 business-day answer promise.

Business days skip weekends and the public holidays of QUESTIONS_HOLIDAY_COUNTRY,
counted in the site's TIME_ZONE. One business day after a moment is the same
local time on the next business day; a moment on a weekend or holiday counts
from QUESTIONS_DAY_STARTS (09:00) local on the next business day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils import timezone


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=year)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(settings.QUESTIONS_HOLIDAY_COUNTRY, day.year)


def next_business_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment, timezone.get_default_timezone())


def _at(day: date, clock: time) -> datetime:
    """`day` at local `clock`, made aware; a wall time a DST change skips moves forward."""
    tz = timezone.get_default_timezone()
    naive = datetime.combine(day, clock)
    aware = naive.replace(tzinfo=tz)
    # Round-tripping through UTC normalizes a non-existent local time (spring forward).
    return aware.astimezone(UTC).astimezone(tz)


def business_start(moment: datetime) -> datetime:
    """When the clock starts for something received at `moment`."""
    local = _local(moment)
    if is_business_day(local.date()):
        return local
    return _at(next_business_day(local.date()), settings.QUESTIONS_DAY_STARTS)


def add_business_days(moment: datetime, days: int) -> datetime:
    """`days` business days after `moment` (counting from business_start)."""
    start = business_start(moment)
    day = start.date()
    for _ in range(days):
        day = next_business_day(day)
    return _at(day, start.time().replace(tzinfo=None))


def business_hours_between(start: datetime, end: datetime) -> float:
    """Hours from `start` to `end` that fall on business days (whole days count 24 h)."""
    if end <= start:
        return 0.0
    start, end = _local(start), _local(end)
    total = timedelta()
    day = start.date()
    while day <= end.date():
        if is_business_day(day):
            day_start = max(start, _at(day, time(0)))
            day_end = min(end, _at(day + timedelta(days=1), time(0)))
            if day_end > day_start:
                total += day_end - day_start
        day += timedelta(days=1)
    return total.total_seconds() / 3600
