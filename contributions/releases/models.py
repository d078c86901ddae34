"""Yearly releases: an edition's whole set of code changes, reviewed and published as one.

The rules live in releases.workflow; the changes are applied by codes.code_sets.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q

from contributions.core.models import TransitionEvent

# A release enters these at most once.
TERMINAL_STATUSES = ("published", "rejected", "rolled_back")


class Release(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        VERIFIED = "verified", "Verified"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"
        ROLLED_BACK = "rolled_back", "Rolled back"

    # An edition has at most one release in these states: the one the API's
    # /api/releases/<edition>/ means.
    LIVE_STATUSES = (Status.PROPOSED, Status.VERIFIED, Status.PUBLISHED)

    edition = models.PositiveSmallIntegerField(db_index=True)
    effective_on = models.DateField()
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PROPOSED, db_index=True
    )
    source_name = models.CharField(max_length=200, blank=True)  # the imported file's name
    unchanged_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    rolled_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rolled_back_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # What publishing and rolling back wrote: CodeRevision.source is this release.
    code_revisions = GenericRelation(
        "codes.CodeRevision",
        content_type_field="source_type",
        object_id_field="source_id",
        related_query_name="release",
    )
    notifications = GenericRelation(
        "contributions.Notification",
        content_type_field="subject_type",
        object_id_field="subject_id",
        related_query_name="release",
    )

    class Meta:
        ordering = ("-edition", "-created_at", "-id")
        permissions = [
            ("verify_release", "Can verify or reject a proposed yearly release"),
            ("publish_release", "Can publish, reject or roll back a yearly release"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["edition"],
                condition=Q(status__in=["proposed", "verified", "published"]),
                name="release_one_live_per_edition",
                violation_error_message="This edition already has a release under way.",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["proposed", "verified", "published", "rejected", "rolled_back"]
                ),
                name="release_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="verified")
                | Q(verified_at__isnull=False, verified_by__isnull=False),
                name="release_verified_has_reviewer",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="release_published_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="release_rejected_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"CDT {self.edition} ({self.get_status_display()})"

    @property
    def public_label(self) -> str:
        """How messages to the public name it."""
        return f"the CDT {self.edition} release"


class ReleaseChange(models.Model):
    """One code's change in a release: {field: {"old", "new"}}, as codes.code_sets gives it."""

    class Kind(models.TextChoices):
        ADDED = "added", "Added"
        REVISED = "revised", "Revised"
        DELETED = "deleted", "Deleted"

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="changes")
    code = models.CharField(max_length=5)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    category = models.ForeignKey(
        "codes.Category", on_delete=models.PROTECT, related_name="+", null=True
    )
    fields = models.JSONField()

    class Meta:
        ordering = ("release", "code")
        constraints = [
            models.UniqueConstraint(fields=["release", "code"], name="releasechange_unique_code"),
            models.CheckConstraint(
                condition=Q(kind__in=["added", "revised", "deleted"]),
                name="releasechange_kind_valid",
            ),
        ]
        indexes = [models.Index(fields=["release", "kind", "code"], name="releasechange_kind_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.kind}"


class ReleaseEvent(TransitionEvent):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="events")
    to_status = models.CharField(max_length=12, choices=Release.Status.choices)

    class Meta(TransitionEvent.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["release", "to_status"],
                condition=Q(to_status__in=TERMINAL_STATUSES),
                name="releaseevent_terminal_once",
            ),
        ]

    @property
    def subject_id(self) -> int:
        return self.release_id
