"""The abstract audit row every workflow's event log builds on."""

from django.conf import settings
from django.db import models


class TransitionEvent(models.Model):
    """An append-only audit row: one per change, written in its transaction."""

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
