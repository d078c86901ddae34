"""The outbox for operators: what was sent, what failed and why; resend what failed."""

from django.contrib import admin, messages
from django.db.models.functions import Left

from cdtsite.admin import LargeListAdminMixin, ReadOnlyAdminMixin

from . import outbox
from .models import Notification, NotificationPreference


class EventFilter(admin.SimpleListFilter):
    """The registered kinds of event: no SELECT DISTINCT over millions of rows."""

    title = "event"
    parameter_name = "event"

    def lookups(self, request, model_admin):
        return [(name, name) for name in sorted(outbox.EVENTS)]

    def queryset(self, request, queryset):
        return queryset.filter(event=self.value()) if self.value() else queryset


@admin.register(Notification)
class NotificationAdmin(LargeListAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The outbox, for operators: what was sent, what failed and why; resend what failed."""

    list_display = (
        "event_key",
        "recipient",
        "state",
        "attempts",
        "short_error",
        "created_at",
        "sent_at",
    )
    # Sorted by notification_list_idx; each filter has its index. No date_hierarchy: it
    # reads the dates of every row.
    list_filter = ("state", EventFilter, "created_at")
    # Exact lookups only (get_search_results): an address, or an event key.
    search_fields = ("recipient", "event_key")
    search_help_text = "An email address, or an event key such as submission.received:12."
    # The context is left out: until sent it may hold a submitter's tracking link.
    fields = (
        "event",
        "event_key",
        "recipient",
        "recipient_user",
        "subject_type",
        "subject_id",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "enqueued_at",
        "last_attempt_at",
        "sent_at",
        "failed_at",
        # Who holds it now (or sent it), and until when nobody else may take it.
        "claimed_by",
        "claimed_until",
    )
    readonly_fields = fields
    actions = ["resend"]

    def get_queryset(self, request):
        # The list never shows the JSON context or the whole error: they stay in the table.
        return (
            super()
            .get_queryset(request)
            .defer("context", "last_error")
            .annotate(last_error_start=Left("last_error", 80))
        )

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if "@" in term:
            return queryset.filter(recipient=term.lower()), False
        return queryset.filter(event_key=term), False

    @admin.display(description="last error")
    def short_error(self, obj: Notification) -> str:
        return obj.last_error_start

    def has_resend_permission(self, request):
        return request.user.has_perm("contributions.change_notification")

    @admin.action(
        description="Resend the selected failed or pending notifications", permissions=["resend"]
    )
    def resend(self, request, queryset):
        count = outbox.notifications_resend(ids=queryset.values_list("pk", flat=True))
        skipped = queryset.count() - count
        self.message_user(request, f"{count} notification(s) queued again.", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} already sent: not sent again.", messages.WARNING)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "digest_opt_out")
    list_filter = ("digest_opt_out",)
    search_fields = ("user__username", "user__email")
    raw_id_fields = ("user",)
