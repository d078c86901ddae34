"""Paging that costs the same on the first page and the last, at any table size.

Staff queues grow without end: a COUNT(*) over them, or an OFFSET deep into them, reads
every row each time a page opens. The API pages by keyset (cursor) and never counts; the
admin counts by the planner's estimate once a result is large, and stops paging at a
bounded depth (filters and search narrow a queue, nobody reads page 10,000).
"""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property
from rest_framework import exceptions
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import CursorPagination

# --- The API ---------------------------------------------------------------------------


class KeysetPagination(CursorPagination):
    """Keyset pages over the view's ordering: `?cursor=` from `next` / `previous`.

    No count, no OFFSET: each page is an index range scan of `page_size` rows. A
    malformed cursor answers 404 (DRF's "Invalid cursor"); a bad `page_size`, or a
    `page` number, which this pagination does not have, answers 400 naming the parameter.
    """

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = ("created_at", "id")

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {"page_size": [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        if "page" in request.query_params:
            raise exceptions.ValidationError(
                {"page": ["This list pages by cursor: follow the `next` and `previous` links."]}
            )
        return super().paginate_queryset(queryset, request, view)


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=` on the view's `ordering_fields` only; anything else answers 400.

    DRF's own filter ignores an unknown field, so a client never learns its order was
    not applied. The view's last ordering term (a unique tie-break such as `id`) follows
    the chosen field in the same direction, so keyset pages stay stable.
    """

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        default = tuple(getattr(view, "ordering", ()))
        if not raw:
            return default
        allowed = list(view.ordering_fields)
        terms = [t.strip() for t in raw.split(",") if t.strip()]
        if len(terms) != 1 or terms[0].lstrip("-") not in allowed:
            choices = ", ".join(f"{f}, -{f}" for f in allowed)
            raise exceptions.ValidationError({self.ordering_param: [f"One of: {choices}."]})
        term = terms[0]
        tie = default[-1].lstrip("-") if default else "pk"
        return (term, f"-{tie}" if term.startswith("-") else tie)

    def get_schema_operation_parameters(self, view):
        fields = list(view.ordering_fields)
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Sort order; anything else answers 400.",
                "schema": {
                    "type": "string",
                    "enum": [v for f in fields for v in (f, f"-{f}")],
                },
            }
        ]


# --- The admin -------------------------------------------------------------------------


def planner_rows(queryset) -> int | None:
    """PostgreSQL's estimate of how many rows the queryset returns (None elsewhere)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """The admin's paginator for tables of millions of rows.

    Below `exact_below` estimated rows it counts exactly (cheap: few rows); above, it
    shows the planner's estimate (pg_class statistics for a whole table), so opening a
    queue never counts a million rows. Pages stop at `max_pages`: OFFSET reads every
    row it skips, and a deeper page is better reached by a filter or a search.
    Pair with ModelAdmin.show_full_result_count = False (no second, unfiltered count).
    """

    exact_below = 10_000
    max_pages = 200

    @cached_property
    def count(self) -> int:
        estimate = planner_rows(self.object_list)
        if estimate is not None and estimate >= self.exact_below:
            return estimate
        return super().count

    @cached_property
    def num_pages(self) -> int:
        return min(Paginator.num_pages.func(self), self.max_pages)
