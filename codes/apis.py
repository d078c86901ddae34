"""The read-only catalog API: published codes, their history, the category tree.

Anyone may read; nothing here writes. Each endpoint costs a fixed number of
queries whatever the number of codes or related codes. Codes are answered as in
force on a date of service (`?on=`, default today): see `codes.versions`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Count
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cdtsite.api import ApiErrorSerializer, ApiValidationErrorSerializer, StrictInputMixin

from .filters import CodeFilter
from .models import Category, Code, CodeRevision, code_validator
from .services import normalize_code
from .validation import MAX_CODES, claim_lines_check
from .versions import CodeNotInForce, code_on, day_parse, today


class CatalogPagination(PageNumberPagination):
    """The site's page size (50) unless the client asks for 1 to 200."""

    page_size_query_param = "page_size"
    max_page_size = 200
    page_size_query_description = f"Results per page, 1 to {max_page_size}."

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        # Not a page number at all is bad input (400); a page past the last is a 404.
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and (not raw.isdigit() or int(raw) < 1):
            raise exceptions.ValidationError(
                {self.page_query_param: ["A page number: a whole number from 1."]}
            )
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


# --- Serializers -------------------------------------------------------------


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ("slug", "name")
        read_only_fields = fields


class CodeListSerializer(serializers.ModelSerializer):
    category = CategoryRefSerializer(read_only=True)
    cdt_edition = serializers.IntegerField(
        read_only=True, help_text="The CDT edition in force on the date asked (`on`, or today)."
    )
    url = serializers.HyperlinkedIdentityField(view_name="api-code-detail", lookup_field="code")
    html_url = serializers.SerializerMethodField(help_text="The code's public page.")

    class Meta:
        model = Code
        fields = (
            "code",
            "nomenclature",
            "descriptor",
            "category",
            "status",
            "cdt_edition",
            "effective_year",
            "deleted_year",
            "revision",
            "updated_at",
            "url",
            "html_url",
        )
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_html_url(self, obj: Code) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


class RelatedCodeSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-code-detail", lookup_field="code")

    class Meta:
        model = Code
        fields = ("code", "nomenclature", "url")
        read_only_fields = fields


class CodeDetailSerializer(CodeListSerializer):
    related_codes = RelatedCodeSerializer(many=True, read_only=True)
    revisions_url = serializers.HyperlinkedIdentityField(
        view_name="api-code-revisions", lookup_field="code"
    )

    class Meta(CodeListSerializer.Meta):
        fields = (
            *CodeListSerializer.Meta.fields[:3],
            "body",
            "documentation",
            "billing_tips",
            "related_codes",
            *CodeListSerializer.Meta.fields[3:],
            "created_at",
            "revisions_url",
        )
        read_only_fields = fields


class CodeRevisionSerializer(serializers.ModelSerializer):
    """A published revision. Who published it is deliberately left out (it is a person)."""

    category = CategoryRefSerializer(read_only=True)
    related_codes = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Code numbers, sorted."
    )
    changed_fields = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = CodeRevision
        fields = (
            "revision",
            "published_at",
            "changed_fields",
            "note",
            "restored_from",
            "nomenclature",
            "descriptor",
            "body",
            "documentation",
            "billing_tips",
            "related_codes",
            "category",
            "status",
            "effective_year",
            "deleted_year",
        )
        read_only_fields = fields


class CategoryNodeSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(
        source="parent_slug", allow_null=True, read_only=True, help_text="The parent's slug."
    )
    code_count = serializers.IntegerField(
        read_only=True, help_text="Codes (active and deleted) here and in every subcategory."
    )
    children = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = (
            "name",
            "slug",
            "description",
            "range_start",
            "range_end",
            "code_range",
            "parent",
            "code_count",
            "children",
        )
        read_only_fields = fields

    def get_children(self, obj: Category):
        return CategoryNodeSerializer(obj.tree_children, many=True, context=self.context).data


# The tree is recursive: declared once the class exists.
extend_schema_field(CategoryNodeSerializer(many=True))(CategoryNodeSerializer.get_children)


# --- Views -------------------------------------------------------------------

