import pytest

from contributions.questions.services import question_create
from tests.suggestions.conftest import d0370, submit  # noqa: F401


@pytest.fixture
def ask(db):
    def make(**overrides):
        values = {
            "name": "Ann Asker",
            "email": "ann.private@example.net",
            "subject": "Can D0370 and D0386 go on one claim?",
            "body": "Same visit, two images.",
        }
        values.update(overrides)
        question, token = question_create(**values)
        question.token = token
        return question

    return make
