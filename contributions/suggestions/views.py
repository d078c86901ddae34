"""Public pages of suggested edits: thin views over suggestions.services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from codes.models import FIELD_LABELS, Code
from codes.services import normalize_code
from contributions.core.errors import WorkflowError
from contributions.core.views import private

from . import services
from .forms import SuggestForm
from .models import Submission


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
                return private(
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
        return private(HttpResponseRedirect(request.path))
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
    return private(response)
