"""The OpenAPI schema says what the server does (tests/api/test_schema_conformance.py
holds it to that): strict inputs refuse unknown keys, text that trims to nothing is
refused, every token-authenticated operation may answer 401, and 400s carry the
field errors as DRF nests them."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

# What a client gets for a bad field: a list of messages, or, for a list or a dict
# field, the same shape keyed by index or key ({"codes": {"3": ["Not a valid string."]}}).
FIELD_ERRORS = {
    "type": "object",
    "description": "Messages by field; a list or dict field's by index or key.",
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"type": "string"}},
            {"$ref": "#/components/schemas/FieldErrors"},
        ]
    },
}
UNAUTHORIZED = {
    "description": "The token or session is not valid, or none was sent where one is needed.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}


class StrictInputExtension(OpenApiSerializerExtension):
    """cdtsite.api.StrictInputMixin refuses unknown keys: say so. A text field that
    trims whitespace and may not be blank needs one non-space character."""

    target_class = "cdtsite.api.StrictInputMixin"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["additionalProperties"] = False
        for name, field in self.target.fields.items():
            prop = schema.get("properties", {}).get(name)
            if (
                prop is not None
                and type(field) is serializers.CharField
                and field.trim_whitespace
                and not field.allow_blank
                and "pattern" not in prop
            ):
                prop["pattern"] = r"\S"
        return schema

    def get_name(self, auto_schema, direction):
        return None


def postprocess(result, generator, request, public):
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["FieldErrors"] = FIELD_ERRORS
    schemas.setdefault("Error", ERROR)
    if "ApiValidationError" in schemas:
        schemas["ApiValidationError"]["properties"]["errors"] = {
            "$ref": "#/components/schemas/FieldErrors"
        }
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            # DRF checks a sent token before anything else, on every view that takes one.
            security = operation.get("security", [])
            if any("tokenAuth" in option for option in security):
                operation["responses"].setdefault("401", UNAUTHORIZED)
    return result
