"""django-filter FilterSets for the catalog API."""

from __future__ import annotations

import datetime
import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from .models import Category, Code
from .selectors import category_with_descendants, code_search

# "+01:00" in a URL that was not percent-encoded arrives as " 01:00".
_decoded_plus_re = re.compile(r"(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


class IsoDateOrDateTimeField(forms.Field):
    """An ISO 8601 date (midnight, site time) or date and time (site time if no offset)."""

    default_error_messages = {
        "invalid": (
            "“%(value)s” is not an ISO 8601 date or date and time, "
            "like 2025-01-31 or 2025-01-31T09:00:00Z."
        ),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = _decoded_plus_re.sub(r"\1+\2", str(value).strip())
        try:
            if len(text) == 10:
                parsed = datetime.datetime.combine(
                    datetime.date.fromisoformat(text), datetime.time.min
                )
            else:
                parsed = datetime.datetime.fromisoformat(text)
            if timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed)
            # Far-off offsets near year 1 or 9999 cannot be stored as UTC.
            parsed.astimezone(datetime.UTC)
        except (ValueError, OverflowError):
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from None
        return parsed


@extend_schema_field(
    {
        "type": "string",
        "description": (
            "Codes changed at or after this moment: an ISO 8601 date (midnight, site time) "
            "or date and time (site time unless it carries an offset), "
            "e.g. `2025-01-31` or `2025-01-31T09:00:00Z`."
        ),
        "example": "2025-01-31",
    }
)
class IsoDateOrDateTimeFilter(django_filters.Filter):
    field_class = IsoDateOrDateTimeField


class CategorySlugField(forms.ModelChoiceField):
    default_error_messages = {
        "invalid_choice": "Unknown category “%(value)s”: use a slug from /api/categories/.",
    }

    def to_python(self, value):
        # Reject what cannot be a slug before it reaches the database (e.g. NUL bytes).
        if value not in self.empty_values and not slug_re.match(str(value)):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class CategorySlugFilter(django_filters.ModelChoiceFilter):
    field_class = CategorySlugField


class CodeFilter(django_filters.FilterSet):
    category = CategorySlugFilter(
        queryset=Category.objects.all(),
        to_field_name="slug",
        method="filter_category",
        help_text=(
            "A category's slug (see /api/categories/); a category includes its subcategories."
        ),
    )
    # On the version in force on the date asked (see CodeQuerySet.on).
    status = django_filters.ChoiceFilter(
        field_name="on_status",
        choices=Code.Status.choices,
        help_text="`active` or `deleted` (on the date asked with `on`, default today).",
        error_messages={
            "invalid_choice": (
                f"“%(value)s” is not a status: use {' or '.join(Code.Status.values)}."
            )
        },
    )
    q = django_filters.CharFilter(
        method="filter_q",
        help_text=(
            "A code number (`D0370`, `d0370`, `0370`) or words that must all appear in the code, "
            "nomenclature or descriptor. Results come best match first."
        ),
    )
    changed_since = IsoDateOrDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Code
        fields = ("category", "status", "q", "changed_since")

    def filter_category(self, queryset: QuerySet[Code], name: str, value: Category):
        return queryset.filter(category_id__in=category_with_descendants(value))

    def filter_q(self, queryset: QuerySet[Code], name: str, value: str):
        return code_search(queryset, value, text_prefix="on_")
