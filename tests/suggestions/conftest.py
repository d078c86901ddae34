import pytest

from contributions.suggestions.services import submission_create
from tests.factories import code_make


@pytest.fixture
def d0370(imaging):
    return code_make(
        "D0370",
        category=imaging,
        nomenclature="Maxillofacial ultrasound",
        billing_tips="Old tip",
        body="Old body",
    )


@pytest.fixture
def submit(d0370):
    def make(**overrides):
        values = {
            "code": "D0370",
            "changes": {"billing_tips": "Better tip"},
            "rationale": "The payer guide says so.",
            "sources": ["https://example.org/guide"],
            "name": "Pat Submitter",
            "email": "pat@example.net",
        }
        values.update(overrides)
        submission, token = submission_create(**values)
        submission.token = token
        return submission

    return make
