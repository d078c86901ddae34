"""FHIR terminology operations: thin DRF views over `codes.versions`.

Every answer is `application/fhir+json` whatever the client's Accept header
says (FHIR JSON is the only format offered), and every error is an
`OperationOutcome`: 400 for a bad parameter, 404 for an unknown code or code
system, 405 for another method. Anonymous and read-only.
"""

from __future__ import annotations

import datetime
import re

from django.http import JsonResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import CODE_PATTERN, Code
from ..selectors import code_search
from ..services import normalize_code
from ..versions import CodeNotInForce, code_on, edition_schedule, today
from . import resources

FHIR_JSON = "application/fhir+json"
EXPAND_COUNT_DEFAULT = 100
EXPAND_COUNT_MAX = 1000
FILTER_MAX = 100
_code_re = re.compile(CODE_PATTERN)
# FHIR's date and dateTime: the date of service is the date part.
_date_re = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})(T[0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2})?)?$")


class FhirJsonRenderer(JSONRenderer):
    media_type = FHIR_JSON
    format = "fhir+json"


class FhirOnlyNegotiation(BaseContentNegotiation):
    """FHIR JSON whatever Accept or `_format` asks: there is nothing else to offer."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class FhirError(exceptions.APIException):
    """An error answered as an OperationOutcome with FHIR's issue type."""

    def __init__(self, message: str, *, status_code: int, issue: str, expression: str = ""):
        self.status_code, self.issue, self.expression = status_code, issue, expression
        super().__init__(message)


def bad_parameter(name: str, message: str) -> FhirError:
    return FhirError(f"{name}: {message}", status_code=400, issue="invalid", expression=name)


def not_found(message: str, expression: str = "") -> FhirError:
    return FhirError(message, status_code=404, issue="not-found", expression=expression)


_ISSUES = {
    400: "invalid",
    401: "security",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    415: "not-supported",
    429: "throttled",
}


def fhir_exception_handler(exc, context):
    if not isinstance(exc, exceptions.APIException):
        return None  # a real server error: Django's 500
    issue = getattr(exc, "issue", "") or _ISSUES.get(exc.status_code, "processing")
    detail = exc.detail
    message = detail if isinstance(detail, str) else str(exceptions.APIException(detail).detail)
    body = resources.operation_outcome(
        code=issue, message=str(message), expression=getattr(exc, "expression", "")
    )
    return Response(body, status=exc.status_code)


class FhirView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    renderer_classes = [FhirJsonRenderer]
    content_negotiation_class = FhirOnlyNegotiation

    def get_exception_handler(self):
        return fhir_exception_handler

    # --- parameters ---

    def param(self, name: str, *, required: bool = False, max_length: int = 100) -> str:
        value = self.request.query_params.get(name, "").replace("\x00", "").strip()
        if required and not value:
            raise bad_parameter(name, "this parameter is required.")
        if len(value) > max_length:
            raise bad_parameter(name, f"at most {max_length} characters.")
        return value

    def date_param(self) -> datetime.date:
        raw = self.param("date", max_length=40)
        if not raw:
            return today()
        match = _date_re.match(raw)
        try:
            if not match:
                raise ValueError
            return datetime.date.fromisoformat(match.group(1))
        except ValueError:
            raise bad_parameter(
                "date", f"“{raw}” is not a date: use YYYY-MM-DD, like 2026-06-01."
            ) from None

    def int_param(self, name: str, default: int, maximum: int) -> int:
        raw = self.param(name, max_length=10)
        if not raw:
            return default
        if not raw.isdigit() or int(raw) > maximum:
            raise bad_parameter(name, f"a whole number from 0 to {maximum}.")
        return int(raw)

    def system_param(self, *names: str) -> str:
        given = [name for name in names if self.param(name, max_length=300)]
        if not given:
            raise bad_parameter(names[0], f"this parameter is required ({resources.CDT_SYSTEM}).")
        for name in given:
            value = self.param(name, max_length=300).split("|", 1)[0]
            if value != resources.CDT_SYSTEM:
                raise not_found(
                    f"{name}: unknown code system “{value}”; this server knows "
                    f"{resources.CDT_SYSTEM}.",
                    name,
                )
        return resources.CDT_SYSTEM


def _parameters(*extra: OpenApiParameter) -> list[OpenApiParameter]:
    return [
        *extra,
        OpenApiParameter(
            "date",
            OpenApiTypes.DATE,
            description=(
                "Date of service (YYYY-MM-DD): the code set as in force then; default today."
            ),
        ),
    ]


CODE = OpenApiParameter(
    "code", OpenApiTypes.STR, required=True, description="A CDT code, e.g. D0370."
)
ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="OperationOutcome: a bad parameter."),
    404: OpenApiResponse(
        OpenApiTypes.OBJECT, description="OperationOutcome: unknown code or code system."
    ),
}


class MetadataApi(FhirView):
    @extend_schema(
        operation_id="fhir_metadata",
        summary="FHIR CapabilityStatement",
        tags=["fhir"],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="CapabilityStatement")},
    )
    def get(self, request):
        base = request.build_absolute_uri("/fhir")
        return Response(resources.capability_statement(base_url=base, day=today()))


