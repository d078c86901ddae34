"""The reviewers' and publishers' workplace. Every action is a row of suggestions.workflow's
table, run through suggestions.services."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from cdtsite.admin import LargeListAdminMixin, ReadOnlyAdminMixin, id_term
from codes.diffs import word_diff
from codes.models import FIELD_LABELS, Category, Code, CodeRevision
from contributions.core.admin import (
    bulk_apply,
    bulk_form_action,
    code_number_term,
    error_message,
    queue_count,
)
from contributions.core.errors import WorkflowError

from . import claims, selectors, services
from .models import Submission, SubmissionEvent
from .workflow import ACTIONS, actions_available

STANDARD_REASONS = (
    "No source supports the change.",
    "The sources do not say what the suggestion says.",
    "Duplicate of another suggestion.",
    "Outside what this code covers.",
    "The current text is already correct.",
    "Not a correction (spam or a question).",
)


class RejectForm(forms.Form):
    standard_reason = forms.ChoiceField(
        # Numbered as the review page's keyboard shortcuts 1–6 pick them.
        choices=[("", "— write the reason below —")]
        + [(r, f"{n}. {r}") for n, r in enumerate(STANDARD_REASONS, start=1)],
        required=False,
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean(self):
        data = super().clean()
        reason = (data.get("reason") or "").strip() or data.get("standard_reason") or ""
        if not reason:
            raise ValidationError("Pick a standard reason or write one.")
        data["final_reason"] = reason
        return data


class QueueFilter(admin.SimpleListFilter):
    """MusicBrainz's "edits I can vote on": what waits for my decision, what I have open."""

    title = "queue"  # the admin shows "By queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("waiting", "Waiting for me"), ("claimed", "Claimed by me")]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(pk__in=selectors.submissions_waiting_for(request.user))
        if self.value() == "claimed":
            return queryset.filter(pk__in=selectors.submissions_claimed_by(request.user))
        return queryset


