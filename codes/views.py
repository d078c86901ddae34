"""The public, server-rendered catalog pages: home, code list and search, code page.

Every page costs a fixed number of queries whatever the size of the code set:
lists go through `Code.objects.for_listing()`, the code page through `.for_page()`.
"""

from __future__ import annotations

import re

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from . import findability, selectors
from .extensions import code_page_sections
from .models import CODE_PATTERN, Category, Code
from .services import normalize_code

PAGE_SIZE = 50
# Longer searches add nothing (code_search keeps eight words) but cost a regex over them.
QUERY_MAX_LENGTH = 200
_code_re = re.compile(CODE_PATTERN)
_slug_re = re.compile(r"^[-\w]+$")


def _param(request: HttpRequest, name: str, max_length: int = QUERY_MAX_LENGTH) -> str:
    # PostgreSQL refuses NUL in a string literal: drop it before it reaches a query.
    return request.GET.get(name, "").replace("\x00", "").strip()[:max_length]


def home(request: HttpRequest) -> HttpResponse:
    tree = selectors.category_tree()
    total = selectors.category_tree_count_codes(tree)
    return render(request, "codes/home.html", {"categories": tree, "code_total": total})


def code_list(request: HttpRequest) -> HttpResponse:
    query = _param(request, "q")
    slug = _param(request, "category")

    # The list never shows the long texts; leave them in the database.
    codes = Code.objects.for_listing().defer("descriptor", "body", "documentation", "billing_tips")
    category = None
    if slug:
        if not _slug_re.match(slug):
            raise Http404("No such category.")
        category = get_object_or_404(Category.objects.select_related("parent"), slug=slug)
        codes = codes.filter(category_id__in=selectors.category_with_descendants(category))
    if query:
        codes = selectors.code_search(codes, query)

    # get_page() turns a junk page number into the first page and one past the end
    # into the last, so no `?page=` value can fail.
    page = Paginator(codes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "codes/code_list.html",
        {
            "page_obj": page,
            "codes": page.object_list,
            "query": query,
            "category": category,
            "categories": selectors.category_tree(),
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
        },
    )


def code_detail(request: HttpRequest, code: str) -> HttpResponse:
    number = normalize_code(code)
    if not _code_re.match(number):
        raise Http404("No such CDT code.")
    if number != code:
        return redirect("codes:detail", code=number, permanent=True)
    code_obj = get_object_or_404(Code.objects.for_page(), code=number)
    sections = [
        ("when-to-use", "When to use it", code_obj.body),
        ("documentation", "What the chart must hold", code_obj.documentation),
        ("billing-tips", "Billing tips", code_obj.billing_tips),
    ]
    canonical = findability.code_canonical_url(request, code_obj)
    return render(
        request,
        "codes/code_detail.html",
        {
            "code": code_obj,
            "canonical_url": canonical,
            "defined_term": findability.code_defined_term(code_obj, url=canonical),
            "sections": [section for section in sections if section[2]],
            "missing_sections": [title for _, title, text in sections if not text],
            "related": list(code_obj.related_codes.all()),
            # What other apps add (questions and answers, the question form).
            "extra_sections": code_page_sections(request, code_obj),
        },
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The project's handler404: a real page with a search box, status 404."""
    return render(request, "404.html", {"query": ""}, status=404)
