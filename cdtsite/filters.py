"""FilterSet pieces the API's lists share."""

from __future__ import annotations

import django_filters


class StrictFilterSet(django_filters.FilterSet):
    """A choice, yes/no or date filter sent empty (`?status=`) answers 400 naming it, and a
    yes/no filter takes `true` or `false` only.

    django-filter reads an empty value (and, for yes/no, `null` or `unknown`) as "no
    filter", but the schema lists the values such a parameter takes and those are not
    among them: leave the parameter out instead.
    """

    def is_valid(self) -> bool:
        valid = super().is_valid()
        if not self.is_bound:
            return valid
        for name, flt in self.filters.items():
            # Free text (a search, a slug) may be empty; a choice, a flag or a date may not.
            strict = not isinstance(
                flt, django_filters.CharFilter | django_filters.ModelChoiceFilter
            )
            if not strict or name not in self.data:
                continue
            value = str(self.data.get(name)).strip()
            if not value:
                self.form.add_error(name, "Give a value, or leave the parameter out.")
            elif isinstance(flt, django_filters.BooleanFilter) and value not in ("true", "false"):
                self.form.add_error(name, "true or false.")
        return not self.form.errors
