"""JSON API of suggested edits: thin views over contributions.services."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cdtsite.throttling import AnonWritesThrottle  # noqa: F401  (one bucket with the forms)
from codes.models import EDITABLE_FIELDS

from . import services
from .models import Question, Submission
from .workflow import EditConflict, NotPermitted, TransitionNotAllowed, WorkflowError

ERROR = inline_serializer("Error", {"detail": serializers.CharField()})
CONFLICT = inline_serializer(
    "Conflict",
    {
        "detail": serializers.CharField(),
        "fields": serializers.ListField(child=serializers.CharField()),
    },
)


def tracking_url(request, token: str) -> str:
    return request.build_absolute_uri(reverse("contributions:track-submission", args=[token]))


def workflow_call(call):
    """Run a service and turn its domain errors into API errors (403 / 404 / 409)."""
    try:
        return call()
    except NotPermitted as exc:
        raise exceptions.PermissionDenied(exc.message) from exc
    except Submission.DoesNotExist as exc:
        raise exceptions.NotFound("No such suggestion.") from exc
    except EditConflict as exc:
        return Response({"detail": exc.message, "fields": exc.fields}, status.HTTP_409_CONFLICT)
    except (TransitionNotAllowed, WorkflowError) as exc:
        return Response({"detail": exc.message}, status.HTTP_409_CONFLICT)


class StrictFieldsMixin:
    """Reject keys the endpoint does not know: a typo should not pass silently."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class SubmissionCreateApi(APIView):
    """Anyone may suggest an edit to a code (or a new code); throttled per client."""

    permission_classes = []
    throttle_classes = [AnonWritesThrottle]

    class InputSerializer(StrictFieldsMixin, serializers.Serializer):
        code = serializers.CharField(max_length=10)
        base_revision = serializers.JSONField(required=False, allow_null=True)
        changes = serializers.JSONField(
            help_text=f"Field → proposed value; fields: {', '.join(EDITABLE_FIELDS)} "
            "(and category for a new code). related_codes is a list of codes."
        )
        rationale = serializers.CharField(
            allow_blank=True, trim_whitespace=False, max_length=services.RATIONALE_MAX
        )
        sources = serializers.JSONField(required=False, help_text="A list of http(s) URLs.")
        name = serializers.CharField(allow_blank=True, max_length=120)
        email = serializers.CharField(allow_blank=True, max_length=254)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        status = serializers.CharField()
        tracking_url = serializers.URLField()

    @extend_schema(
        request=inline_serializer(
            "SubmissionCreateInput",
            {
                "code": serializers.CharField(),
                "base_revision": serializers.IntegerField(required=False, allow_null=True),
                "changes": serializers.JSONField(),
                "rationale": serializers.CharField(),
                "sources": serializers.ListField(child=serializers.URLField(), required=False),
                "name": serializers.CharField(),
                "email": serializers.EmailField(),
            },
        ),
        responses={
            201: OutputSerializer,
            400: OpenApiResponse(description="Bad input; `errors` names each field."),
            429: ERROR,
        },
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

    permission_classes = []

    @extend_schema(responses={200: SubmissionTrackSerializer, 404: ERROR})
    def get(self, request, token: str):
        submission = workflow_call(lambda: services.submission_by_token(token))
        return Response(SubmissionTrackSerializer(submission).data)


class SubmissionWithdrawApi(APIView):
    """The submitter withdraws a suggestion that is not yet published or rejected."""

    permission_classes = []
    throttle_classes = [AnonWritesThrottle]

    class InputSerializer(StrictFieldsMixin, serializers.Serializer):
        note = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    @extend_schema(
        operation_id="submissions_track_withdraw",
        request=inline_serializer("WithdrawInput", {"note": serializers.CharField(required=False)}),
        responses={200: SubmissionTrackSerializer, 404: ERROR, 409: ERROR},
    )
    def post(self, request, token: str):
        serializer = self.InputSerializer(data=request.data or {})
        serializer.is_valid(raise_exception=True)
        result = workflow_call(
            lambda: services.submission_withdraw(
                token=token, note=serializer.validated_data.get("note", "")
            )
        )
        if isinstance(result, Response):
            return result
        return Response(SubmissionTrackSerializer(result).data)


class IsReviewStaff(BasePermission):
    message = "Only reviewers and publishers may see the review queue."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and (
                user.has_perm("contributions.verify_submission")
                or user.has_perm("contributions.publish_submission")
            )
        )


class ReviewSubmissionFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Submission.Status.choices)
    code = filters.CharFilter(method="filter_code")
    stale = filters.BooleanFilter(field_name="is_stale")

    class Meta:
        model = Submission
        fields = ["status", "code", "stale"]

    def filter_code(self, queryset, name, value):
        return queryset.filter(Q(code_number__iexact=value.strip()))


class ReviewSubmissionSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="code_number")
    stale = serializers.BooleanField(source="is_stale")
    verified_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

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


class ReviewQueueApi(ListAPIView):
    """The review queue, oldest first. Reviewers and publishers."""

    permission_classes = [IsAuthenticated, IsReviewStaff]
    serializer_class = ReviewSubmissionSerializer
    filterset_class = ReviewSubmissionFilter
    queryset = Submission.objects.select_related("verified_by").order_by("created_at", "id")


class TransitionInputSerializer(StrictFieldsMixin, serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ReviewTransitionApi(APIView):
    """verify / publish / reject one submission, by permission (see the workflow table)."""

    permission_classes = [IsAuthenticated]
    action: str = ""

    @extend_schema(
        request=TransitionInputSerializer,
        responses={
            200: ReviewSubmissionSerializer,
            400: OpenApiResponse(description="A reject without `reason`."),
            401: ERROR,
            403: ERROR,
            404: ERROR,
            409: CONFLICT,
        },
    )
    def post(self, request, pk: int):
        serializer = TransitionInputSerializer(data=request.data or {})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        actor = request.user
        calls = {
            "verify": lambda: services.submission_verify(
                submission_id=pk, actor=actor, note=data.get("note", "")
            ),
            "publish": lambda: services.submission_publish(
                submission_id=pk, actor=actor, note=data.get("note", "")
            ),
            "reject": lambda: services.submission_reject(
                submission_id=pk, actor=actor, reason=data.get("reason", "")
            ),
        }
        result = workflow_call(calls[self.action])
        if isinstance(result, Response):
            return result
        return Response(ReviewSubmissionSerializer(result).data)


# --- Billing questions ---------------------------------------------------------------


class QuestionCreateApi(APIView):
    """Anyone may ask a billing question; throttled per client."""

    permission_classes = []
    throttle_classes = [AnonWritesThrottle]

    class InputSerializer(StrictFieldsMixin, serializers.Serializer):
        name = serializers.CharField(allow_blank=True, max_length=120)
        email = serializers.CharField(allow_blank=True, max_length=254)
        subject = serializers.CharField(allow_blank=True, max_length=services.SUBJECT_MAX)
        body = serializers.CharField(allow_blank=True, max_length=services.QUESTION_BODY_MAX)
        code = serializers.CharField(
            required=False, allow_blank=True, allow_null=True, max_length=10
        )
        publish_consent = serializers.BooleanField(required=False, default=False)

    class QuestionCreatedSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        status = serializers.CharField()
        due_at = serializers.DateTimeField()
        tracking_url = serializers.URLField()

    @extend_schema(
        operation_id="questions_create",
        request=inline_serializer(
            "QuestionCreateInput",
            {
                "name": serializers.CharField(),
                "email": serializers.EmailField(),
                "subject": serializers.CharField(),
                "body": serializers.CharField(),
                "code": serializers.CharField(required=False, allow_null=True),
                "publish_consent": serializers.BooleanField(required=False),
            },
        ),
        responses={
            201: QuestionCreatedSerializer,
            400: OpenApiResponse(description="Bad input; `errors` names each field."),
            429: ERROR,
        },
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question, token = services.question_create(
            **serializer.validated_data, source=Question.Source.API
        )
        return Response(
            {
                "id": question.pk,
                "status": question.status,
                "due_at": serializers.DateTimeField().to_representation(question.due_at),
                "tracking_url": request.build_absolute_uri(
                    reverse("contributions:track-question", args=[token])
                ),
            },
            status=status.HTTP_201_CREATED,
        )


class QuestionTrackSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    status = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    code = serializers.SerializerMethodField()
    received_at = serializers.DateTimeField()
    target_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)
    answer = serializers.SerializerMethodField()

    def get_code(self, obj) -> str | None:
        return obj.code.code if obj.code_id else None

    def get_answer(self, obj) -> str | None:
        return obj.answer if obj.answered_at else None


class QuestionTrackApi(APIView):
    """The asker's view of their question: state, and the answer once answered."""

    permission_classes = []

    @extend_schema(
        operation_id="questions_track", responses={200: QuestionTrackSerializer, 404: ERROR}
    )
    def get(self, request, token: str):
        try:
            question = services.question_by_token(token)
        except Question.DoesNotExist as exc:
            raise exceptions.NotFound("No question has this tracking link.") from exc
        return Response(QuestionTrackSerializer(question).data)
