"""Where reviewers and publishers work on a release: one list of its added, revised and
deleted codes, each with its field diff, filtered by kind and category, and only the
buttons the workflow's table allows this user."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from cdtsite.admin import ReadOnlyAdminMixin
from codes.diffs import word_diff
from codes.models import FIELD_LABELS, Category
from contributions.core.admin import error_message
from contributions.core.errors import WorkflowError

from . import services
from .models import Release, ReleaseChange, ReleaseEvent
from .workflow import ACTIONS, actions_available

CHANGES_PER_PAGE = 100


def change_rows(release: Release, *, kind: str = "", category: str = ""):
    """The release's changes, filtered by kind and category (a slug; its subcategories
    count), each with its field diff as (label, old html, new html)."""
    changes = release.changes.select_related("category", "category__parent").order_by("code")
    if kind:
        changes = changes.filter(kind=kind)
    if category:
        changes = changes.filter(Q(category__slug=category) | Q(category__parent__slug=category))
    return changes


def _with_diffs(changes) -> list[ReleaseChange]:
    for change in changes:
        change.diff_rows = [
            (
                FIELD_LABELS.get(name, name.replace("_", " ").capitalize()),
                *word_diff(value["old"], value["new"]),
            )
            for name, value in change.fields.items()
        ]
    return changes


class ReleaseEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReleaseEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "actor_label", "from_status", "to_status", "note")
    readonly_fields = fields


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    index_order = 25  # a queue too: after suggestions and questions, before the trails
    list_display = ("edition", "effective_on", "status", "summary", "source_name", "created_at")
    list_filter = ("status",)
    ordering = ("-edition", "-created_at")

    def get_queryset(self, request):
        kinds = {k: Count("changes", filter=Q(changes__kind=k)) for k in ReleaseChange.Kind.values}
        return super().get_queryset(request).annotate(**{f"n_{k}": v for k, v in kinds.items()})

    @admin.display(description="changes")
    def summary(self, obj):
        return format_html(
            "{} added, {} revised, {} deleted", obj.n_added, obj.n_revised, obj.n_deleted
        )

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:pk>/transition/<str:action>/",
                self.admin_site.admin_view(self.transition_view),
                name=f"{info[0]}_{info[1]}_transition",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        release = get_object_or_404(Release.objects.select_related("verified_by"), pk=object_id)
        if not self.has_view_permission(request, release):
            raise PermissionDenied
        kind = request.GET.get("kind", "")
        kind = kind if kind in ReleaseChange.Kind.values else ""
        category = request.GET.get("category", "")
        changes = change_rows(release, kind=kind, category=category)
        page = Paginator(changes, CHANGES_PER_PAGE).get_page(request.GET.get("page"))
        counts = dict(
            release.changes.values("kind").annotate(n=Count("id")).values_list("kind", "n")
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Release CDT {release.edition}",
            "release": release,
            "page": page,
            "changes": _with_diffs(page.object_list),
            "kinds": [(k, label, counts.get(k, 0)) for k, label in ReleaseChange.Kind.choices],
            "kind": kind,
            "categories": Category.objects.filter(parent__isnull=True),
            "category": category,
            "events": release.events.all(),
            "transitions": actions_available(release, request.user),
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/contributions/release/review.html", context)

    def transition_view(self, request, pk, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        review_url = reverse("admin:contributions_release_change", args=[pk])
        if action not in ACTIONS.names(staff=True):
            messages.error(request, f"Unknown action “{action}”.")
            return HttpResponseRedirect(review_url)
        data = {"note": request.POST.get("note", ""), "reason": request.POST.get("reason", "")}
        try:
            release = ACTIONS.call(services, name=action, pk=pk, actor=request.user, data=data)
        except Release.DoesNotExist:
            messages.error(request, f"Release #{pk} does not exist.")
            return HttpResponseRedirect(reverse("admin:contributions_release_changelist"))
        except (WorkflowError, ValidationError) as exc:
            messages.error(request, error_message(exc))
            return HttpResponseRedirect(review_url)
        messages.success(
            request, f"Release CDT {release.edition}: {ACTIONS.first(action).past or action}."
        )
        return HttpResponseRedirect(review_url)


@admin.register(ReleaseEvent)
class ReleaseEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    index_order = 45
    list_display = ("release", "from_status", "to_status", "actor_label", "created_at")
    list_filter = ("to_status",)
    readonly_fields = [f.name for f in ReleaseEvent._meta.fields]
