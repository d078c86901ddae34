"""Pieces the suggestions' and the questions' admins share."""

import re

from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse

from codes.models import CODE_PATTERN

from .errors import WorkflowError

_code_re = re.compile(CODE_PATTERN)


def error_message(exc: Exception) -> str:
    """A workflow or validation error as one line for an admin message."""
    if isinstance(exc, WorkflowError):
        return exc.message
    if hasattr(exc, "message_dict"):
        return " ".join(m for messages_ in exc.message_dict.values() for m in messages_)
    return " ".join(exc.messages)


# "My queue" counts stop here: an exact count of a million open suggestions took 210 ms
# of every admin page, and past this many the number changes no one's next step.
QUEUE_COUNT_CAP = 1000


def queue_count(queryset) -> dict:
    """The size of a queue for the admin's header, counted up to the cap ("1,000+")."""
    cap = QUEUE_COUNT_CAP
    count = queryset[: cap + 1].count()
    return {"count": count, "shown": f"{cap:,}+" if count > cap else f"{count:,}"}


def bulk_apply(request, queryset, *, noun: str, done: str, call) -> None:
    """Each row on its own: one refusal does not stop the others; then one summary."""
    ok, refused = 0, []
    for row in queryset.order_by("pk"):
        try:
            call(row)
        except (WorkflowError, ValidationError) as exc:
            refused.append(f"#{row.pk}: {error_message(exc)}")
        else:
            ok += 1
    if ok:
        messages.success(request, f"{ok} {noun}(s) {done}.")
    if refused:
        messages.warning(request, f"{len(refused)} refused — " + "; ".join(refused))


def code_number_term(search_term: str) -> str | None:
    """ "d0370 " → "D0370": a search for a code number is an exact, indexed lookup."""
    term = search_term.strip().upper()
    return term if _code_re.fullmatch(term) else None


def bulk_form_action(model_admin, request, queryset, *, form_class, title, template, apply):
    """A bulk action that first asks for one value (a reason, an expert): show the form,
    then, once it is valid, `apply(cleaned_data)` to the selected rows."""
    if "apply" in request.POST:
        form = form_class(request.POST)
        if form.is_valid():
            apply(form.cleaned_data)
            return None
    else:
        form = form_class()
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        "queryset": queryset,
        "form": form,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, template, context)
