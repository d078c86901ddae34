"""The experts' workplace: the questions queue, the question page and the response report.

Every change calls contributions.services; refusals become admin messages.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from cdtsite.admin import ReadOnlyAdminMixin

from . import selectors, services
from .admin_helpers import bulk_apply, error_message
from .charts import weekly_chart_svg
from .models import Question, QuestionEvent
from .workflow import ANSWER_Q, ASSIGN_Q, WorkflowError, ensure_question_transition

R = Question.ResponseStatus
REPORT_PERM = "contributions.view_response_report"
REPORT_DAYS = 28
REPORT_MAX_DAYS = 731


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours >= 48:
        return f"{hours / 24:.0f} d"
    if hours >= 1:
        return f"{hours:.0f} h"
    return f"{max(1, round(hours * 60))} min"


def _short(moment) -> str:
    return timezone.localtime(moment).strftime("%b %d, %H:%M")


def due_relative(question: Question, now=None) -> str:
    """“due in 5 h” / “3 h overdue” for a waiting question; "" otherwise."""
    if not question.is_waiting:
        return ""
    now = now or timezone.now()
    if question.due_at >= now:
        return f"due in {_hours(question.due_at - now)}"
    return f"{_hours(now - question.due_at)} overdue"


class ResponseStatusFilter(admin.SimpleListFilter):
    """Filters on the SQL annotation of QuestionQuerySet.with_response_status()."""

    title = "response status"
    parameter_name = "response"

    def lookups(self, request, model_admin):
        return R.choices

    def queryset(self, request, queryset):
        if self.value() in R.values:
            return queryset.filter(response_status=self.value())
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = "assignee"
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        return [("mine", "Mine"), ("none", "Unassigned")] + [
            (str(user.pk), user.get_username()) for user in selectors.experts()
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "mine":
            return queryset.filter(assigned_to=request.user)
        if value == "none":
            return queryset.filter(assigned_to__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assigned_to_id=int(value))
        return queryset


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label="Expert")

    def __init__(self, *args, exclude=None, **kwargs):
        super().__init__(*args, **kwargs)
        experts = selectors.experts()
        if exclude is not None:
            experts = experts.exclude(pk=exclude)
        self.fields["assignee"].queryset = experts
        self.fields["assignee"].label_from_instance = lambda user: user.get_username()


class ReportForm(forms.Form):
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise ValidationError("The start date must not be after the end date.")
            if (end - start).days >= REPORT_MAX_DAYS:
                raise ValidationError(f"Choose a period of at most {REPORT_MAX_DAYS} days.")
        return data


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "subject",
        "code_number",
        "status",
        "response_badge",
        "assigned_to",
        "received",
        "due",
    )
    list_display_links = ("id", "subject")
    list_filter = (ResponseStatusFilter, "status", AssigneeFilter)
    search_fields = ("subject", "body", "code__code")
    ordering = ("due_at", "id")
    list_per_page = 50
    actions = ("assign_to_me", "assign_to_expert", "mark_spam")

    # All changes go through the services: no add, edit or delete forms.

    def get_ordering(self, request):
        # Waiting questions first (answered and closed ones sink), each group soonest due first.
        waiting_first = Case(
            When(status__in=Question.WAITING_STATUSES, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return (waiting_first.asc(), "due_at", "id")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_response_status()
            .select_related("code", "assigned_to")
        )

    @admin.display(description="code", ordering="code__code")
    def code_number(self, obj):
        return obj.code.code if obj.code else ""

    @admin.display(description="response", ordering="response_status")
    def response_badge(self, obj):
        status = getattr(obj, "response_status", "")
        if not status:
            return ""
        # Colours: templates/admin/contributions/question/badge_styles.html
        return format_html(
            '<span class="response-badge response-{}">{}</span>', status, R(status).label
        )

    @admin.display(description="received", ordering="received_at")
    def received(self, obj):
        return _short(obj.received_at)

    @admin.display(description="due", ordering="due_at")
    def due(self, obj):
        relative = due_relative(obj)
        if not relative:
            return _short(obj.due_at)
        return format_html(
            '{}<br><span class="due-relative">{}</span>', _short(obj.due_at), relative
        )

    def changelist_view(self, request, extra_context=None):
        counts = selectors.queue_counts()
        base = reverse("admin:contributions_question_changelist")
        extra_context = {
            **(extra_context or {}),
            "queue_counts": counts,
            "overdue_url": f"{base}?response={R.OVERDUE}",
            "at_risk_url": f"{base}?response={R.AT_RISK}",
            "unassigned_url": f"{base}?assignee=none&status__exact={Question.Status.NEW}",
            "mine_url": f"{base}?assignee=mine",
            "report_url": (
                reverse("admin:contributions_question_report")
                if request.user.has_perm(REPORT_PERM)
                else ""
            ),
        }
        return super().changelist_view(request, extra_context=extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm(ANSWER_Q):
            actions.pop("assign_to_me", None)
            actions.pop("mark_spam", None)
        if not request.user.has_perm(ASSIGN_Q):
            actions.pop("assign_to_expert", None)
        return actions

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "report/",
                self.admin_site.admin_view(self.report_view),
                name=f"{info[0]}_{info[1]}_report",
            ),
            path(
                "<int:pk>/act/<str:action>/",
                self.admin_site.admin_view(self.action_view),
                name=f"{info[0]}_{info[1]}_act",
            ),
            *super().get_urls(),
        ]

    # --- The question page ---------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        question = get_object_or_404(
            Question.objects.with_response_status().select_related(
                "code", "assigned_to", "answered_by"
            ),
            pk=object_id,
        )
        if not self.has_view_permission(request, question):
            raise PermissionDenied
        return self._question_page(request, question)

    def _question_page(self, request, question, *, answer_text: str = ""):
        user = request.user
        possible = _actions_for(question, user)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Question #{question.pk}: {question.subject}",
            "question": question,
            "response_label": R(question.response_status).label if question.response_status else "",
            "due_relative": due_relative(question),
            "events": question.events.all(),
            "actions": possible,
            "assign_form": (
                AssignForm(exclude=question.assigned_to_id) if "assign" in possible else None
            ),
            "answer_text": answer_text,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/contributions/question/question.html", context)

    def action_view(self, request, pk, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        page = reverse("admin:contributions_question_change", args=[pk])
        queue = reverse("admin:contributions_question_changelist")
        user = request.user
        try:
            if action == "claim":
                services.question_assign(question_id=pk, actor=user)
                done, then = "assigned to you", page
            elif action == "assign":
                form = AssignForm(request.POST)
                if not form.is_valid():
                    messages.error(request, "Pick an expert to assign the question to.")
                    return HttpResponseRedirect(page)
                assignee = form.cleaned_data["assignee"]
                services.question_assign(question_id=pk, actor=user, assignee=assignee)
                done, then = f"assigned to {assignee.get_username()}", page
            elif action == "answer":
                services.question_answer(
                    question_id=pk, actor=user, answer=request.POST.get("answer", "")
                )
                done, then = "answered", queue
            elif action == "close":
                services.question_close(question_id=pk, actor=user)
                done, then = "closed", queue
            elif action == "spam":
                services.question_mark_spam(question_id=pk, actor=user)
                done, then = "marked as spam", queue
            elif action in ("publish", "unpublish"):
                services.question_publish(question_id=pk, actor=user, publish=action == "publish")
                done, then = f"{action}ed", page
            else:
                messages.error(request, f"Unknown action “{action}”.")
                return HttpResponseRedirect(page)
        except Question.DoesNotExist:
            messages.error(request, f"Question #{pk} does not exist.")
            return HttpResponseRedirect(queue)
        except (WorkflowError, ValidationError) as exc:
            messages.error(request, error_message(exc))
            if action == "answer":
                # Show the page again with the text kept, rather than lose a written answer.
                question = get_object_or_404(Question.objects.with_response_status(), pk=pk)
                return self._question_page(
                    request, question, answer_text=request.POST.get("answer", "")
                )
            return HttpResponseRedirect(page)
        messages.success(request, f"Question #{pk} {done}.")
        return HttpResponseRedirect(then)

    # --- Bulk actions ------------------------------------------------------------------

    @admin.action(description="Assign the selected questions to me")
    def assign_to_me(self, request, queryset):
        bulk_apply(
            request,
            queryset,
            noun="question",
            done="assigned to you",
            call=lambda q: services.question_assign(question_id=q.pk, actor=request.user),
        )

    @admin.action(description="Assign the selected questions to an expert…")
    def assign_to_expert(self, request, queryset):
        if "apply" in request.POST:
            form = AssignForm(request.POST)
            if form.is_valid():
                assignee = form.cleaned_data["assignee"]
                bulk_apply(
                    request,
                    queryset,
                    noun="question",
                    done=f"assigned to {assignee.get_username()}",
                    call=lambda q: services.question_assign(
                        question_id=q.pk, actor=request.user, assignee=assignee
                    ),
                )
                return None
        else:
            form = AssignForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Assign questions",
            "queryset": queryset,
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/contributions/question/assign_selected.html", context
        )

    @admin.action(description="Mark the selected questions as spam")
    def mark_spam(self, request, queryset):
        bulk_apply(
            request,
            queryset,
            noun="question",
            done="marked as spam",
            call=lambda q: services.question_mark_spam(question_id=q.pk, actor=request.user),
        )

    # --- The response-time report ------------------------------------------------------

    def report_view(self, request):
        if not request.user.has_perm(REPORT_PERM):
            raise PermissionDenied
        today = timezone.localdate()
        default = {"start": today - timedelta(days=REPORT_DAYS - 1), "end": today}
        form = ReportForm(request.GET if request.GET else None, initial=default)
        report = weeks = chart = None
        if not request.GET or form.is_valid():
            period = form.cleaned_data if request.GET else default
            report = selectors.response_report(start=period["start"], end=period["end"])
            weeks = selectors.weekly_response_numbers(start=period["start"], end=period["end"])
            chart = weekly_chart_svg(
                weeks,
                title=f"Questions per ISO week, {period['start']:%Y-%m-%d} to "
                f"{period['end']:%Y-%m-%d}",
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Response-time report",
            "form": form,
            "report": report,
            "weeks": weeks,
            "chart": chart,
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "admin/contributions/question/report.html", context)


def _actions_for(question: Question, user) -> set[str]:
    """The actions `user` may take on `question` now, asked of the workflow rules."""
    possible = set()
    checks = {
        "claim": {"action": "assign"},
        "answer": {"action": "answer"},
        "close": {"action": "close"},
        "spam": {"action": "spam"},
    }
    for name, kwargs in checks.items():
        try:
            ensure_question_transition(question, actor=user, **kwargs)
        except WorkflowError:
            continue
        possible.add(name)
    if user.has_perm(ASSIGN_Q) and question.is_waiting:
        possible.add("assign")
    if user.has_perm(ANSWER_Q):
        if question.is_published:
            possible.add("unpublish")
        elif (
            question.status in (Question.Status.ANSWERED, Question.Status.CLOSED)
            and question.publish_consent
            and question.code_id is not None
        ):
            possible.add("publish")
    return possible


@admin.register(QuestionEvent)
class QuestionEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("question", "from_status", "to_status", "actor_label", "created_at")
    list_filter = ("to_status",)
    readonly_fields = [f.name for f in QuestionEvent._meta.fields]
