import pytest
from django.contrib.auth.models import Group

from contributions.roles import roles_setup
from contributions.services import submission_create
from tests.factories import UserFactory, code_make


@pytest.fixture
def roles(db):
    roles_setup()


def _member(group: str, username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def reviewer(roles):
    return _member("Reviewers", "reviewer")


@pytest.fixture
def reviewer2(roles):
    return _member("Reviewers", "reviewer2")


@pytest.fixture
def publisher(roles):
    return _member("Publishers", "publisher")


@pytest.fixture
def publisher2(roles):
    return _member("Publishers", "publisher2")


@pytest.fixture
def outsider(roles):
    return UserFactory(username="outsider", is_staff=True)


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
