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

    cache.clear()
    yield
