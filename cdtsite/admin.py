"""Admin pieces shared by the apps."""

import re

from codes.models import CODE_PATTERN

from .pagination import EstimatedCountPaginator

_code_re = re.compile(CODE_PATTERN)


class ReadOnlyAdminMixin:
    """No add, change or delete forms: these rows change only through the services
    (workflow transitions, the revision service) or never (audit logs)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LargeListAdminMixin:
    """For lists of millions of rows: no COUNT(*) over the whole table on each view.

    The count is the planner's estimate once a result is large, there is no second,
    unfiltered count, and paging stops at a bounded depth (cdtsite.pagination).
    """

    paginator = EstimatedCountPaginator
    show_full_result_count = False


def code_number_term(search_term: str) -> str | None:
    """ "d0370 " → "D0370": a search for a code number is an exact, indexed lookup."""
    term = search_term.strip().upper()
    return term if _code_re.fullmatch(term) else None


def id_term(search_term: str) -> int | None:
    """ "#123" or "123" → 123: a search for a row's number is a primary-key lookup."""
    term = search_term.strip().removeprefix("#")
    return int(term) if term.isdigit() and len(term) < 19 else None
