"""JSON API of billing questions: ask, track, and the experts' actions.

Thin views over questions.services; domain errors are answered by cdtsite.api's
exception handler (403 / 404 / 409).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from cdtsite.api import ApiValidationErrorSerializer
from cdtsite.throttling import AnonWritesThrottle  # one bucket with the HTML forms
from contributions.core.api import ERROR, StrictFieldsMixin

from . import selectors, services
from .admin_report import report_period
from .models import Question
from .workflow import REPORT


class QuestionCreateApi(APIView):
    """Anyone may ask a billing question; throttled per client."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [AnonWritesThrottle]

    @extend_schema_serializer(component_name="QuestionCreateInput")
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
        request=InputSerializer,
        responses={
            201: QuestionCreatedSerializer,
            400: OpenApiResponse(
                ApiValidationErrorSerializer, description="Bad input; `errors` names each field."
            ),
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

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="questions_track", responses={200: QuestionTrackSerializer, 404: ERROR}
    )
    def get(self, request, token: str):
        try:
            question = services.question_by_token(token)
        except Question.DoesNotExist as exc:
            raise exceptions.NotFound("No question has this tracking link.") from exc
        return Response(QuestionTrackSerializer(question).data)


class QuestionStaffSerializer(serializers.ModelSerializer):
    """An expert's view of a question after an action (never the asker's email)."""

    code = serializers.SerializerMethodField()
    assigned_to = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Question
        fields = [
            "id",
            "status",
            "subject",
            "code",
            "assigned_to",
            "received_at",
            "target_at",
            "due_at",
            "first_response_at",
            "answered_at",
            "answer",
            "is_published",
        ]

    def get_code(self, obj) -> str | None:
        return obj.code.code if obj.code_id else None


def resolve_assignee(data: dict) -> dict:
    """The API names an assignee by user id; the service takes the user."""
    if "assignee" in data:
        try:
            data["assignee"] = get_user_model().objects.get(pk=data["assignee"], is_active=True)
        except get_user_model().DoesNotExist as exc:
            raise exceptions.ValidationError({"assignee": ["No active user has this id."]}) from exc
    return data


class CanSeeReport(permissions.BasePermission):
    """Expert leads (view_response_report); anonymous callers get 401, others 403."""

    message = "Only expert leads see the response-time report."

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        return request.user.has_perm(REPORT)


class QuestionReportApi(APIView):
    """The response-time report of the admin's report page, for operators' dashboards."""

    permission_classes = [CanSeeReport]
    # The contract's keys, in its order; nothing else is answered.
    KEYS = (
        "received",
        "answered",
        "median_first_response_hours",
        "p90_first_response_hours",
        "due_in_period",
        "within_promise",
        "within_promise_share",
        "open_overdue",
    )
    # The admin form's fields by their API names.
    PARAMS = {"from": "start", "to": "end"}

    class ReportSerializer(serializers.Serializer):
        received = serializers.IntegerField()
        answered = serializers.IntegerField()
        median_first_response_hours = serializers.FloatField(allow_null=True)
        p90_first_response_hours = serializers.FloatField(allow_null=True)
        due_in_period = serializers.IntegerField()
        within_promise = serializers.IntegerField()
        within_promise_share = serializers.FloatField(allow_null=True)
        open_overdue = serializers.IntegerField()

    @extend_schema(
        operation_id="reports_questions",
        parameters=[
            OpenApiParameter(
                "from", OpenApiTypes.DATE, description="First day (default: 27 days before `to`)"
            ),
            OpenApiParameter(
                "to", OpenApiTypes.DATE, description="Last day, included (default: today)"
            ),
        ],
        responses={
            200: ReportSerializer,
            400: OpenApiResponse(description="A bad date; `errors` names `from` or `to`."),
            401: ERROR,
            403: ERROR,
        },
    )
    def get(self, request):
        asked = {self.PARAMS[k]: v for k, v in request.query_params.items() if k in self.PARAMS}
        form = report_period(asked)
        if not form.is_valid():
            names = {form_name: api_name for api_name, form_name in self.PARAMS.items()}
            raise exceptions.ValidationError(
                {names.get(field, "from"): errors for field, errors in form.errors.items()}
            )
        period = form.cleaned_data
        report = selectors.response_report(start=period["start"], end=period["end"])
        return Response({key: report[key] for key in self.KEYS})
