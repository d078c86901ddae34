"""The releases' API: read a release by edition, and one endpoint per row of the
workflow's table (POST /api/releases/<edition>/<action>/, see api_urls)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import BasePermission

from contributions.core.api import ERROR

from .models import Release, ReleaseChange
from .services import release_for_edition
from .workflow import PUBLISH, VERIFY

FIELD_DIFF = inline_serializer(
    "FieldDiff", {"old": serializers.JSONField(), "new": serializers.JSONField()}
)


class CanReviewReleases(BasePermission):
    """Reviewers and publishers (who hold verify_release or publish_release)."""

    message = "Only reviewers and publishers see releases."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated) and (
            user.has_perm(VERIFY) or user.has_perm(PUBLISH)
        )


class ReleaseChangeSerializer(serializers.ModelSerializer):
    fields = serializers.DictField(
        child=FIELD_DIFF, help_text="Each changed field: {old, new}; old is null for a new code."
    )

    class Meta:
        model = ReleaseChange
        fields = ("code", "kind", "fields")
        read_only_fields = fields


class ReleaseSerializer(serializers.ModelSerializer):
    counts = serializers.SerializerMethodField()

    class Meta:
        model = Release
        fields = (
            "edition",
            "effective_on",
            "status",
            "source_name",
            "counts",
            "created_at",
            "verified_at",
            "published_at",
            "rejected_at",
            "rejection_reason",
            "rolled_back_at",
        )
        read_only_fields = fields

    def get_counts(self, obj: Release) -> dict[str, int]:
        counts = dict.fromkeys(ReleaseChange.Kind.values, 0)
        for change in obj.changes.all():
            counts[change.kind] += 1
        counts["unchanged"] = obj.unchanged_count
        return counts


class ReleaseDetailSerializer(ReleaseSerializer):
    changes = ReleaseChangeSerializer(many=True, read_only=True)

    class Meta(ReleaseSerializer.Meta):
        fields = (*ReleaseSerializer.Meta.fields, "changes")
        read_only_fields = fields


def _with_changes():
    return Release.objects.prefetch_related("changes")


@extend_schema(
    summary="Yearly releases",
    description="Every release, newest edition first. Reviewers and publishers only.",
    responses={200: ReleaseSerializer(many=True), 401: ERROR, 403: ERROR},
)
class ReleaseListApi(ListAPIView):
    permission_classes = [CanReviewReleases]
    serializer_class = ReleaseSerializer
    pagination_class = None

    def get_queryset(self):
        return _with_changes().order_by("-edition", "-created_at", "-id")


@extend_schema(
    summary="One edition's release",
    description=(
        "The release under way or published for the edition (else its latest), with "
        "one entry per changed code. Reviewers and publishers only."
    ),
    responses={200: ReleaseDetailSerializer, 401: ERROR, 403: ERROR, 404: ERROR},
)
class ReleaseDetailApi(RetrieveAPIView):
    permission_classes = [CanReviewReleases]
    serializer_class = ReleaseDetailSerializer

    def get_object(self):
        release = release_for_edition(self.kwargs["edition"])
        return _with_changes().get(pk=release.pk)
