"""Public pages of billing questions: ask (code page, contact page) and track."""

import functools

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from codes.models import Code
from codes.rendering import Memo
from codes.services import normalize_code
from contributions.core.origin import same_origin_post
from contributions.core.views import private

from . import services
from .forms import QuestionForm
from .models import Question


def _question_from_form(request, form, *, code=None, source) -> HttpResponseRedirect | None:
    """Create the question from a valid form; None (with errors on the form) if refused."""
    if form.cleaned_data.get("website"):
        raise Http404  # a bot
    try:
        _question, token = services.question_create(
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            code=code if code is not None else form.cleaned_data.get("code"),
            publish_consent=form.cleaned_data["publish_consent"],
            source=source,
        )
    except ValidationError as exc:
        form.add_service_errors(exc.message_dict)
        return None
    return private(
        HttpResponseRedirect(reverse("contributions:track-question", args=[token]) + "?sent=1")
    )


@same_origin_post
@require_http_methods(["POST"])
def ask_on_code(request, code):
    """The comments form on a code page. The page itself carries no CSRF token so
    caches may share it; the origin check stands in for it."""
    code_obj = get_object_or_404(Code, code=normalize_code(code))
    form = QuestionForm(request.POST)
    if form.is_valid():
        response = _question_from_form(
            request, form, code=code_obj.code, source=Question.Source.CODE_PAGE
        )
        if response is not None:
            return response
    return render(request, "contributions/ask.html", {"form": form, "code": code_obj}, status=400)


@require_http_methods(["GET", "POST"])
def contact(request):
    if request.method == "POST":
        form = QuestionForm(request.POST)
        if form.is_valid():
            response = _question_from_form(request, form, source=Question.Source.CONTACT)
            if response is not None:
                return response
        status = 400
    else:
        form = QuestionForm(initial={"code": request.GET.get("code", "")[:10]})
        status = 200
    return render(request, "contributions/ask.html", {"form": form, "code": None}, status=status)


def track_question(request, token):
    try:
        question = services.question_by_token(token)
    except Question.DoesNotExist:
        raise Http404("No question has this tracking link.") from None
    response = render(
        request,
        "contributions/track_question.html",
        {
            "question": question,
            "just_sent": request.GET.get("sent") == "1",
            "tracking_url": request.build_absolute_uri(request.path),
        },
    )
    return private(response)


_SHOWN = ("pk", "subject", "body", "answer", "answered_at")


def code_page_questions(request, code: Code) -> dict:
    """The code page's questions section: answers the askers agreed to show (never their
    name or email), and the form to ask one."""
    published = (
        Question.objects.filter(code=code, is_published=True)
        .order_by("-answered_at")
        .values_list(*_SHOWN)[:30]
    )
    return {
        "questions_html": _question_list_html((code.code, tuple(published))),
        "form_fields": _code_page_form_fields(),
    }


def _question_list_render(key: tuple) -> str:
    number, rows = key
    questions = [dict(zip(_SHOWN, row, strict=True)) for row in rows]
    return render_to_string(
        "contributions/includes/code_question_list.html",
        {"number": number, "questions": questions},
    )


def _rows_chars(key: tuple) -> int:
    return sum(len(row[1]) + len(row[2]) + len(row[3]) for row in key[1])


# The same answers are read on every uncached view of the page: keyed by the rows
# themselves (read on every view), so an edit or a new answer is a new key.
_question_list_html = Memo(_question_list_render, max_chars=4_000_000, size=_rows_chars)


@functools.cache
def _code_page_form_fields() -> str:
    """The blank form is the same on every code page (no CSRF token, no code field):
    rendered once per process instead of on every uncached page."""
    return render_to_string(
        "contributions/includes/question_fields.html", {"form": QuestionForm(), "code": True}
    )