class StaleFilter(admin.SimpleListFilter):
    title = "freshness"
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return [("yes", "Stale (the code changed since)"), ("no", "Up to date")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(is_stale=self.value() == "yes")
        return queryset


class AgeFilter(admin.SimpleListFilter):
    title = "age"
    parameter_name = "age"

    def lookups(self, request, model_admin):
        return [("1", "Under a day"), ("7", "1–7 days"), ("old", "Over a week")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "1":
            return queryset.filter(created_at__gte=now - timedelta(days=1))
        if self.value() == "7":
            return queryset.filter(
                created_at__lt=now - timedelta(days=1), created_at__gte=now - timedelta(days=7)
            )
        if self.value() == "old":
            return queryset.filter(created_at__lt=now - timedelta(days=7))
        return queryset


class CategoryFilter(admin.SimpleListFilter):
    title = "category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return [(c.slug, c.name) for c in Category.objects.all()]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        slug = self.value()
        return queryset.filter(Q(code__category__slug=slug) | Q(code__category__parent__slug=slug))


class SubmissionEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SubmissionEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "actor_label", "from_status", "to_status", "note", "is_public")
    readonly_fields = fields


@admin.register(Submission)
class SubmissionAdmin(LargeListAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "code_cell",
        "status",
        "fields_changed",
        "stale_flag",
        "reviewing",
        "submitter",
        "sent",
    )
    list_display_links = ("id", "code_cell")
    list_filter = (QueueFilter, "status", CategoryFilter, StaleFilter, AgeFilter)
    # A code number or #id is an exact lookup (get_search_results); words match these
    # fields through their trigram indexes.
    search_fields = ("submitter_name", "rationale")
    ordering = ("created_at", "id")
    list_per_page = 50
    actions = ("verify_selected", "reject_selected")
    inlines = (SubmissionEventInline,)
    index_order = 10  # first on the admin home: see cdtsite.admin_site

    # All changes happen through the workflow: no add, edit or delete forms.

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("code", "code__category")

    def get_search_results(self, request, queryset, search_term):
        if code := code_number_term(search_term):
            return queryset.filter(code_number=code), False
        if (pk := id_term(search_term)) is not None:
            return queryset.filter(pk=pk), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="code", ordering="code_number")
    def code_cell(self, obj):
        return obj.code_number

    @admin.display(description="from", ordering="submitter_name")
    def submitter(self, obj):
        return obj.submitter_name

    @admin.display(description="fields")
    def fields_changed(self, obj):
        return ", ".join(_label(field) for field in obj.changes)

    @admin.display(description="stale", ordering="is_stale", empty_value="")
    def stale_flag(self, obj):
        # A word where it matters and nothing otherwise: "not stale" is the normal case.
        if not obj.is_stale:
            return ""
        return format_html(
            '<span class="stale-badge" title="The code changed since: {}">Stale</span>',
            ", ".join(_label(field) for field in obj.stale_fields),
        )

    @admin.display(description="sent", ordering="created_at")
    def sent(self, obj):
        return timezone.localtime(obj.created_at).strftime("%b %d, %H:%M")

    @admin.display(description="reviewing", empty_value="")
    def reviewing(self, obj):
        claim = getattr(self, "_claims", {}).get(obj.pk)
        return claim.username if claim else ""

    def get_actions(self, request):
        actions = super().get_actions(request)
        user = request.user
        # Offered to whoever holds a permission of the table's rows for that action.
        for name, action in (("verify", "verify_selected"), ("reject", "reject_selected")):
            perms = {p for row in ACTIONS.rows if row.name == name for p in row.permissions}
            if not any(user.has_perm(p) for p in perms):
                actions.pop(action, None)
        return actions

    # The claims shown in the queue: one cache round trip for the visible page.
    def get_changelist_instance(self, request):
        cl = super().get_changelist_instance(request)
        self._claims = claims.claims_for([s.pk for s in cl.result_list])
        return cl

    def changelist_view(self, request, extra_context=None):
        base = reverse("admin:contributions_submission_changelist")
        mine = (
            ("waiting", "waiting for me", selectors.submissions_waiting_for(request.user)),
            ("claimed", "claimed by me", selectors.submissions_claimed_by(request.user)),
        )
        extra_context = {
            **(extra_context or {}),
            "my_queue": [
                {"label": label, **queue_count(found), "url": f"{base}?queue={key}"}
                for key, label, found in mine
            ],
        }
        return super().changelist_view(request, extra_context=extra_context)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:pk>/transition/<str:action>/",
                self.admin_site.admin_view(self.transition_view),
                name=f"{info[0]}_{info[1]}_transition",
            ),
            path(
                "<int:pk>/claim/",
                self.admin_site.admin_view(self.claim_view),
                name=f"{info[0]}_{info[1]}_claim",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        submission = get_object_or_404(
            Submission.objects.select_related("code", "code__category", "verified_by"),
            pk=object_id,
        )
        if not self.has_view_permission(request, submission):
            raise PermissionDenied
        other = claims.claim_take(submission_id=submission.pk, user=request.user)
        if other is not None:
            messages.warning(
                request,
                f"{other.username} is reviewing this suggestion right now; "
                "check with them before you act.",
            )
        previous = selectors.submission_previous(user=request.user, before=submission)
        following = selectors.submission_next(user=request.user, after=submission)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Suggestion #{submission.pk} for {submission.code_number}",
            "previous_url": _review_url(previous) if previous else "",
            "next_url": _review_url(following) if following else "",
            "reasons": list(enumerate(STANDARD_REASONS, start=1)),
            "stale_labels": [_label(field) for field in submission.stale_fields],
            "submission": submission,
            "rows": _diff_rows(submission),
            "events": submission.events.select_related("actor"),
            "transitions": actions_available(submission, request.user),
            "reject_form": RejectForm(),
            "claimed_by": other,
            "claim_url": reverse("admin:contributions_submission_claim", args=[submission.pk]),
            "claim_renew_ms": max(30, min(300, settings.CONTRIBUTIONS_CLAIM_SECONDS // 3)) * 1000,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/contributions/submission/review.html", context)

    def claim_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        submission = get_object_or_404(Submission, pk=pk)
        if not self.has_view_permission(request, submission):
            raise PermissionDenied
        other = claims.claim_take(submission_id=submission.pk, user=request.user)
        return JsonResponse({"claimed": other is None, "by": other.username if other else None})

    def transition_view(self, request, pk, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        review_url = reverse("admin:contributions_submission_change", args=[pk])
        if action not in ACTIONS.names(staff=True):
            messages.error(request, f"Unknown action “{action}”.")
            return HttpResponseRedirect(review_url)
        data = {"note": request.POST.get("note", "")}
        if action == "reject":
            form = RejectForm(request.POST)
            if not form.is_valid():
                messages.error(request, " ".join(form.non_field_errors()))
                return HttpResponseRedirect(review_url)
            data["reason"] = form.cleaned_data["final_reason"]
        try:
            submission = ACTIONS.call(services, name=action, pk=pk, actor=request.user, data=data)
        except Submission.DoesNotExist:
            messages.error(request, f"Suggestion #{pk} does not exist.")
            return HttpResponseRedirect(reverse("admin:contributions_submission_changelist"))
        except (WorkflowError, ValidationError) as exc:
            messages.error(request, error_message(exc))
            return HttpResponseRedirect(review_url)
        claims.claim_release(submission_id=pk, user=request.user)
        following = selectors.submission_next(user=request.user, after=submission)
        messages.success(request, _done_message(submission, action, following))
        if following is None:
            return HttpResponseRedirect(reverse("admin:contributions_submission_changelist"))
        return HttpResponseRedirect(_review_url(following))

    @admin.action(description="Verify the selected suggestions")
    def verify_selected(self, request, queryset):
        bulk_apply(
            request,
            queryset,
            noun="suggestion",
            done="verified",
            call=lambda s: services.submission_verify(submission_id=s.pk, actor=request.user),
        )

    @admin.action(description="Reject the selected suggestions…")
    def reject_selected(self, request, queryset):
        def apply(data):
            bulk_apply(
                request,
                queryset,
                noun="suggestion",
                done="rejected",
                call=lambda s: services.submission_reject(
                    submission_id=s.pk, actor=request.user, reason=data["final_reason"]
                ),
            )

        return bulk_form_action(
            self,
            request,
            queryset,
            form_class=RejectForm,
            title="Reject suggestions",
            template="admin/contributions/submission/reject_selected.html",
            apply=apply,
        )


def _label(field: str) -> str:
    return FIELD_LABELS.get(field, field.replace("_", " ").capitalize())


def _review_url(submission: Submission) -> str:
    return reverse("admin:contributions_submission_change", args=[submission.pk])


def _done_message(submission: Submission, action: str, following: Submission | None) -> str:
    """What changed, linked (the code page after a publish), and where the reviewer goes."""
    row = ACTIONS.first(action)
    if action == "publish" and submission.code_id:
        # Read again: the service's copy of the code predates its new revision.
        code = Code.objects.get(pk=submission.code_id)
        done = format_html(
            'Suggestion #{} published: <a href="{}">{} is now at revision {}</a>.',
            submission.pk,
            code.get_absolute_url(),
            code.code,
            code.revision,
        )
    else:
        done = format_html(
            '<a href="{}">Suggestion #{} for {}</a> {}.',
            _review_url(submission),
            submission.pk,
            submission.code_number,
            row.past or action,
        )
    if following is None:
        return format_html("{} Nothing else waits for you: here is the queue.", done)
    return format_html("{} Next: #{} for {}.", done, following.pk, following.code_number)


def _diff_rows(submission: Submission) -> list[dict]:
    """One row per changed field: current vs proposed, and the base text when stale."""
    code = submission.code
    base = None
    if code is not None and submission.is_stale and submission.base_revision:
        base = CodeRevision.objects.filter(code=code, revision=submission.base_revision).first()
    current_related = (
        sorted(code.related_codes.values_list("code", flat=True)) if code is not None else []
    )
    rows = []
    for field, proposed in submission.changes.items():
        if code is None:
            current = ""
        elif field == "related_codes":
            current = current_related
        else:
            current = getattr(code, field, "")
        old_html, new_html = word_diff(current, proposed)
        rows.append(
            {
                "field": field,
                "label": _label(field),
                "current": old_html,
                "proposed": new_html,
                "base": word_diff(getattr(base, field, ""), current)[0] if base else None,
                "stale": field in submission.stale_fields,
            }
        )
    return rows


@admin.register(SubmissionEvent)
class SubmissionEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("submission", "from_status", "to_status", "actor_label", "created_at")
    list_filter = ("to_status",)
    readonly_fields = [f.name for f in SubmissionEvent._meta.fields]
    index_order = 30
