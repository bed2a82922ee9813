"""Every error as JSON: {"error", "message", "path"?}."""

from http import HTTPStatus

from flask import current_app, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from tracklabel.core.errors import InputError, PluginError

from . import db


RETRY_AFTER_SECONDS = 2


class ApiError(Exception):
    """An error with an HTTP status, a short code and a message (and a JSON path)."""

    def __init__(self, status: int, error: str, message: str, path: str | None = None, **extra):
        super().__init__(message)
        self.status, self.error, self.message, self.path, self.extra = status, error, message, path, extra


def init_app(app) -> None:
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(InputError, _input_error)
    app.register_error_handler(PluginError, _plugin_error)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(HTTPException, _http_error)
    for error in db.UNAVAILABLE:
        app.register_error_handler(error, _database_unavailable)
    app.after_request(_json_refusal)


def _body(error: str, message: str, path: str | None = None, **extra):
    body = {"error": error, "message": message, **extra}
    if path is not None:
        body["path"] = path
    return body


def _api_error(exc: ApiError):
    return jsonify(_body(exc.error, exc.message, exc.path, **exc.extra)), exc.status


def _input_error(exc: InputError):
    first = exc.problems[0]
    problems = [{"path": p.where, "message": p.message} for p in exc.problems]
    return jsonify(_body("invalid", first.message, first.where or None, problems=problems)), 400


def _plugin_error(exc: PluginError):
    return jsonify(_body("plugin_failed", str(exc))), 500


def _too_large(_exc: RequestEntityTooLarge):
    """A body over the route's limit (Content-Length, or counted as it was read)."""
    return jsonify(_body("too_large", f"the request body is over {request.max_content_length} bytes")), 413


def _database_unavailable(exc: Exception):
    """503 while the database cannot be reached: the request may be tried again shortly (a
    write it made is either wholly stored or not at all)."""
    current_app.logger.warning("database unavailable: %s", str(exc).strip().splitlines()[0])
    return (jsonify(_body("database_unavailable", "the database is unavailable; try again shortly")),
            503, {"Retry-After": str(RETRY_AFTER_SECONDS)})


def _json_refusal(response):
    """An error status set on a response rather than raised (a file's 412 for an If-Match that
    does not match) as JSON too, instead of the file."""
    if response.status_code < 400 or response.is_json:
        return response
    response.close()
    phrase = HTTPStatus(response.status_code).phrase
    message = "If-Match names no version of this file" if response.status_code == 412 else phrase
    refusal = jsonify(_body(phrase.lower().replace(" ", "_"), message))
    refusal.status_code = response.status_code
    return refusal


def _http_error(exc: HTTPException):
    """Werkzeug's errors as JSON, keeping their headers (Allow on 405, Content-Range on 416)."""
    code = (exc.name or "error").lower().replace(" ", "_")
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return jsonify(_body(code, exc.description or exc.name)), exc.code, headers