class LookupApi(FhirView):
    @extend_schema(
        operation_id="fhir_codesystem_lookup",
        summary="CodeSystem $lookup: a CDT code as in force on a date",
        tags=["fhir"],
        parameters=_parameters(
            OpenApiParameter(
                "system", OpenApiTypes.URI, required=True, description=resources.CDT_SYSTEM
            ),
            CODE,
        ),
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=(
                    "Parameters: name, version (the edition), display, designation, property."
                ),
            ),
            **ERRORS,
        },
    )
    def get(self, request):
        self.system_param("system")
        number = normalize_code(self.param("code", required=True, max_length=40))
        day = self.date_param()
        if not _code_re.match(number):
            raise not_found(
                f"“{number[:20]}” is not a CDT code: the letter D and four digits.", "code"
            )
        try:
            code = code_on(number, day)
        except CodeNotInForce as exc:
            raise not_found(exc.message, "code") from None
        return Response(
            resources.lookup_parameters(
                edition=code.cdt_edition,
                nomenclature=code.nomenclature,
                descriptor=code.descriptor,
                status=code.status,
            )
        )


class ValidateCodeApi(FhirView):
    @extend_schema(
        operation_id="fhir_codesystem_validate_code",
        summary="CodeSystem $validate-code: is a CDT code valid on a date of service?",
        tags=["fhir"],
        parameters=_parameters(
            OpenApiParameter(
                "url",
                OpenApiTypes.URI,
                description=f"The code system, {resources.CDT_SYSTEM} (or give it as `system`).",
            ),
            OpenApiParameter("system", OpenApiTypes.URI, description="The same as `url`."),
            CODE,
            OpenApiParameter(
                "display", OpenApiTypes.STR, description="A title to check against the code's."
            ),
        ),
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=(
                    "Parameters: result, display, version, and message when result is false."
                ),
            ),
            **ERRORS,
        },
    )
    def get(self, request):
        self.system_param("url", "system")
        raw = self.param("code", required=True, max_length=40)
        display = self.param("display", max_length=300)
        day = self.date_param()
        number = normalize_code(raw)
        schedule = edition_schedule()
        edition = schedule.edition_of(day)
        if not _code_re.match(number):
            message = f"“{raw[:20]}” is not a CDT code: the letter D and four digits, like D0370."
            return Response(
                resources.validate_parameters(result=False, edition=edition, message=message)
            )
        try:
            code = code_on(number, day, schedule=schedule)
        except CodeNotInForce as exc:
            return Response(
                resources.validate_parameters(result=False, edition=edition, message=exc.message)
            )
        if display and _words(display) != _words(code.nomenclature):
            message = (
                f"The display “{display}” is not the title of {number} in CDT {edition}: "
                f"“{code.nomenclature}”."
            )
            return Response(
                resources.validate_parameters(
                    result=False, edition=edition, display=code.nomenclature, message=message
                )
            )
        return Response(
            resources.validate_parameters(result=True, edition=edition, display=code.nomenclature)
        )


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


class ExpandApi(FhirView):
    @extend_schema(
        operation_id="fhir_valueset_expand",
        summary="ValueSet $expand: CDT codes in force on a date, for type-ahead",
        tags=["fhir"],
        parameters=_parameters(
            OpenApiParameter(
                "url", OpenApiTypes.URI, required=True, description=resources.CDT_VALUE_SET
            ),
            OpenApiParameter(
                "filter",
                OpenApiTypes.STR,
                description=(
                    "A code number or its start (`D03`), or words in the title or descriptor."
                ),
            ),
            OpenApiParameter(
                "count",
                OpenApiTypes.INT,
                description=(
                    f"Codes to return, 0 to {EXPAND_COUNT_MAX} (default {EXPAND_COUNT_DEFAULT})."
                ),
            ),
            OpenApiParameter("offset", OpenApiTypes.INT, description="Codes to skip (default 0)."),
        ),
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="ValueSet with expansion.total and expansion.contains.",
            ),
            **ERRORS,
        },
    )
    def get(self, request):
        url = self.param("url", required=True, max_length=300)
        if url.split("|", 1)[0] != resources.CDT_VALUE_SET:
            raise not_found(
                f"url: unknown value set “{url}”; this server knows {resources.CDT_VALUE_SET}.",
                "url",
            )
        text = self.param("filter", max_length=FILTER_MAX)
        count = self.int_param("count", EXPAND_COUNT_DEFAULT, EXPAND_COUNT_MAX)
        offset = self.int_param("offset", 0, 10**6)
        day = self.date_param()
        codes = Code.objects.on(day).filter(on_status=Code.Status.ACTIVE)
        codes = code_search(codes, text, text_prefix="on_") if text else codes.order_by("code")
        total = codes.count()
        rows = (
            list(codes.values_list("code", "on_nomenclature")[offset : offset + count])
            if count
            else []
        )
        return Response(
            resources.expansion(
                rows=rows,
                total=total,
                offset=offset,
                count=count,
                edition=edition_schedule().edition_of(day),
                day=day,
                text=text,
                now=timezone.now(),
            )
        )


def not_found_view(request, rest: str = "") -> JsonResponse:
    """Anything else under /fhir/: an OperationOutcome, not the HTML 404 page."""
    body = resources.operation_outcome(
        code="not-supported",
        message=f"{request.path} is not supported here; see /fhir/metadata for what is.",
    )
    return JsonResponse(body, status=status.HTTP_404_NOT_FOUND, content_type=FHIR_JSON)
