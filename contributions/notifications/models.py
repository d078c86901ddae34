"""The notification outbox's rows and staff members' mail preferences."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    """The outbox: one email to one recipient for one event.

    Written in the transaction that caused the event; a Celery task delivers it
    after the commit. The unique (event_key, recipient) pair makes a repeated event
    record nothing twice; the claim (claimed_by, claimed_until) makes a duplicated
    task or a second worker send nothing twice (see notifications/delivery.py).
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    # The kind of message, e.g. "submission.received"; picks the templates.
    event = models.CharField(max_length=60, db_index=True)
    # The event's identity, e.g. "submission.received:12" or "digest.submissions:2026-11-23".
    event_key = models.CharField(max_length=120)
    recipient = models.EmailField()
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    # What the message is about (a suggestion, a question, a release): any model, so the
    # outbox needs to know none of them.
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    # What the templates need that the database cannot give back later (a tracking
    # link is only known at creation); secret values are erased once sent.
    context = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=7, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a task was last handed to the broker (null: the broker refused it).
    enqueued_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    # The worker process that claimed the row last ("<node> <boot> pid <pid>"); empty
    # while it waits for a retry. Kept once sent: who sent it.
    claimed_by = models.CharField(max_length=200, blank=True, default="", db_default="")
    # No one else may take the row before this: the end of its sender's lease (renewed
    # while the sender lives) or the time of its scheduled retry. Null when free.
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = "outbox notification"
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "recipient"], name="notification_once_per_recipient"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "sent", "failed"]),
                name="notification_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False),
                name="notification_sent_has_time",
            ),
            # Only a pending row can be claimed; sent and failed rows are nobody's.
            models.CheckConstraint(
                condition=Q(state="pending") | Q(claimed_until__isnull=True),
                name="notification_claim_only_pending",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "created_at"], name="notification_sweep_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="notification_subject_idx"),
            # The admin list's order, whole and by event; its search by address.
            models.Index(fields=["-created_at", "-id"], name="notification_list_idx"),
            models.Index(fields=["event", "-created_at", "-id"], name="notification_event_idx"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
            # The sweep walks only what is pending, however many were sent.
            models.Index(
                fields=["id"], condition=Q(state="pending"), name="notification_pending_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_key} → {self.recipient} ({self.state})"


class NotificationPreference(models.Model):
    """A staff member's choices about optional emails (absent row: the defaults)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    # The daily digest of waiting submissions is optional; event emails are not.
    digest_opt_out = models.BooleanField(
        default=False, help_text="Do not send me the daily digest of waiting suggestions."
    )

    def __str__(self) -> str:
        return f"Notification preferences of {self.user}"
