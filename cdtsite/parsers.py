"""The API's JSON parser, bounded: body size, nesting depth, and text PostgreSQL can store.

Every anonymous write is JSON, so one parser is where a body too large (413), too
deep (400, instead of a RecursionError) or holding a NUL or a lone surrogate (400
naming the field, instead of PostgreSQL's DataError) is refused, before any
serializer or service sees it.
"""

from __future__ import annotations

import codecs
import json
import re

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

# Characters PostgreSQL's text and jsonb refuse, or that cannot be encoded as UTF-8.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


def max_body_bytes() -> int:
    return getattr(settings, "API_MAX_BODY_BYTES", 256 * 1024)


def max_depth() -> int:
    return getattr(settings, "API_MAX_JSON_DEPTH", 16)


def unstorable_reason(text: str) -> str | None:
    """Why `text` cannot be stored, or None."""
    match = _UNSTORABLE.search(text)
    if match is None:
        return None
    if match.group() == "\x00":
        return "Null characters are not allowed."
    return "Lone surrogate characters are not allowed."


def check_json_value(value, *, limit_depth: int) -> None:
    """Refuse nesting deeper than `limit_depth` and unstorable text, naming the field.

    Iterative, so no input can exhaust the stack here.
    """
    stack: list[tuple[object, str, int]] = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= limit_depth:
                raise exceptions.ValidationError(
                    {path or "non_field_errors": [f"Nested deeper than {limit_depth} levels."]}
                )
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                if isinstance(key, str):
                    reason = unstorable_reason(key)
                    if reason:
                        raise exceptions.ValidationError({path or "non_field_errors": [reason]})
                    child_path = f"{path}.{key}" if path else key
                else:
                    child_path = f"{path}[{key}]"
                stack.append((child, child_path, depth + 1))
        elif isinstance(item, str):
            reason = unstorable_reason(item)
            if reason:
                raise exceptions.ValidationError({path or "non_field_errors": [reason]})


class BoundedJSONParser(JSONParser):
    """JSONParser with a size cap (413), a depth cap and storable text only (400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = max_body_bytes()
        request = parser_context.get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        try:
            if declared and int(declared) > limit:
                raise RequestTooLarge(f"The request body is larger than {limit} bytes.")
        except ValueError:
            pass
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(f"The request body is larger than {limit} bytes.")
        try:
            text = codecs.decode(raw, encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise exceptions.ParseError(f"The body is not valid {encoding} text.") from exc
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError as exc:
            raise exceptions.ParseError(f"JSON nested deeper than {max_depth()} levels.") from exc
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from exc
        check_json_value(data, limit_depth=max_depth())
        return data


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")
