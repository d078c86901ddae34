"""The outbox for operators: what was sent, what failed and why; resend what failed."""

from django.contrib import admin, messages

from cdtsite.admin import ReadOnlyAdminMixin

from . import outbox
from .models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
    list_filter = ("state", "event", "created_at")
    search_fields = ("recipient", "event_key")
    date_hierarchy = "created_at"
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

    @admin.display(description="last error")
    def short_error(self, obj: Notification) -> str:
        return obj.last_error[:80]

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
