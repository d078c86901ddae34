"""JSON API of suggested edits: thin views over suggestions.services.

Domain errors are answered by cdtsite.api's exception handler (403 / 404 / 409).
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cdtsite.api import ApiValidationErrorSerializer
from cdtsite.filters import StrictFilterSet
from cdtsite.pagination import KeysetPagination, StrictOrderingFilter
from cdtsite.throttling import AnonWritesThrottle  # one bucket with the HTML forms
from codes.models import EDITABLE_FIELDS, CodeRevision
from contributions.core.api import ERROR, StrictFieldsMixin

from . import services
from .models import Submission
from .workflow import REVIEW_PERMISSIONS

BAD_INPUT = OpenApiResponse(
    ApiValidationErrorSerializer, description="Bad input; `errors` names each field."
)


@extend_schema_field(
    {
        "type": "object",
        "minProperties": 1,
        "properties": {name: {} for name in services.NEW_CODE_FIELDS},
        "additionalProperties": False,
    }
)
class ChangesField(serializers.JSONField):
    """Field → proposed value; the service checks each value like the code's own field."""


def tracking_url(request, token: str) -> str:
    return request.build_absolute_uri(reverse("contributions:track-submission", args=[token]))


class SubmissionCreateApi(APIView):
    """Anyone may suggest an edit to a code (or a new code); throttled per client."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonWritesThrottle]

    @extend_schema_serializer(component_name="SubmissionCreateInput")
    class InputSerializer(StrictFieldsMixin, serializers.Serializer):
        code = serializers.CharField(max_length=10)
        base_revision = serializers.IntegerField(
            required=False, allow_null=True, help_text="Default: the code's current revision."
        )
        changes = ChangesField(
            help_text=f"Field → proposed value; fields: {', '.join(EDITABLE_FIELDS)} "
            "(and category for a new code). related_codes is a list of codes."
        )
        rationale = serializers.CharField(
            allow_blank=True, trim_whitespace=False, max_length=services.RATIONALE_MAX
        )
        sources = serializers.ListField(
            child=serializers.CharField(trim_whitespace=False),
            required=False,
            max_length=services.SOURCES_MAX,
            help_text="http(s) URLs.",
        )
        name = serializers.CharField(allow_blank=True, max_length=120)
        email = serializers.CharField(allow_blank=True, max_length=254)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        status = serializers.CharField()
        tracking_url = serializers.URLField()

    @extend_schema(
        request=InputSerializer,
        responses={201: OutputSerializer, 400: BAD_INPUT, 429: ERROR},
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        submission, token = services.submission_create(
            **serializer.validated_data, user=request.user
        )
        return Response(
            {
                "id": submission.pk,
                "status": submission.status,
                "tracking_url": tracking_url(request, token),
            },
            status=status.HTTP_201_CREATED,
        )


class PublicEventSerializer(serializers.Serializer):
    status = serializers.CharField(source="to_status")
    note = serializers.CharField()
    at = serializers.DateTimeField(source="created_at")


class SubmissionTrackSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField(source="code_number")
    is_new_code = serializers.BooleanField()
    status = serializers.CharField()
    base_revision = serializers.IntegerField(allow_null=True)
    published_revision = serializers.IntegerField(allow_null=True)
    changes = serializers.JSONField()
    rationale = serializers.CharField()
    sources = serializers.JSONField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    can_withdraw = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField()

    def get_can_withdraw(self, obj) -> bool:
        return obj.is_open

    def get_notes(self, obj) -> list[dict]:
        events = [e for e in obj.events.all() if e.is_public]
        return PublicEventSerializer(events, many=True).data


class SubmissionTrackApi(APIView):
    """The submitter's view of their suggestion, opened by the tracking token."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: SubmissionTrackSerializer, 404: ERROR})
    def get(self, request, token: str):
        try:
            submission = services.submission_by_token(token)
        except Submission.DoesNotExist as exc:
            raise exceptions.NotFound("No suggestion has this tracking link.") from exc
        return Response(SubmissionTrackSerializer(submission).data)


