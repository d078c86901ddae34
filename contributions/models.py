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


class TransitionEvent(models.Model):
    """An append-only audit row: one per transition, written in its transaction."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who acted when there is no user: the sender's name, "submitter" (tracking link) or "system".
    actor_label = models.CharField(max_length=120)
    from_status = models.CharField(max_length=10, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.subject_id}: {self.from_status or '∅'} → {self.to_status}"


class SubmissionEvent(TransitionEvent):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    to_status = models.CharField(max_length=10, choices=Submission.Status.choices)
    # Public notes show on the submitter's tracking page.
    is_public = models.BooleanField(default=False)

    class Meta(TransitionEvent.Meta):
        constraints = [
            # Every state is entered at most once, so a raced transition cannot log twice.
            models.UniqueConstraint(
                fields=["submission", "to_status"], name="submissionevent_state_once"
            ),
        ]

    @property
    def subject_id(self) -> int:
        return self.submission_id


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


class QuestionQuerySet(models.QuerySet):
    def with_response_status(self, now=None):
        """Annotate `response_status`, the one definition of it (filterable in SQL).

        on_track: waiting, before target · at_risk: waiting, past target ·
        overdue: waiting, past due · met: answered by due · breached: answered late.
        Spam has none.
        """
        from django.utils import timezone

        now = now or timezone.now()
        R = Question.ResponseStatus
        return self.annotate(
            response_status=models.Case(
                models.When(status=Question.Status.SPAM, then=models.Value("")),
                models.When(
                    answered_at__isnull=False,
                    answered_at__lte=models.F("due_at"),
                    then=models.Value(R.MET),
                ),
                models.When(answered_at__isnull=False, then=models.Value(R.BREACHED)),
                models.When(due_at__lt=now, then=models.Value(R.OVERDUE)),
                models.When(target_at__lt=now, then=models.Value(R.AT_RISK)),
                default=models.Value(R.ON_TRACK),
                output_field=models.CharField(max_length=10),
            )
        )

    def waiting(self):
        return self.filter(status__in=Question.WAITING_STATUSES)


class Question(models.Model):
    """A billing question from the public, answered by an expert within 1–2 business days."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        ASSIGNED = "assigned", "Assigned"
        ANSWERED = "answered", "Answered"
        CLOSED = "closed", "Closed"
        SPAM = "spam", "Spam"

    class ResponseStatus(models.TextChoices):
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk (past target)"
        OVERDUE = "overdue", "Overdue"
        MET = "met", "Answered in time"
        BREACHED = "breached", "Answered late"

    class Source(models.TextChoices):
        CODE_PAGE = "code_page", "Code page"
        CONTACT = "contact", "Contact page"
        API = "api", "API"

    WAITING_STATUSES = (Status.NEW, Status.ASSIGNED)

    name = models.CharField(max_length=120)
    email = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    code = models.ForeignKey(
        "codes.Code", null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.CONTACT)
    publish_consent = models.BooleanField(default=False)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)

    received_at = models.DateTimeField()
    target_at = models.DateTimeField()
    due_at = models.DateTimeField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_questions",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When the beat task warned that the question passed its target / due time (once each).
    target_warned_at = models.DateTimeField(null=True, blank=True)
    due_warned_at = models.DateTimeField(null=True, blank=True)
    # Shown on the code's page as a frequently asked question (asker's consent required).
    is_published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ("due_at", "id")
        permissions = [
            ("answer_question", "Can claim, answer, close and mark billing questions as spam"),
            ("assign_question", "Can assign billing questions to any expert"),
            ("view_response_report", "Can see the response-time report"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["new", "assigned", "answered", "closed", "spam"]),
                name="question_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(target_at__gt=models.F("received_at"))
                & Q(due_at__gt=models.F("target_at")),
                name="question_promise_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status="assigned") | Q(assigned_to__isnull=False),
                name="question_assigned_has_expert",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["answered", "closed"])
                | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="question_answered_has_answer",
            ),
            models.CheckConstraint(
                condition=~Q(is_published=True)
                | Q(publish_consent=True, answered_at__isnull=False),
                name="question_published_with_consent",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="question_queue_idx"),
            models.Index(fields=["assigned_to", "status"], name="question_assignee_idx"),
            models.Index(fields=["received_at"], name="question_received_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject[:60]}"

    @property
    def is_waiting(self) -> bool:
        return self.status in self.WAITING_STATUSES


class QuestionEvent(TransitionEvent):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="events")
    to_status = models.CharField(max_length=10, choices=Question.Status.choices)

    @property
    def subject_id(self) -> int:
        return self.question_id
