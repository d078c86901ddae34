"""Admin pieces shared by the apps."""

from .pagination import EstimatedCountPaginator


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


def id_term(search_term: str) -> int | None:
    """ "#123" or "123" → 123: a search for a row's number is a primary-key lookup."""
    term = search_term.strip().removeprefix("#")
    return int(term) if term.isdigit() and len(term) < 19 else None
