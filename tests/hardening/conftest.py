import pytest

from contributions.suggestions.services import submission_create
from tests.factories import code_make

SUBMISSION = {
    "code": "D0370",
    "changes": {"billing_tips": "Proposed tip"},
    "rationale": "Per the payer manual.",
    "sources": ["https://example.org/manual"],
    "name": "Pat",
    "email": "pat.private@example.net",
}
QUESTION = {
    "name": "Ann Asker",
    "email": "ann.private@example.net",
    "subject": "Two images, one visit?",
    "body": "Can D0370 and D0386 go on one claim?",
}


@pytest.fixture
def d0370(imaging):
    return code_make(
        "D0370", category=imaging, nomenclature="Maxillofacial ultrasound", billing_tips="Old tip"
    )


@pytest.fixture
def submission_token(d0370):
    """A tracking token of an open suggestion."""
    _submission, token = submission_create(**SUBMISSION)
    return token
