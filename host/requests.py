"""Reading request bodies: JSON with a size limit and a clear error."""

from __future__ import annotations

from typing import Any

import msgspec
from flask import current_app, request

from .errors import ApiError


def json_body(expected: type = dict) -> Any:
    """The request's JSON (any size up to MAX_JSON_BYTES), checked to be of `expected` type."""
    limit = current_app.config["MAX_JSON_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "too_large", f"the request body is over {limit} bytes")
    data = request.get_data(cache=False)
    if len(data) > limit:
        raise ApiError(413, "too_large", f"the request body is over {limit} bytes")
    try:
        body = msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise ApiError(400, "malformed_json", f"malformed JSON: {exc}", "$") from None
    except RecursionError:
        raise ApiError(400, "malformed_json", "the JSON is nested too deeply", "$") from None
    if not isinstance(body, expected):
        kinds = {dict: "object", list: "array"}
        wanted = " or ".join(kinds[k] for k in (expected if isinstance(expected, tuple) else (expected,)))
        raise ApiError(400, "invalid", f"expected a JSON {wanted}", "$")
    return body


def int_arg(name: str, default: int | None = None) -> int | None:
    """A query-string integer (400 when it is not one)."""
    value = request.args.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ApiError(400, "invalid", f"query parameter {name}={value!r} is not an integer") from None
