"""Billing questions from the public and their audit trail. Rules: questions.workflow."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from contributions.core.indexes import trigram_indexes
from contributions.core.models import TransitionEvent

# 0 for a waiting question, 1 otherwise: the queue's first sort key, and its index's.
WAITING_FIRST = models.Case(
    models.When(status__in=["new", "assigned"], then=models.Value(0)),
    default=models.Value(1),
    output_field=models.IntegerField(),
)


class QuestionQuerySet(models.QuerySet):
    def with_response_status(self, now=None):
        """Annotate `response_status`, the one definition of it (filterable in SQL).

        on_track: waiting, before target · at_risk: waiting, past target ·
        overdue: waiting, past due · met: answered by due · breached: answered late.
        Spam has none.
        """
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
    # Business hours from received_at to first_response_at, stored with the response so
    # the response-time report aggregates in SQL instead of walking calendars per row.
    first_response_hours = models.FloatField(null=True, blank=True, editable=False)
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
    # Its mails in the outbox (Notification.subject is this question).
    notifications = GenericRelation(
        "contributions.Notification",
        content_type_field="subject_type",
        object_id_field="subject_id",
        related_query_name="question",
    )

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
            # The queue's order: waiting first, then soonest due (QuestionAdmin.get_ordering).
            models.Index(WAITING_FIRST, F("due_at"), F("id"), name="question_queue_order_idx"),
            # The beat's warnings: only the waiting rows not yet warned.
            models.Index(
                fields=["target_at"],
                condition=Q(status__in=["new", "assigned"]) & Q(target_warned_at__isnull=True),
                name="question_target_warn_idx",
            ),
            models.Index(
                fields=["due_at"],
                condition=Q(status__in=["new", "assigned"]) & Q(due_warned_at__isnull=True),
                name="question_due_warn_idx",
            ),
            # A code page's published answers, newest first.
            models.Index(
                F("code"),
                F("answered_at").desc(),
                condition=Q(is_published=True),
                name="question_published_idx",
            ),
            *trigram_indexes(question_subject_trgm_idx="subject", question_body_trgm_idx="body"),
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
