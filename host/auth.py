"""Users, API tokens (stored hashed), the player's login (sessions: see sessions.py), CSRF,
passwords and role checks."""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets

from flask import Blueprint, g, jsonify, redirect, request
from werkzeug.security import check_password_hash, generate_password_hash

from . import db, sessions
from .errors import ApiError
from .requests import json_body
from .store import users as user_store

ROLES = ("admin", "annotator")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
PASSWORD_LIMIT = 1024  # characters (hashing a longer one is work for nothing)
# Where a login link may go on to: a path on this host, in printable ASCII. Not `//host` or
# `/\host` (browsers read another host), nor with a tab or newline (dropped: `/<tab>/host`).
LOCAL_PATH = re.compile(r"/(?![/\\])[!-\[\]-~]*")

bp = Blueprint("auth", __name__)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(conn, user_id: int, kind: str = "api") -> str:
    """A new token for the user; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    user_store.add_token(conn, user_id, digest(token), kind)
    return token


def add_user(conn, name: str, role: str, password: str | None = None) -> tuple[int, str]:
    """Create a user and an API token for it: (user id, token)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    user_id = user_store.create(conn, name, role, generate_password_hash(password) if password else None)
    return user_id, create_token(conn, user_id)


def init_app(app) -> None:
    app.before_request(_load_user)


def _load_user() -> None:
    """Who is asking: a token in `Authorization: Token ...`, else the session the cookie names
    (whose writes must carry the session's CSRF token in `X-CSRF-Token`)."""
    g.user = g.session = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "token" or not token.strip():
            raise ApiError(401, "unauthorized", "use `Authorization: Token <token>`")
        g.user = _user_by_token(token.strip(), "api")
        if g.user is None:
            raise ApiError(401, "unauthorized", "unknown token")
        return
    g.session = sessions.current()
    if g.session is None:
        return
    g.user = user_store.by_id(db.connection(), g.session["user_id"])
    if g.user is not None and request.method not in SAFE_METHODS:
        sent = request.headers.get("X-CSRF-Token", "")
        # compared as bytes: a header may hold any Latin-1 text, and compare_digest refuses
        # str with characters outside ASCII
        if not hmac.compare_digest(sent.encode(), g.session["csrf"].encode()):
            raise ApiError(403, "csrf", "a cookie-authenticated write needs the X-CSRF-Token header")


def _user_by_token(token: str, kind: str) -> dict | None:
    return user_store.by_token(db.connection(), digest(token), kind)


def require(role: str | None = None):
    """A view decorator: a signed-in user (401 otherwise), with `role` if given (403)."""
    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if g.user is None:
                raise ApiError(401, "unauthorized", "sign in or send an API token")
            if role is not None and g.user["role"] != role:
                raise ApiError(403, "forbidden", f"this needs the {role} role")
            return view(*args, **kwargs)
        return wrapped
    return decorator


def _start_session(user: dict) -> dict:
    with db.write() as conn:
        csrf = sessions.start(conn, user["id"])
    return {"user": user, "csrf_token": csrf}


def set_password(conn, user_id: int, password: str) -> None:
    """Store the user's new password (hashed) and end all their sessions."""
    user_store.set_password_hash(conn, user_id, generate_password_hash(password))
    sessions.end_all(conn, user_id)


def _string(body: dict, key: str, limit: int = PASSWORD_LIMIT) -> str:
    """A non-empty string field of the body, at most `limit` characters (400 otherwise)."""
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise ApiError(400, "invalid", f"{key} must be a non-empty string", f"$.{key}")
    if len(value) > limit:
        raise ApiError(400, "invalid", f"{key} is over {limit} characters", f"$.{key}")
    return value


@bp.post("/api/auth/login")
def login():
    body = json_body()
    name, password = _string(body, "name"), _string(body, "password")
    row = user_store.by_name(db.connection(), name)
    if not row or not row["password_hash"] or not check_password_hash(row["password_hash"], password):
        raise ApiError(401, "unauthorized", "wrong name or password")
    return jsonify(_start_session({"id": row["id"], "name": row["name"], "role": row["role"]}))


@bp.get("/login/<code>")
def login_link(code: str):
    """A one-time login link (from `tracklabel serve --demo`): starts a session, then goes on to
    `?next=` when it is a path on this host, else home."""
    with db.write() as conn:
        user = _user_by_token(code, "login")
        if user is None:
            raise ApiError(401, "unauthorized", "this login link is unknown or was used")
        user_store.delete_token(conn, digest(code))
    _start_session(user)
    target = request.args.get("next", "")
    return redirect(target if LOCAL_PATH.fullmatch(target) else "/")


@bp.post("/api/auth/logout")
def logout():
    """End the cookie's session: the cookie signs no one in after this."""
    sessions.end()
    return jsonify({})


@bp.post("/api/auth/password")
@require()
def change_password():
    """Change one's own password (the old one is checked). Every session of the user ends; a
    browser that asked gets a new one."""
    body = json_body()
    old, new = _string(body, "old_password"), _string(body, "new_password")
    stored = user_store.password_hash(db.connection(), g.user["id"])
    if not stored or not check_password_hash(stored, old):
        raise ApiError(403, "wrong_password", "the old password is wrong", "$.old_password")
    with db.write() as conn:
        set_password(conn, g.user["id"], new)
    return jsonify(_start_session(g.user) if g.session is not None else {"user": g.user})


@bp.get("/api/auth/me")
@require()
def me():
    return jsonify({"user": g.user, "csrf_token": g.session["csrf"] if g.session else None})
