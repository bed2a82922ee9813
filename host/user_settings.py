"""Per-user settings kept on the host, so they follow the user to another browser:
GET/PUT /api/me/settings/<key>. Keys: "layout" (the player's panels), "hotkeys" (remapped
combos by action) and "regions:<task id>" (the task's hidden and locked regions)."""

from __future__ import annotations

import re

import msgspec
from flask import Blueprint, g, jsonify

from . import MAX_ID, db
from .auth import require
from .errors import ApiError
from .requests import json_body
from .store import settings as setting_store
from .store import tasks as task_store

bp = Blueprint("user_settings", __name__)
VALUE_BYTES = 64 * 1024  # the most a value may take as JSON
_KEY = re.compile(r"layout|hotkeys|regions:([1-9][0-9]{0,9})")


def _key(key: str) -> int | None:
    """Check the key (404 when it names no setting); the task id of a regions key."""
    match = _KEY.fullmatch(key)
    task_id = int(match.group(1)) if match and match.group(1) else None
    if match is None or (task_id is not None and task_id > MAX_ID):
        raise ApiError(404, "not_found", f"no setting {key!r}: the keys are layout, hotkeys and regions:<task id>")
    if task_id is not None:
        task_store.get(db.connection(), task_id)
    return task_id


def _checked(key: str, value):
    """The value, if it fits the key (400 naming where it does not)."""
    if len(msgspec.json.encode(value)) > VALUE_BYTES:
        raise ApiError(400, "too_large", f"the value is over {VALUE_BYTES} bytes as JSON", "$.value")
    if not isinstance(value, dict):
        raise ApiError(400, "invalid", f"the value of {key} must be an object", "$.value")
    if key == "hotkeys":
        for action, combo in value.items():
            if not isinstance(combo, str):
                raise ApiError(400, "invalid", "a hotkey's combination must be a string", f"$.value.{action}")
    elif key.startswith("regions:"):
        for name in value:
            ids = value[name]
            if name not in ("hidden", "locked"):
                raise ApiError(400, "invalid", f"{name} is not hidden or locked", f"$.value.{name}")
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise ApiError(400, "invalid", f"{name} must be a list of region ids (strings)", f"$.value.{name}")
    return value


def _public(key: str, row: dict | None) -> dict:
    return {"key": key, "value": row["value"] if row else None,
            "updated_at": db.timestamp(row["updated_at"]) if row else None}


@bp.get("/api/me/settings/<key>")
@require()
def get_setting(key: str):
    """The user's setting (value null when it was never set)."""
    _key(key)
    return jsonify(_public(key, setting_store.find(db.connection(), g.user["id"], key)))


@bp.put("/api/me/settings/<key>")
@require()
def put_setting(key: str):
    """Set the user's setting: {"value": ...}."""
    _key(key)
    body = json_body()
    if "value" not in body:
        raise ApiError(400, "invalid", "send the setting as {\"value\": ...}", "$.value")
    value = _checked(key, body["value"])
    with db.write() as conn:
        setting_store.put(conn, g.user["id"], key, value)
    return jsonify(_public(key, setting_store.find(db.connection(), g.user["id"], key)))
