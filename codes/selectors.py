"""Reads of the catalog that pages and the API share."""

from __future__ import annotations

import re

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from .models import Category, Code, CodeRevision

_number_re = re.compile(r"^d?(\d{1,4})$", re.IGNORECASE)
_word_re = re.compile(r"[\w’'-]+", re.UNICODE)


def code_search(queryset: QuerySet[Code], query: str, *, text_prefix: str = "") -> QuerySet[Code]:
    """Codes matching a visitor's search, best matches first.

    A number (`D0370`, `d0370`, `0370`, `037`) matches codes by number; words
    must all appear in the code, nomenclature or descriptor (any order, any case).
    `text_prefix="on_"` searches the text of the version on a date
    (`Code.objects.on(day)`'s annotations) rather than the latest one.
    """
    nomenclature, descriptor = f"{text_prefix}nomenclature", f"{text_prefix}descriptor"
    query = (query or "").strip()
    if not query:
        return queryset
    number = _number_re.match(query.replace(" ", ""))
    if number:
        digits = number.group(1)
        exact = f"D{digits.zfill(4)}"
        return (
            queryset.filter(Q(code=exact) | Q(code__startswith=f"D{digits}"))
            .annotate(search_rank=Case(When(code=exact, then=Value(0)), default=Value(1)))
            .order_by("search_rank", "code")
        )

    words = [w.strip("'’-") for w in _word_re.findall(query)]
    words = [w for w in words if w][:8]
    if not words:
        return queryset.none()
    condition = Q()
    for word in words:
        condition &= (
            Q(code__iexact=word)
            | Q(**{f"{nomenclature}__icontains": word})
            | Q(**{f"{descriptor}__icontains": word})
        )
    in_title = Q()
    for word in words:
        in_title &= Q(**{f"{nomenclature}__icontains": word})
    return (
        queryset.filter(condition)
        .annotate(
            search_rank=Case(
                When(in_title, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("search_rank", "code")
    )


def category_tree() -> list[Category]:
    """Top-level categories, each with `.subcategories` loaded (two queries)."""
    categories = list(Category.objects.all())
    by_parent: dict[int | None, list[Category]] = {}
    for category in categories:
        by_parent.setdefault(category.parent_id, []).append(category)
    for category in categories:
        category.subcategories = by_parent.get(category.pk, [])
    return by_parent.get(None, [])


def category_tree_count_codes(tree: list[Category]) -> int:
    """Set `.code_count` on each category of `category_tree()` (its own codes and its
    subcategories'), in one query; returns the total."""
    rows = Code.objects.order_by().values("category_id").annotate(count=Count("pk"))
    direct = {row["category_id"]: row["count"] for row in rows}

    def walk(categories: list[Category]) -> int:
        total = 0
        for category in categories:
            category.code_count = direct.get(category.pk, 0) + walk(category.subcategories)
            total += category.code_count
        return total

    return walk(tree)


def category_with_descendants(category: Category) -> list[int]:
    """Ids of a category and every category below it."""
    ids = [category.pk]
    frontier = [category.pk]
    while frontier:
        frontier = list(
            Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        ids.extend(frontier)
    return ids


def published_changes():
    """Revisions that changed a published code (not the first import of a code), newest first."""
    return (
        CodeRevision.objects.filter(revision__gt=1)
        .select_related("code")
        .order_by("-published_at", "-id")
    )