class SubmissionWithdrawApi(APIView):
    """The submitter withdraws a suggestion that is not yet published or rejected."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonWritesThrottle]

    @extend_schema_serializer(component_name="WithdrawInput")
    class InputSerializer(StrictFieldsMixin, serializers.Serializer):
        note = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    @extend_schema(
        operation_id="submissions_track_withdraw",
        request=InputSerializer,
        responses={
            200: SubmissionTrackSerializer,
            400: BAD_INPUT,
            404: ERROR,
            409: ERROR,
            429: ERROR,
        },
    )
    def post(self, request, token: str):
        serializer = self.InputSerializer(data=request.data or {})
        serializer.is_valid(raise_exception=True)
        try:
            submission = services.submission_withdraw(
                token=token, note=serializer.validated_data.get("note", "")
            )
        except Submission.DoesNotExist as exc:
            raise exceptions.NotFound("No suggestion has this tracking link.") from exc
        return Response(SubmissionTrackSerializer(submission).data)


class IsReviewStaff(BasePermission):
    message = "Only reviewers and publishers may see the review queue."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and any(user.has_perm(p) for p in REVIEW_PERMISSIONS)
        )


class ReviewSubmissionFilter(StrictFilterSet):
    """Open suggestions (submitted or verified) unless `status` asks for others."""

    status = filters.ChoiceFilter(
        choices=[
            ("open", "Open (submitted or verified)"),
            *Submission.Status.choices,
            ("all", "All"),
        ],
        method="filter_status",
        help_text="Default: open (submitted or verified).",
    )
    code = filters.CharFilter(method="filter_code", help_text="A code number, e.g. D0370.")
    stale = filters.BooleanFilter(field_name="is_stale")

    class Meta:
        model = Submission
        fields = ["status", "code", "stale"]

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=Submission.OPEN_STATUSES)
        return super().filter_queryset(queryset)

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=Submission.OPEN_STATUSES)
        if value == "all":
            return queryset
        return queryset.filter(status=value)

    def filter_code(self, queryset, name, value):
        # Stored upper-cased: an exact match uses the (code_number, created_at) index.
        return queryset.filter(code_number=value.strip().upper())


class ReviewSubmissionSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="code_number")
    stale = serializers.BooleanField(source="is_stale")
    verified_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    published_revision = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Submission
        fields = [
            "id",
            "code",
            "is_new_code",
            "status",
            "base_revision",
            "changes",
            "rationale",
            "sources",
            "submitter_name",
            "stale",
            "stale_fields",
            "verified_by",
            "verified_at",
            "published_revision",
            "rejection_reason",
            "created_at",
            "updated_at",
        ]


@extend_schema(
    responses={
        200: ReviewSubmissionSerializer(many=True),
        400: OpenApiResponse(
            ApiValidationErrorSerializer,
            description="A bad filter, `ordering`, `page_size`, or a `page` number "
            "(this list pages by cursor); `errors` names the parameter.",
        ),
        403: OpenApiResponse(ERROR, description="Not a reviewer or publisher."),
        404: OpenApiResponse(ERROR, description="A malformed `cursor`."),
    }
)
class ReviewQueueApi(ListAPIView):
    """The review queue: open suggestions, oldest first. Reviewers and publishers.

    Pages by cursor (follow `next` / `previous`), never counted: the same cost on the
    first page and the last at any queue size. `ordering=-created_at` starts at the newest.
    """

    permission_classes = [IsAuthenticated, IsReviewStaff]
    serializer_class = ReviewSubmissionSerializer
    filterset_class = ReviewSubmissionFilter
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    pagination_class = KeysetPagination
    ordering = ("created_at", "id")
    ordering_fields = ["created_at"]
    queryset = Submission.objects.select_related("verified_by").prefetch_related(
        Prefetch(
            "code_revisions",
            queryset=CodeRevision.objects.only("revision", "code_id", "source_type", "source_id"),
            to_attr="revisions_written",
        )
    )
