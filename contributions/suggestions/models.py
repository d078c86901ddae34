"""Suggested edits and their audit trail. The rules live in suggestions.workflow."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q

from contributions.core.indexes import trigram_indexes
from contributions.core.models import TransitionEvent

# States a submission enters at most once: a raced duplicate cannot log twice, while
# the open states stay free to be entered again by a later loop (changes requested).
TERMINAL_STATUSES = ("published", "rejected", "withdrawn")


# Submission.OPEN_STATUSES, as the condition of the review queue's partial indexes.
OPEN_Q = Q(status__in=["submitted", "verified"])


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
    # The catalog's record of what a publish wrote: CodeRevision.source is this submission.
    code_revisions = GenericRelation(
        "codes.CodeRevision",
        content_type_field="source_type",
        object_id_field="source_id",
        related_query_name="submission",
    )
    # Its mails in the outbox (Notification.subject is this submission).
    notifications = GenericRelation(
        "contributions.Notification",
        content_type_field="subject_type",
        object_id_field="subject_id",
        related_query_name="submission",
    )
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
        indexes = [
            models.Index(fields=["status", "created_at"], name="submission_queue_idx"),
            # The review queue's default view (open, oldest first) and its code filter.
            models.Index(fields=["created_at", "id"], condition=OPEN_Q, name="submission_open_idx"),
            models.Index(fields=["code_number", "created_at", "id"], name="submission_code_idx"),
            models.Index(
                fields=["code_number", "created_at", "id"],
                condition=OPEN_Q,
                name="submission_open_code_idx",
            ),
            # The admin's word search: icontains is UPPER(col) LIKE '%…%' (PostgreSQL only).
            *trigram_indexes(
                submission_name_trgm_idx="submitter_name",
                submission_rationale_trgm_idx="rationale",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.code_number} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def changed_field_names(self) -> list[str]:
        return list(self.changes)

    @property
    def published_revision(self) -> int | None:
        """The code revision this submission's publish wrote (None until published)."""
        if self.status != self.Status.PUBLISHED:
            return None
        # A list prefetched into `revisions_written` (as the review queue does) costs far
        # less than a generic relation's manager per row.
        written = getattr(self, "revisions_written", None)
        if written is None:
            written = self.code_revisions.all()
        # A publish that changes related codes also writes revisions of those codes.
        own = [r.revision for r in written if r.code_id == self.code_id]
        return min(own) if own else None


class SubmissionEvent(TransitionEvent):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    to_status = models.CharField(max_length=10, choices=Submission.Status.choices)
    # Public notes show on the submitter's tracking page.
    is_public = models.BooleanField(default=False)

    class Meta(TransitionEvent.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "to_status"],
                condition=Q(to_status__in=TERMINAL_STATUSES),
                name="submissionevent_terminal_once",
            ),
        ]

    @property
    def subject_id(self) -> int:
        return self.submission_id
