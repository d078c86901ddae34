"""Claim-line checks: are these codes valid for one date of service?

A claim must use each code as in force on its date of service. The check
answers, for each code in the order asked, whether it is valid that day and,
when it is not, why: malformed, unknown, not yet in effect, or deleted (naming
the edition it left). Two queries for any number of codes.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence

from django.db.models import F

from .models import CODE_PATTERN, Code, CodeVersion
from .services import normalize_code
from .versions import Span, edition_schedule, not_in_force_reason, span_of

# One claim's worth; the API and the form refuse more.
MAX_CODES = 100
_code_re = re.compile(CODE_PATTERN)


def claim_lines_check(*, day: datetime.date, codes: Sequence[str]) -> list[dict]:
    """One result per code, in the order given (repeats answered each time):

    `{"code", "valid": True, "cdt_edition", "nomenclature"}` or
    `{"code", "valid": False, "reason"}`.
    """
    schedule = edition_schedule()
    numbers = [normalize_code(code) for code in codes]
    wellformed = {number for number in numbers if _code_re.match(number)}
    versions: dict[str, list[CodeVersion]] = {number: [] for number in wellformed}
    rows = (
        CodeVersion.objects.filter(code__code__in=wellformed)
        .annotate(number=F("code__code"))
        .only("valid_from", "valid_until", "status", "nomenclature", "code_id")
    )
    for version in rows:
        versions[version.number].append(version)

    edition = schedule.edition_of(day)
    results = []
    for raw, number in zip(codes, numbers, strict=True):
        if number not in versions:
            shown = str(raw).strip()[:20]
            results.append(
                {
                    "code": shown,
                    "valid": False,
                    "reason": (
                        f"“{shown}” is not a CDT code: the letter D and four digits, like D0370."
                    ),
                }
            )
            continue
        found = versions[number]
        current = next((v for v in found if v.valid_from <= day <= v.valid_until), None)
        if current is not None and current.status == Code.Status.ACTIVE:
            results.append(
                {
                    "code": number,
                    "valid": True,
                    "cdt_edition": edition,
                    "nomenclature": current.nomenclature,
                }
            )
            continue
        span = span_of(found) if found else Span(None, None, known=False, ever_valid=False)
        results.append(
            {
                "code": number,
                "valid": False,
                "reason": not_in_force_reason(number, day, span, schedule),
            }
        )
    return results
