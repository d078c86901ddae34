"""factory_boy factories for the whole suite."""

import factory
from django.contrib.auth import get_user_model

from codes.models import Category, Code


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    range_start = "D0100"
    range_end = "D0999"


def code_make(number: str, *, category=None, related=(), **values) -> Code:
    """A code created the way the product creates one: through the service."""
    from codes.services import code_create

    values.setdefault("nomenclature", f"Procedure {number}")
    values.setdefault("descriptor", f"What {number} describes.")
    values["category"] = category or CategoryFactory()
    if related:
        values["related_codes"] = list(related)
    return code_create(code=number, values=values)
