"""Users, API tokens (stored hashed), the player's session login, CSRF, and role checks."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

import sqlalchemy as sa
from flask import Blueprint, g, jsonify, redirect, request, session
from werkzeug.security import check_password_hash, generate_password_hash

from . import db
from .errors import ApiError

ROLES = ("admin", "annotator")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

bp = Blueprint("auth", __name__)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(conn: sa.Connection, user_id: int, kind: str = "api") -> str:
    """A new token for the user; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    conn.execute(db.tokens.insert().values(user_id=user_id, digest=digest(token), kind=kind))
    return token


def add_user(conn: sa.Connection, name: str, role: str, password: str | None = None) -> tuple[int, str]:
    """Create a user and an API token for it: (user id, token)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    user_id = conn.execute(db.users.insert().values(
        name=name, role=role,
        password_hash=generate_password_hash(password) if password else None)).inserted_primary_key[0]
    return user_id, create_token(conn, user_id)


def init_app(app) -> None:
    app.before_request(_load_user)


def _load_user() -> None:
    """Who is asking: a token in `Authorization: Token ...`, else the session cookie (whose
    writes must carry the session's CSRF token in `X-CSRF-Token`)."""
    g.user = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "token" or not token.strip():
            raise ApiError(401, "unauthorized", "use `Authorization: Token <token>`")
        g.user = _user_by_token(token.strip(), "api")
        if g.user is None:
            raise ApiError(401, "unauthorized", "unknown token")
        return
    if "user_id" in session:
        g.user = _user_by_id(session["user_id"])
        if g.user is not None and request.method not in SAFE_METHODS:
            sent = request.headers.get("X-CSRF-Token", "")
            if not hmac.compare_digest(sent, session.get("csrf", "")):
                raise ApiError(403, "csrf", "a cookie-authenticated write needs the X-CSRF-Token header")


_USER = sa.select(db.users.c.id, db.users.c.name, db.users.c.role)


def _user_by_id(user_id: int) -> dict | None:
    row = db.connection().execute(_USER.where(db.users.c.id == user_id)).mappings().first()
    return dict(row) if row else None


def _user_by_token(token: str, kind: str) -> dict | None:
    query = _USER.join(db.tokens, db.tokens.c.user_id == db.users.c.id).where(
        db.tokens.c.digest == digest(token), db.tokens.c.kind == kind)
    row = db.connection().execute(query).mappings().first()
    return dict(row) if row else None


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
    session.clear()
    session["user_id"] = user["id"]
    session["csrf"] = secrets.token_urlsafe(32)
    return {"user": user, "csrf_token": session["csrf"]}


@bp.post("/api/auth/login")
def login():
    body = request.get_json(silent=True) or {}
    name, password = body.get("name"), body.get("password")
    row = db.connection().execute(sa.select(db.users).where(db.users.c.name == str(name))).mappings().first()
    if not row or not row["password_hash"] or not check_password_hash(row["password_hash"], str(password)):
        raise ApiError(401, "unauthorized", "wrong name or password")
    return jsonify(_start_session({"id": row["id"], "name": row["name"], "role": row["role"]}))


@bp.get("/login/<code>")
def login_link(code: str):
    """A one-time login link (from `tracklabel serve --demo`): starts a session, then home."""
    with db.write() as conn:
        user = _user_by_token(code, "login")
        if user is None:
            raise ApiError(401, "unauthorized", "this login link is unknown or was used")
        conn.execute(db.tokens.delete().where(db.tokens.c.digest == digest(code)))
    _start_session(user)
    return redirect("/")


@bp.post("/api/auth/logout")
def logout():
    session.clear()
    return jsonify({})


@bp.get("/api/auth/me")
@require()
def me():
    return jsonify({"user": g.user, "csrf_token": session.get("csrf")})