CODE_PARAMETER = OpenApiParameter(
    "code",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="A CDT code, any case: `D0370` or `d0370`.",
)
NOT_FOUND = {404: ApiErrorSerializer}
ON_PARAMETER = OpenApiParameter(
    "on",
    OpenApiTypes.DATE,
    OpenApiParameter.QUERY,
    description=(
        "A date of service, YYYY-MM-DD: answer with the code set (or code) as in force "
        "that day, with its nomenclature, descriptor and status then. Default: today."
    ),
)


class CodeNotInForceSerializer(serializers.Serializer):
    """Schema of a 404 of one code: not a code, no such code, or (with `code` and its
    dates) a code not valid on the date asked."""

    detail = serializers.CharField()
    code = serializers.CharField(
        required=False, help_text="With the dates below, when the code exists at all."
    )
    valid_from = serializers.DateField(
        required=False, allow_null=True, help_text="First day it was valid; null: no known start."
    )
    valid_until = serializers.DateField(
        required=False, allow_null=True, help_text="Last day it was valid; null: still valid."
    )


def on_date(request) -> tuple:
    """(the date of service asked for or today, whether one was asked); 400 naming `on`."""
    raw = request.query_params.get("on")
    if raw is None:
        return today(), False
    if not raw.strip():
        raise exceptions.ValidationError({"on": ["Give a date, YYYY-MM-DD, or leave `on` out."]})
    try:
        return day_parse(raw), True
    except ValueError as exc:
        raise exceptions.ValidationError({"on": [str(exc)]}) from None


@extend_schema_view(
    list=extend_schema(
        summary="Published codes",
        description=(
            "Ordered by code, or best match first when `q` is given. Each code as in force "
            "on `on` (default today): codes not yet in force then are left out, codes "
            "deleted by then have status `deleted`. "
            "Invalid filter values answer 400 naming the parameter."
        ),
        parameters=[ON_PARAMETER],
        responses={
            200: CodeListSerializer(many=True),
            400: ApiValidationErrorSerializer,
            404: OpenApiResponse(ApiErrorSerializer, description="A page past the last."),
        },
    ),
    retrieve=extend_schema(
        summary="One code",
        description=(
            "The lookup ignores case (`d0370` answers like `D0370`, without a redirect); "
            "`url` in the answer is the canonical address. With `on`, the code as in "
            "force that day, or 404 with when it was valid. Without `on`, as today; a "
            "deleted code then still answers, with status `deleted`."
        ),
        parameters=[CODE_PARAMETER, ON_PARAMETER],
        responses={
            200: CodeDetailSerializer,
            400: ApiValidationErrorSerializer,
            404: CodeNotInForceSerializer,
        },
    ),
)
class CodeViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    lookup_field = "code"
    # Anything up to the next slash reaches get_object, which answers a JSON 404.
    lookup_value_regex = "[^/]+"
    filterset_class = CodeFilter
    pagination_class = CatalogPagination
    serializer_class = CodeListSerializer

    def get_queryset(self):
        if self.action == "list":
            day, _ = on_date(self.request)
            return Code.objects.for_listing().on(day).order_by("code")
        return Code.objects.for_listing().order_by("code")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return CodeDetailSerializer
        if self.action == "revisions":
            return CodeRevisionSerializer
        return super().get_serializer_class()

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        for code in page:
            code.show_version()
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        # The list filters do not apply to one code: /api/codes/D0370/?status=deleted is D0370.
        day, asked = on_date(request)
        number = self._number()
        try:
            code = code_on(number, day, deleted_ok=not asked, page=True)
        except CodeNotInForce as exc:
            if not exc.span.known and not asked:
                raise exceptions.NotFound(f"No code {number}.") from None
            return Response(exc.as_dict(), status=404)
        for related in code.related_codes.all():
            related.show_version()
        return Response(self.get_serializer(code).data)

    def _number(self) -> str:
        raw = self.kwargs[self.lookup_field]
        number = normalize_code(raw)
        try:
            code_validator(number)
        except ValidationError:
            raise exceptions.NotFound(
                f"“{raw[:20]}” is not a CDT code: the letter D and four digits, like D0370."
            ) from None
        return number

    def get_object(self) -> Code:
        number = self._number()
        code = self.get_queryset().filter(code=number).first()
        if code is None:
            raise exceptions.NotFound(f"No code {number}.")
        self.check_object_permissions(self.request, code)
        return code

    @extend_schema(
        summary="A code's published history",
        description="Every published revision, newest first, each a full snapshot.",
        parameters=[CODE_PARAMETER],
        responses={
            200: CodeRevisionSerializer(many=True),
            400: ApiValidationErrorSerializer,
            **NOT_FOUND,
        },
    )
    @action(detail=True, methods=["get"], filter_backends=[], url_path="revisions")
    def revisions(self, request, code=None):
        code = self.get_object()
        revisions = (
            CodeRevision.objects.filter(code=code).select_related("category").order_by("-revision")
        )
        page = self.paginate_queryset(revisions)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="The category tree",
        description=(
            "Top-level categories of service in code order, each with its subcategories "
            "in `children`. Not paginated: the set is small and fixed."
        ),
    ),
)
class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [AllowAny]
    serializer_class = CategoryNodeSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        # Meta.ordering is not applied to a GROUP BY query: order explicitly.
        return Category.objects.annotate(own_code_count=Count("codes")).order_by(
            *Category._meta.ordering
        )

    def list(self, request, *args, **kwargs):
        categories = list(self.get_queryset())
        by_pk = {category.pk: category for category in categories}
        for category in categories:
            category.tree_children = []
            parent = by_pk.get(category.parent_id)
            category.parent_slug = parent.slug if parent else None
        for category in categories:
            if category.parent_id in by_pk:
                by_pk[category.parent_id].tree_children.append(category)
        roots = [category for category in categories if category.parent_id not in by_pk]
        for root in roots:
            _count_codes(root)
        return Response(self.get_serializer(roots, many=True).data)


