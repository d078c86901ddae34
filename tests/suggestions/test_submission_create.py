import pytest
from django.core.exceptions import ValidationError

from contributions.models import Submission
from contributions.suggestions.services import submission_create

pytestmark = pytest.mark.django_db

GOOD = {
    "code": "D0370",
    "changes": {"billing_tips": "Better tip"},
    "rationale": "Because.",
    "sources": ["https://example.org/a"],
    "name": "Pat",
    "email": "pat@example.net",
}


def _errors(**overrides):
    with pytest.raises(ValidationError) as excinfo:
        submission_create(**{**GOOD, **overrides})
    assert Submission.objects.count() == 0
    return excinfo.value.message_dict


def test_a_valid_submission_is_stored_with_its_base_revision(d0370):
    submission, token = submission_create(**{**GOOD, "code": "d0370"})
    assert (submission.status, submission.base_revision, submission.code) == ("submitted", 1, d0370)
    assert submission.changes == {"billing_tips": "Better tip"}
    assert len(token) >= 40
    assert submission.events.get().to_status == "submitted"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"changes": {}}, "changes"),
        ({"changes": "text"}, "changes"),
        ({"changes": {"billing_tips": "Old tip"}}, "changes"),
        ({"changes": {"status": "deleted"}}, "changes"),
        ({"changes": {"nomenclature": ""}}, "changes.nomenclature"),
        ({"changes": {"related_codes": ["D9999"]}}, "changes.related_codes"),
        ({"rationale": "  "}, "rationale"),
        ({"sources": ["ftp://example.org/x"]}, "sources"),
        ({"sources": "javascript:alert(1)"}, "sources"),
        ({"sources": {"a": 1}}, "sources"),
        ({"name": ""}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"base_revision": 7}, "base_revision"),
        ({"base_revision": "x"}, "base_revision"),
        ({"base_revision": 0}, "base_revision"),
        ({"code": "X12"}, "code"),
        ({"code": "D0399", "changes": {"billing_tips": "x"}}, "changes"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(d0370, overrides, field):
    assert field in _errors(**overrides)
