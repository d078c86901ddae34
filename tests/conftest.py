import pytest

from codes.categories import categories_ensure
from codes.models import Category


@pytest.fixture
def categories(db):
    """The shipped categories (a transactional test's flush removes the migration's)."""
    categories_ensure(Category)
    return {c.slug: c for c in Category.objects.all()}


@pytest.fixture
def imaging(categories):
    return categories["diagnostic-imaging"]


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from cdtsite.throttling import reset_local_state

    cache.clear()
    reset_local_state()  # the throttle's per-process counters (used without Redis)
    yield


@pytest.fixture
def roles(db):
    from contributions.roles import roles_setup

    roles_setup()


def staff_member(group: str | None, username: str):
    """A staff user (password "pw") in `group`, made the way an operator would."""
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    user = UserFactory(username=username, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def reviewer(roles):
    return staff_member("Reviewers", "reviewer")


@pytest.fixture
def reviewer2(roles):
    return staff_member("Reviewers", "reviewer2")


@pytest.fixture
def publisher(roles):
    return staff_member("Publishers", "publisher")


@pytest.fixture
def publisher2(roles):
    return staff_member("Publishers", "publisher2")


@pytest.fixture
def outsider(roles):
    """Staff, but in no group."""
    return staff_member(None, "outsider")


@pytest.fixture
def expert(roles):
    return staff_member("Experts", "expert")


@pytest.fixture
def expert2(roles):
    return staff_member("Experts", "expert2")


@pytest.fixture
def lead(roles):
    return staff_member("Expert leads", "lead")
