"""The experts' workplace: the questions queue and the question page.

Every change is a row of questions.workflow's table, run through questions.services;
refusals become admin messages. The response-time report is in questions.admin_report.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from cdtsite.admin import LargeListAdminMixin, ReadOnlyAdminMixin, id_term
from contributions.core.admin import (
    bulk_apply,
    bulk_form_action,
    code_number_term,
    error_message,
    queue_count,
)
from contributions.core.errors import WorkflowError

from . import selectors, services
from .admin_report import REPORT_PERM, ReportViewMixin
from .models import WAITING_FIRST, Question, QuestionEvent
from .queue import response_status_q
from .workflow import ACTIONS, ANSWER_Q, ASSIGN_Q, question_actions_available

R = Question.ResponseStatus


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
    """The response statuses of QuestionQuerySet.with_response_status(), as filters."""

    title = "response status"
    parameter_name = "response"

    def lookups(self, request, model_admin):
        return R.choices

    def queryset(self, request, queryset):
        if self.value() in R.values:
            # Plain predicates on indexed columns, not the annotation (a scan of every row).
            return queryset.filter(response_status_q(self.value()))
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


class QueueFilter(admin.SimpleListFilter):
    title = "queue"  # the admin shows "By queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("waiting", "Waiting for me"), ("at_risk", "Mine at risk (past target)")]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(pk__in=selectors.questions_waiting_for(request.user))
        if self.value() == "at_risk":
            return queryset.filter(pk__in=selectors.questions_at_risk_for(request.user))
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


@admin.register(Question)
class QuestionAdmin(LargeListAdminMixin, ReportViewMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
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
    list_filter = (QueueFilter, ResponseStatusFilter, "status", AssigneeFilter)
    # A code number or #id is an exact lookup (get_search_results); words match these
    # fields through their trigram indexes.
    search_fields = ("subject", "body")
    ordering = ("due_at", "id")
    list_per_page = 50
    actions = ("assign_to_me", "assign_to_expert", "mark_spam")
    index_order = 20  # after suggestions, before the audit trails: see cdtsite.admin_site

    # All changes go through the services: no add, edit or delete forms.

    def get_ordering(self, request):
        # Waiting questions first (answered and closed ones sink), each group soonest due
        # first: the expression of question_queue_order_idx, so the index serves it.
        return (WAITING_FIRST.asc(), "due_at", "id")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_response_status()
            .select_related("code", "assigned_to")
        )

    def get_search_results(self, request, queryset, search_term):
        if code := code_number_term(search_term):
            return queryset.filter(code__code=code), False
        if (pk := id_term(search_term)) is not None:
            return queryset.filter(pk=pk), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="code", ordering="code__code")
    def code_number(self, obj):
        return obj.code.code if obj.code else ""

    @admin.display(description="response", ordering="response_status")
    def response_badge(self, obj):
        status = getattr(obj, "response_status", "")
        if not status:
            return ""
        # Colours: static/contributions/admin.css
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
            "my_queue": [
                {
                    "label": label,
                    **queue_count(found),
                    "url": f"{base}?queue={key}",
                    "key": key,
                }
                for key, label, found in (
                    ("waiting", "waiting for me", selectors.questions_waiting_for(request.user)),
                    ("at_risk", "of mine at risk", selectors.questions_at_risk_for(request.user)),
                )
            ],
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
            *self.report_urls(),
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
        possible = {action.name for action in question_actions_available(question, user)}
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
            # Publishing is offered with the answer when the asker agreed to it.
            "can_publish_with_answer": (
                "answer" in possible
                and question.publish_consent
                and question.code_id is not None
                and not question.is_published
            ),
            "styles": {row.name: row.style for row in ACTIONS.rows},
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/contributions/question/question.html", context)

    # Where each action leaves the expert: on the page while there is more to do there
    # (after claiming, the answer); otherwise on the next question in their queue.
    STAY_ON_PAGE = ("claim", "publish", "unpublish")

    def action_view(self, request, pk, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        page = reverse("admin:contributions_question_change", args=[pk])
        queue = reverse("admin:contributions_question_changelist")
        if action not in ACTIONS.names(staff=True):
            messages.error(request, f"Unknown action “{action}”.")
            return HttpResponseRedirect(page)
        data = {"answer": request.POST.get("answer", ""), "note": request.POST.get("note", "")}
        done = ACTIONS.first(action).past
        if action == "assign":
            form = AssignForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Pick an expert to assign the question to.")
                return HttpResponseRedirect(page)
            data["assignee"] = form.cleaned_data["assignee"]
            done = f"assigned to {data['assignee'].get_username()}"
        elif action == "claim":
            done = "assigned to you"
        publish = action == "answer" and bool(request.POST.get("publish"))
        try:
            # Answer and publish as one step: both or neither (two rows of the table).
            with transaction.atomic():
                question = ACTIONS.call(services, name=action, pk=pk, actor=request.user, data=data)
                if publish:
                    question = ACTIONS.call(
                        services, name="publish", pk=pk, actor=request.user, data={}
                    )
        except Question.DoesNotExist:
            messages.error(request, f"Question #{pk} does not exist.")
            return HttpResponseRedirect(queue)
        except (WorkflowError, ValidationError) as exc:
            messages.error(request, error_message(exc))
            if action == "answer":
                # Show the page again with the text kept, rather than lose a written answer.
                question = get_object_or_404(Question.objects.with_response_status(), pk=pk)
                return self._question_page(request, question, answer_text=data["answer"])
            return HttpResponseRedirect(page)
        following = selectors.question_next(user=request.user, after=question)
        messages.success(request, _done_message(question, done, following, published=publish))
        if action in self.STAY_ON_PAGE:
            return HttpResponseRedirect(page)
        if following is None:
            return HttpResponseRedirect(queue)
        return HttpResponseRedirect(_page_url(following))

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
        def apply(data):
            assignee = data["assignee"]
            bulk_apply(
                request,
                queryset,
                noun="question",
                done=f"assigned to {assignee.get_username()}",
                call=lambda q: services.question_assign(
                    question_id=q.pk, actor=request.user, assignee=assignee
                ),
            )

        return bulk_form_action(
            self,
            request,
            queryset,
            form_class=AssignForm,
            title="Assign questions",
            template="admin/contributions/question/assign_selected.html",
            apply=apply,
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


def _page_url(question: Question) -> str:
    return reverse("admin:contributions_question_change", args=[question.pk])


def _done_message(question: Question, done: str, following, *, published: bool) -> str:
    """What changed, linked (the code page when it was published), and what comes next."""
    message = format_html(
        '<a href="{}">Question #{}</a> {}.', _page_url(question), question.pk, done
    )
    if (published or done == "published") and question.code_id:
        message = format_html(
            '{} It is shown on <a href="{}#questions">{}’s page</a>.',
            message,
            question.code.get_absolute_url(),
            question.code.code,
        )
    if following is None:
        return format_html("{} Nothing else waits for you.", message)
    return format_html(
        '{} Next: <a href="{}">#{} {}</a>.',
        message,
        _page_url(following),
        following.pk,
        following.subject,
    )


@admin.register(QuestionEvent)
class QuestionEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("question", "from_status", "to_status", "actor_label", "created_at")
    list_filter = ("to_status",)
    readonly_fields = [f.name for f in QuestionEvent._meta.fields]
    index_order = 40
