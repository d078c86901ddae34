"""Suggested edits and their audit trail. Workflow rules live in contributions.workflow."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q


def token_new() -> tuple[str, str]:
    """A fresh tracking token and the digest stored in its place."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    # A database leak must not hand out working tracking links: only the digest is kept.
    return hashlib.sha256(token.encode()).hexdigest()


class Submission(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        VERIFIED = "verified", "Verified"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    OPEN_STATUSES = (Status.SUBMITTED, Status.VERIFIED)

    # The code the edit targets; empty for a proposed new code until it is published.
    code = models.ForeignKey(
        "codes.Code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    code_number = models.CharField(max_length=5, db_index=True)
    is_new_code = models.BooleanField(default=False)
    base_revision = models.PositiveIntegerField(null=True, blank=True)
    changes = models.JSONField()
    rationale = models.TextField()
    sources = models.JSONField(default=list, blank=True)
    submitter_name = models.CharField(max_length=120)
    submitter_email = models.EmailField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions_sent",
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    # Set when a publish changed a field this (still open) submission proposes to change.
    stale_fields = models.JSONField(default=list, blank=True)
    is_stale = models.BooleanField(default=False, db_index=True)

    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_revision = models.PositiveIntegerField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("created_at", "id")
        permissions = [
            ("verify_submission", "Can verify or reject a submitted edit"),
            ("publish_submission", "Can publish or reject a verified edit"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["submitted", "verified", "published", "rejected", "withdrawn"]
                ),
                name="submission_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(base_revision__isnull=True) | Q(base_revision__gte=1),
                name="submission_base_revision_positive",
            ),
            models.CheckConstraint(
                condition=Q(is_new_code=True) | Q(code__isnull=False),
                name="submission_existing_code_set",
            ),
            models.CheckConstraint(
                condition=~Q(status="published")
                | Q(published_at__isnull=False, code__isnull=False),
                name="submission_published_has_time_and_code",
            ),
            models.CheckConstraint(
                condition=~Q(status="verified")
                | Q(verified_at__isnull=False, verified_by__isnull=False),
                name="submission_verified_has_reviewer",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="submission_rejected_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="submission_queue_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.code_number} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def changed_field_names(self) -> list[str]:
        return list(self.changes)


class SubmissionEvent(models.Model):
    """Append-only audit log: one row per transition, written in its transaction."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who acted when there is no user: "submitter" (tracking link) or "system".
    actor_label = models.CharField(max_length=120)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, choices=Submission.Status.choices)
    note = models.TextField(blank=True)
    # Public notes show on the submitter's tracking page.
    is_public = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
        constraints = [
            # Every state is entered at most once, so a raced transition cannot log twice.
            models.UniqueConstraint(
                fields=["submission", "to_status"], name="submissionevent_state_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.from_status or '∅'} → {self.to_status}"


class Notification(models.Model):
    """The outbox: one email to one recipient for one event.

    Written in the transaction that caused the event; a Celery task delivers it
    after the commit. The unique (event_key, recipient) pair is what makes a
    repeated event or a duplicated task send nothing twice.
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
    submission = models.ForeignKey(
        Submission,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
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
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="notification_sweep_idx")]

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
