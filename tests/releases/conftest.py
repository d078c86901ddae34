"""A small catalog of CDT 2026, next year's file for it, and a clock that can be moved."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from contributions.models import Notification
from contributions.notifications import delivery
from tests.factories import code_make

HEADER = ("code", "nomenclature", "descriptor", "category")


@pytest.fixture
def catalog(categories):
    """Three codes in force since 2020 (D0140, D0150 diagnostic; D9110 adjunctive)."""
    evaluation = categories["clinical-oral-evaluations"]
    adjunctive = categories["adjunctive-general-services"]
    return {
        "D0140": code_make(
            "D0140",
            category=evaluation,
            nomenclature="limited oral evaluation",
            descriptor="An evaluation limited to a specific oral health problem.",
            effective_year=2020,
        ),
        "D0150": code_make(
            "D0150",
            category=evaluation,
            nomenclature="comprehensive oral evaluation",
            descriptor="Used by a general dentist for a new patient.",
            effective_year=2020,
        ),
        "D9110": code_make(
            "D9110",
            category=adjunctive,
            nomenclature="palliative treatment of dental pain",
            descriptor="Treatment that relieves pain.",
            effective_year=2020,
        ),
    }


def csv_file(*rows: tuple, header: tuple = HEADER, name: str = "cdt2027.csv") -> io.BytesIO:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    data = io.BytesIO(out.getvalue().encode())
    data.name = name
    return data


def edition_2027() -> io.BytesIO:
    """CDT 2027: D0140 revised, D0150 unchanged, D9110 gone, D0160 new."""
    return csv_file(
        (
            "D0140",
            "limited oral evaluation - problem focused",
            "An evaluation limited to a specific oral health problem or complaint.",
            "clinical-oral-evaluations",
        ),
        (
            "D0150",
            "comprehensive oral evaluation",
            "Used by a general dentist for a new patient.",
            "clinical-oral-evaluations",
        ),
        (
            "D0160",
            "detailed and extensive oral evaluation",
            "A detailed and extensive problem focused evaluation.",
            "clinical-oral-evaluations",
        ),
    )


@pytest.fixture
def clock(monkeypatch):
    """Move the site's clock: `clock("2027-01-01")` (local noon that day)."""

    def move(day: str):
        moment = datetime.datetime.combine(
            datetime.date.fromisoformat(day),
            datetime.time(12),
            tzinfo=timezone.get_current_timezone(),
        )
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return move


def deliver_all() -> int:
    ids = Notification.objects.filter(state=Notification.State.PENDING).values_list("pk", flat=True)
    return sum(delivery.notification_deliver(notification_id=pk) for pk in list(ids))
