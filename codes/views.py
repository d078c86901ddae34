"""The public, server-rendered catalog pages: home, code list and search, code page.

Every page costs a fixed number of queries whatever the size of the code set:
lists go through `Code.objects.for_listing()`, the code page through `.for_page()`.
"""

from __future__ import annotations

import re

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from . import findability, selectors
from .extensions import code_page_sections
from .forms import ClaimCheckForm
from .history import REVISIONS_SHOWN, CompareError, code_history, side_load, sides_diff
from .models import CODE_PATTERN, Category, Code, CodeRevision, CodeVersion
from .services import normalize_code
from .validation import claim_lines_check
from .versions import CodeNotInForce, code_on, day_parse, edition_schedule, today

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


def _day_asked(request: HttpRequest) -> tuple:
    """(date of service, asked?, error message or "") from `?on=`; default today."""
    raw = _param(request, "on", 40)
    if not raw:
        return today(), False, ""
    try:
        return day_parse(raw), True, ""
    except ValueError as exc:
        return None, True, f"on: {exc}"


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "codes/bad_request.html", {"message": message}, status=400)


def code_detail(request: HttpRequest, code: str) -> HttpResponse:
    number = normalize_code(code)
    if not _code_re.match(number):
        raise Http404("No such CDT code.")
    if number != code:
        return redirect(
            f"{reverse('codes:detail', args=[number])}{_query(request)}", permanent=True
        )
    day, asked, error = _day_asked(request)
    if error:
        return _bad_request(request, error)
    try:
        code_obj = code_on(number, day, deleted_ok=not asked, page=True)
    except CodeNotInForce as exc:
        if not exc.span.known and not asked:
            raise Http404("No such CDT code.") from None
        return render(
            request,
            "codes/code_not_in_force.html",
            {"number": number, "day": day, "asked": asked, "error": exc, "span": exc.span},
            status=404,
        )
    related = [item.show_version() for item in code_obj.related_codes.all()]
    sections = [
        ("when-to-use", "When to use it", code_obj.body),
        ("documentation", "What the chart must hold", code_obj.documentation),
        ("billing-tips", "Billing tips", code_obj.billing_tips),
    ]
    versions = list(CodeVersion.objects.filter(code=code_obj).order_by("valid_from"))
    revisions = list(
        CodeRevision.objects.filter(code=code_obj)
        .only("revision", "published_at", "changed_fields", "note", "code_id")
        .order_by("-revision")[:REVISIONS_SHOWN]
    )
    canonical = findability.code_canonical_url(request, code_obj)
    return render(
        request,
        "codes/code_detail.html",
        {
            "code": code_obj,
            # Once here rather than in each history entry's links.
            "code_url": code_obj.get_absolute_url(),
            "compare_url": reverse("codes:compare", args=[code_obj.code]),
            "day": day,
            "asked": asked,
            "canonical_url": canonical,
            "defined_term": findability.code_defined_term(code_obj, url=canonical),
            "sections": [section for section in sections if section[2]],
            "missing_sections": [title for _, title, text in sections if not text],
            "related": related,
            "history": code_history(
                code_obj, versions, revisions, current_edition=code_obj.cdt_edition
            ),
            # What other apps add (questions and answers, the question form).
            "extra_sections": code_page_sections(request, code_obj),
        },
    )


def code_compare(request: HttpRequest, code: str) -> HttpResponse:
    """Two versions of a code side by side, with a word-level diff (see codes.history)."""
    number = normalize_code(code)
    if not _code_re.match(number):
        raise Http404("No such CDT code.")
    code_obj = get_object_or_404(Code, code=number)
    schedule = edition_schedule()
    versions = list(CodeVersion.objects.filter(code=code_obj).order_by("valid_from"))
    revisions = list(
        CodeRevision.objects.filter(code=code_obj)
        .only("revision", "published_at", "changed_fields", "note", "code_id")
        .order_by("-revision")
    )
    current = schedule.edition_of(today())
    history = code_history(code_obj, versions, revisions, current_edition=current)
    choices = [(entry.token, entry.title) for entry in history if entry.token]
    a, b = _param(request, "a", 20), _param(request, "b", 20)
    if not a and not b and len(choices) > 1:
        b, a = choices[0][0], choices[1][0]
    context = {"code": code_obj, "choices": choices, "a": a, "b": b, "rows": None}
    if a and b:
        try:
            side_a = side_load(code_obj, a, "a", schedule)
            side_b = side_load(code_obj, b, "b", schedule)
        except CompareError as exc:
            context["error"] = str(exc)
            return render(request, "codes/code_compare.html", context, status=exc.status)
        context.update(side_a=side_a, side_b=side_b, rows=sides_diff(side_a, side_b))
    elif a or b:
        context["error"] = f"{'b' if a else 'a'}: choose a second version to compare with."
        return render(request, "codes/code_compare.html", context, status=400)
    return render(request, "codes/code_compare.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def claim_check(request: HttpRequest) -> HttpResponse:
    """Paste a claim's codes and a date of service; each line says whether it is valid.
    A normal Django form with a CSRF token: this page is not shared by caches."""
    results = None
    if request.method == "POST":
        form = ClaimCheckForm(request.POST)
        if form.is_valid():
            results = claim_lines_check(
                day=form.cleaned_data["date_of_service"], codes=form.cleaned_data["codes"]
            )
    else:
        form = ClaimCheckForm(initial={"date_of_service": today()})
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request, "codes/claim_check.html", {"form": form, "results": results}, status=status
    )


def _query(request: HttpRequest) -> str:
    query = request.META.get("QUERY_STRING", "")
    return f"?{query}" if query else ""


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The project's handler404: a real page with a search box, status 404."""
    return render(request, "404.html", {"query": ""}, status=404)