def _count_codes(category: Category) -> int:
    category.code_count = category.own_code_count + sum(
        _count_codes(child) for child in category.tree_children
    )
    return category.code_count


# --- Claim-line check ---------------------------------------------------------------


class ClaimCheckInputSerializer(StrictInputMixin, serializers.Serializer):
    date_of_service = serializers.DateField(
        input_formats=["%Y-%m-%d"], help_text="The claim's date of service, YYYY-MM-DD."
    )
    codes = serializers.ListField(
        child=serializers.CharField(max_length=40, allow_blank=True, trim_whitespace=False),
        min_length=1,
        max_length=MAX_CODES,
        help_text=f"The claim's procedure codes, 1 to {MAX_CODES}.",
        error_messages={
            "max_length": f"At most {MAX_CODES} codes in one check.",
            "min_length": "Send at least one code.",
        },
    )


class ClaimLineSerializer(serializers.Serializer):
    code = serializers.CharField()
    valid = serializers.BooleanField()
    cdt_edition = serializers.IntegerField(required=False, help_text="When valid.")
    nomenclature = serializers.CharField(required=False, help_text="When valid: the title then.")
    reason = serializers.CharField(
        required=False,
        help_text=(
            "When not valid: the edition a deleted code left, when a code takes effect, "
            "or that it is unknown or malformed."
        ),
    )


class ClaimCheckOutputSerializer(serializers.Serializer):
    results = ClaimLineSerializer(many=True)


class ClaimCheckApi(APIView):
    """Checks the lines of a claim; it writes nothing, so it needs no session (and no CSRF)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        summary="Check a claim's codes for one date of service",
        description=(
            f"Up to {MAX_CODES} codes; one result per code, in the order sent. "
            "A code is valid when it is in force on the date of service."
        ),
        request=ClaimCheckInputSerializer,
        responses={200: ClaimCheckOutputSerializer, 400: ApiValidationErrorSerializer},
    )
    def post(self, request):
        data = ClaimCheckInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        results = claim_lines_check(
            day=data.validated_data["date_of_service"], codes=data.validated_data["codes"]
        )
        return Response({"results": results})
