"""Public pages of suggested edits and published changes: thin views over services."""

from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_http_methods

from codes.models import Code
from codes.selectors import published_changes
from codes.services import normalize_code

from . import services
from .forms import FIELD_LABELS, QuestionForm, SuggestForm
from .models import Question, Submission
from .origin import same_origin_post
from .workflow import WorkflowError

PRIVATE_HEADERS = {
    # Tracking pages carry a secret in their URL: keep it out of Referer headers,
    # search engines and shared caches.
    "Referrer-Policy": "same-origin",  # no-referrer made browsers send Origin: null
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "private, no-store",
}


def _private(response):
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    return response


@require_http_methods(["GET", "POST"])
def suggest(request, code):
    number = normalize_code(code)
    if number != code:
        return redirect("contributions:suggest", code=number, permanent=True)
    code_obj = get_object_or_404(Code.objects.for_page(), code=number)
    initial = SuggestForm.initial_for(code_obj)
    if request.method == "POST":
        form = SuggestForm(request.POST, initial=initial)
        if form.is_valid():
            if form.cleaned_data.get("website"):
                raise Http404  # a bot: say nothing useful
            try:
                submission, token = services.submission_create(
                    code=number,
                    base_revision=form.cleaned_data["base_revision"],
                    changes=form.changes_against(initial),
                    rationale=form.cleaned_data["rationale"],
                    sources=form.cleaned_data["sources"].split(),
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    user=request.user,
                )
            except ValidationError as exc:
                form.add_service_errors(exc.message_dict)
            else:
                return _private(
                    HttpResponseRedirect(
                        reverse("contributions:track-submission", args=[token]) + "?sent=1"
                    )
                )
    else:
        form = SuggestForm(initial=initial)
    return render(
        request,
        "contributions/suggest.html",
        {"code": code_obj, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def track_submission(request, token):
    try:
        submission = services.submission_by_token(token)
    except Submission.DoesNotExist:
        raise Http404("No suggestion has this tracking link.") from None
    if request.method == "POST":
        try:
            note = request.POST.get("note", "").replace("\x00", "")  # PostgreSQL refuses NUL
            services.submission_withdraw(token=token, note=note)
        except WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Your suggestion is withdrawn.")
        return _private(HttpResponseRedirect(request.path))
    tracking_url = request.build_absolute_uri(request.path)
    response = render(
        request,
        "contributions/track_submission.html",
        {
            "submission": submission,
            "changed_labels": [FIELD_LABELS.get(f, f) for f in submission.changes],
            "notes": submission.events.filter(is_public=True),
            "just_sent": request.GET.get("sent") == "1",
            "tracking_url": tracking_url,
        },
    )
    return _private(response)


def changes(request):
    paginator = Paginator(published_changes(), 30)
    page = paginator.get_page(request.GET.get("page"))
    for revision in page.object_list:
        revision.changed_labels = _labels(revision.changed_fields)
    return render(request, "contributions/changes.html", {"page": page})


def _labels(fields) -> str:
    return ", ".join(FIELD_LABELS.get(f, f.replace("_", " ")) for f in fields) or "updated"


class ChangesFeed(Feed):
    feed_type = Atom1Feed
    title = "CDT Codes — published changes"
    subtitle = "Corrections and updates published on the CDT Codes reference site."

    def link(self):
        return reverse("contributions:changes")

    def items(self):
        return published_changes()[:50]

    def item_title(self, item):
        return f"{item.code.code} revision {item.revision}: {_labels(item.changed_fields)}"

    def item_description(self, item):
        note = f" {item.note}" if item.note else ""
        return f"{item.code.code} {item.code.nomenclature}.{note}"

    def item_link(self, item):
        return item.code.get_absolute_url()

    def item_guid(self, item):
        return f"cdt-code-{item.code.code}-revision-{item.revision}"

    item_guid_is_permalink = False

    def item_updateddate(self, item):
        return item.published_at

    def item_pubdate(self, item):
        return item.published_at


# --- Billing questions ---------------------------------------------------------------


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
    return _private(
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
    return _private(response)
