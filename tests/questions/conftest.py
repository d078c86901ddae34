import pytest
from django.contrib.auth.models import Group

from contributions.roles import roles_setup
from contributions.services import question_create
from tests.factories import UserFactory


@pytest.fixture
def roles(db):
    roles_setup()


def _member(group: str, username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def expert(roles):
    return _member("Experts", "expert")


@pytest.fixture
def expert2(roles):
    return _member("Experts", "expert2")


@pytest.fixture
def lead(roles):
    return _member("Expert leads", "lead")


@pytest.fixture
def reviewer(roles):
    return _member("Reviewers", "reviewer")


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
