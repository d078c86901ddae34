"""API-wide pieces: the JSON error shape every endpoint answers with."""

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from . import schema as _schema  # noqa: F401  (registers the strict-input schema extension)
from .errors import DomainError


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for field, value in detail.items():
            message = _first_message(value)
            return message if field in ("detail", "non_field_errors") else f"{field}: {message}"
        return ""
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else ""
    return str(detail)


def exception_handler(exc, context):
    """Every error is JSON: {"detail": "<one clear sentence>", "errors": {field: [...]}}.

    "detail" names the first offending field so a client can show one line;
    "errors" keeps DRF's per-field messages for forms. Domain errors (a refused
    transition, a publish conflict) answer their own status here, and a missing
    object a 404: views never map errors themselves.
    """
    if isinstance(exc, DomainError):
        set_rollback()
        return Response({"detail": exc.message, **exc.extra()}, status=exc.status_code)
    if isinstance(exc, ObjectDoesNotExist):
        set_rollback()
        return Response({"detail": str(exc) or "Not found."}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"detail": _first_message(errors), "errors": errors}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"])}
    return response


def _json_type_error(field: serializers.Field, value):
    """The error for a JSON value of the wrong type, or None.

    DRF turns 5 into "5" for a text field, "5" into 5 for a number and "yes" into
    True for a flag; the schema promises a string, an integer and a boolean, so a
    strict endpoint takes JSON's own types only.
    """
    if value is None:
        return None  # the field's own allow_null decides
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        errors = {
            str(index): [message]
            for index, item in enumerate(value)
            if (message := _json_type_error(field.child, item))
        }
        return errors or None
    if isinstance(field, serializers.CharField) and not isinstance(value, str):
        return "Not a valid string."
    if isinstance(field, serializers.IntegerField) and (
        isinstance(value, bool) or not isinstance(value, int)
    ):
        return "A valid integer is required."
    if isinstance(field, serializers.BooleanField) and not isinstance(value, bool):
        return "Must be true or false."
    return None


class StrictInputMixin:
    """Input as the schema states it: unknown keys refused (the schema says
    `additionalProperties: false`, see cdtsite.schema) and JSON types taken as they are."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
        # Every problem at once: unknown keys beside the known fields' own errors.
        errors = {name: ["Unknown field."] for name in sorted(set(data) - set(self.fields))}
        for name, field in self.fields.items():
            if name in data and (problem := _json_type_error(field, data[name])):
                errors[name] = problem if isinstance(problem, dict) else [problem]
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors = {**exc.detail, **errors}
        if errors:
            raise serializers.ValidationError(errors)
        return value


class ApiErrorSerializer(serializers.Serializer):
    """Schema of an error answer (403, 404, 405, 409, 429); for extend_schema(responses=...)."""

    detail = serializers.CharField()


class ApiValidationErrorSerializer(ApiErrorSerializer):
    """Schema of a 400 answer: the first problem in "detail", every problem by field."""

    # Absent when the body could not be read at all (not JSON, not UTF-8, too deep).
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


def _slash_appended(request) -> str | None:
    """The same path with a trailing slash, when that is a real API endpoint."""
    path = request.path_info
    if path.endswith("/"):
        return None
    try:
        match = resolve(f"{path}/")
    except Resolver404:
        return None
    return None if match.func is api_not_found else f"{request.path}/"


# Exempt: a POST to a mistyped URL should learn it is a 404, not fail the CSRF check.
@csrf_exempt
def api_not_found(request, rest=""):
    """Anything unknown under /api/: a JSON 404 instead of the HTML page.

    A path that only lacks its trailing slash gets what CommonMiddleware's
    APPEND_SLASH gives the rest of the site: a redirect for GET and HEAD, and a
    404 that names the right URL for other methods (a redirect would lose the body).
    """
    fixed = _slash_appended(request)
    if fixed and request.method in ("GET", "HEAD"):
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{fixed}?{query}" if query else fixed)
    detail = f"Not found. Did you mean {fixed} (with a trailing slash)?" if fixed else "Not found."
    return JsonResponse({"detail": detail}, status=status.HTTP_404_NOT_FOUND)
