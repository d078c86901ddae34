"""API pieces every workflow shares: strict input, error schemas, the throttle, and one
view class that runs any row of an action table."""

from __future__ import annotations

from types import ModuleType

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cdtsite.api import ApiValidationErrorSerializer, StrictInputMixin

from .actions import ActionTable, Input

ERROR = inline_serializer("Error", {"detail": serializers.CharField()})
CONFLICT = inline_serializer(
    "Conflict",
    {
        "detail": serializers.CharField(),
        "fields": serializers.ListField(child=serializers.CharField(), required=False),
    },
)


class StrictFieldsMixin(StrictInputMixin):
    """Reject keys the endpoint does not know (a typo should not pass silently) and
    values of the wrong JSON type."""


def _field(spec: Input) -> serializers.Field:
    if spec.kind == "user":
        return serializers.IntegerField(required=spec.required, help_text=spec.help or "A user id.")
    return serializers.CharField(
        required=spec.required,
        allow_blank=not spec.required,
        max_length=spec.max_length,
        help_text=spec.help,
    )


def input_serializer(table: ActionTable, name: str) -> type[serializers.Serializer]:
    """The strict input serializer of one action, from the inputs its table row names."""
    fields = {spec.name: _field(spec) for spec in table.first(name).inputs}
    class_name = f"{table.noun.title().replace(' ', '')}{name.title()}Input"
    return type(class_name, (StrictFieldsMixin, serializers.Serializer), fields)


def transition_api(
    table: ActionTable,
    services: ModuleType,
    name: str,
    *,
    output: type[serializers.Serializer],
    permission_classes=(IsAuthenticated,),
    resolve_inputs=None,
    resolve_pk=None,
) -> APIView:
    """A view for POST …/<pk>/<name>/ that runs the table's service for `name`.

    Refusals are domain errors; cdtsite.api's exception handler maps them to
    403 / 404 / 409 in one place. `resolve_inputs(data)` may turn ids into objects;
    `resolve_pk(**url_kwargs)` finds the object's id when the URL names it otherwise
    (a release by its edition).
    """
    serializer_class = input_serializer(table, name)

    class TransitionApi(APIView):
        @extend_schema(
            operation_id=f"{table.id_argument.removesuffix('_id')}_{name}",
            request=serializer_class,
            responses={
                200: output,
                400: OpenApiResponse(
                    ApiValidationErrorSerializer,
                    description="Bad input; `errors` names each field.",
                ),
                401: ERROR,
                403: ERROR,
                404: ERROR,
                409: CONFLICT,
            },
        )
        def post(self, request, **url_kwargs):
            pk = resolve_pk(**url_kwargs) if resolve_pk else url_kwargs["pk"]
            serializer = serializer_class(data=request.data or {})
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            if resolve_inputs is not None:
                data = resolve_inputs(data)
            result = table.call(services, name=name, pk=pk, actor=request.user, data=data)
            return Response(output(result).data)

    TransitionApi.permission_classes = list(permission_classes)
    TransitionApi.__name__ = TransitionApi.__qualname__ = f"{name.title()}Api"
    return TransitionApi.as_view()
