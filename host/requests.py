"""Reading requests: each route's body limit (applied before the body is read), JSON bodies,
and query-string integers, with clear errors."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from flask import current_app, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wsgi import get_input_stream

from . import MAX_ID
from .errors import ApiError

_INTEGER = re.compile(r"[+-]?[0-9]{1,30}")


def largest_body(app) -> int:
    """The largest body any route takes (uploads or JSON): the servers' own limit backs it up."""
    return max(app.config["MAX_CONTENT_LENGTH"], app.config["MAX_JSON_BYTES"])


def accepts_uploads(view):
    """A view decorator: the view takes multipart/form-data uploads of up to MAX_CONTENT_LENGTH
    bytes (every other body, and every other view's, is limited to MAX_JSON_BYTES)."""
    view.accepts_uploads = True
    return view


def body_limit(config, view, content_type: str) -> int:
    """The most bytes a body sent to `view` with `content_type` may have."""
    multipart = content_type.partition(";")[0].strip().lower() == "multipart/form-data"
    uploads = multipart and getattr(view, "accepts_uploads", False)
    return config["MAX_CONTENT_LENGTH"] if uploads else config["MAX_JSON_BYTES"]


def route_body_limit(app, method: str, path: str, content_type: str) -> int:
    """The body limit of the route that `method path` reaches (MAX_JSON_BYTES when none does),
    for a server that refuses a body before reading it."""
    try:
        endpoint, _ = app.url_map.bind("localhost").match(path, method)
    except HTTPException:  # no such route, another method, a redirect
        return app.config["MAX_JSON_BYTES"]
    return body_limit(app.config, app.view_functions[endpoint], content_type)


def init_app(app) -> None:
    app.before_request(_limit_body)


def _limit_body() -> None:
    """Werkzeug refuses (413) a Content-Length over the route's limit, and stops reading a body
    without one (chunked) at the limit."""
    view = current_app.view_functions.get(request.endpoint)
    request.max_content_length = body_limit(current_app.config, view, request.content_type or "")


def json_body(expected: type = dict) -> Any:
    """The request's JSON (up to the route's limit, else 413), checked to be of `expected` type."""
    limit = request.max_content_length
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()
    # read one byte past the limit at most: that byte tells a body without a length (chunked) is over it
    data = get_input_stream(request.environ, max_content_length=limit + 1).read()
    if len(data) > limit:
        raise RequestEntityTooLarge()
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


def int_arg(name: str, default: int | None = None, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """A query-string integer from `minimum` to `maximum` (400 naming it otherwise)."""
    value = request.args.get(name)
    if value is None:
        return default
    if not _INTEGER.fullmatch(value):
        raise ApiError(400, "invalid", f"query parameter {name}={value!r} is not an integer", name)
    number = int(value)
    if not minimum <= number <= maximum:
        raise ApiError(400, "invalid", f"query parameter {name}={value} is not within {minimum}..{maximum}", name)
    return number
