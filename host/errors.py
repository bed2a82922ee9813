"""Every error as JSON: {"error", "message", "path"?}."""

from flask import jsonify
from werkzeug.exceptions import HTTPException

from tracklabel.core.errors import InputError, PluginError


class ApiError(Exception):
    """An error with an HTTP status, a short code and a message (and a JSON path)."""

    def __init__(self, status: int, error: str, message: str, path: str | None = None, **extra):
        super().__init__(message)
        self.status, self.error, self.message, self.path, self.extra = status, error, message, path, extra


def init_app(app) -> None:
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(InputError, _input_error)
    app.register_error_handler(PluginError, _plugin_error)
    app.register_error_handler(HTTPException, _http_error)


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


def _http_error(exc: HTTPException):
    """Werkzeug's errors as JSON, keeping their headers (Allow on 405, Content-Range on 416)."""
    code = (exc.name or "error").lower().replace(" ", "_")
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return jsonify(_body(code, exc.description or exc.name)), exc.code, headers
