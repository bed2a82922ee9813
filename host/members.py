"""Members (admins only): list users with their annotation counts, add one with a role and a
generated password shown once, reset a password (their sessions end), list and revoke tokens."""

from __future__ import annotations

import secrets

from flask import Blueprint, jsonify

from . import db
from .auth import ROLES, add_user, require, set_password
from .errors import ApiError
from .requests import json_body
from .store import members as member_store

NAME_LIMIT = 200  # characters, as the users table holds

bp = Blueprint("members", __name__)


def _new_password() -> str:
    return secrets.token_urlsafe(12)


def _member(user_id: int) -> dict:
    user = member_store.find(db.connection(), user_id)
    if user is None:
        raise ApiError(404, "not_found", f"no user {user_id}")
    return user


@bp.get("/api/users")
@require("admin")
def list_users():
    """Every user with role, annotation count and last activity."""
    return jsonify(member_store.all_rows(db.connection()))


@bp.post("/api/users")
@require("admin")
def add():
    """A new user with a role; the answer holds their generated password and an API token,
    shown only this once."""
    body = json_body()
    name, role = body.get("name"), body.get("role", "annotator")
    if not isinstance(name, str) or not name.strip() or name != name.strip():
        raise ApiError(400, "invalid", "name must be non-empty text without surrounding spaces", "$.name")
    if len(name) > NAME_LIMIT:
        raise ApiError(400, "invalid", f"name is over {NAME_LIMIT} characters", "$.name")
    if role not in ROLES:
        raise ApiError(400, "invalid", f"role must be one of {', '.join(ROLES)}", "$.role")
    password = _new_password()
    with db.write() as conn:
        if member_store.name_taken(conn, name):
            raise ApiError(409, "exists", f"a user named {name!r} exists", "$.name")
        user_id, token = add_user(conn, name, role, password)
    response = jsonify({"user": {"id": user_id, "name": name, "role": role}, "password": password,
                        "token": token})
    response.status_code = 201
    return response


@bp.post("/api/users/<int:user_id>/password")
@require("admin")
def reset_password(user_id: int):
    """A new generated password for the user, shown only this once; the old one stops
    working and every session of the user ends."""
    user = _member(user_id)
    password = _new_password()
    with db.write() as conn:
        set_password(conn, user_id, password)
    return jsonify({"user": user, "password": password})


@bp.get("/api/users/<int:user_id>/tokens")
@require("admin")
def list_tokens(user_id: int):
    """The user's tokens (API tokens, unused login links) without their secrets."""
    _member(user_id)
    return jsonify(member_store.tokens(db.connection(), user_id))


@bp.delete("/api/users/<int:user_id>/tokens/<int:token_id>")
@require("admin")
def revoke_token(user_id: int, token_id: int):
    """Revoke one of the user's tokens: it authenticates no request from now on."""
    _member(user_id)
    with db.write() as conn:
        if not member_store.revoke(conn, user_id, token_id):
            raise ApiError(404, "not_found", f"user {user_id} has no token {token_id}")
    return "", 204
