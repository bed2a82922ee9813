"""The player's login sessions, kept on the host. The cookie (Flask's, signed, HttpOnly,
SameSite=Strict) holds only a random token; the `sessions` table holds its SHA-256, the user,
the session's CSRF token and when it began and was last used. A session ends at logout, after
SESSION_IDLE_SECONDS without a request, SESSION_MAX_SECONDS after it began, and when the user's
password changes; a cookie of an ended session signs no one in."""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app, session

from . import db
from .store import sessions as session_store

TOUCH_SECONDS = 60  # last_seen_at is written at most this often (less when the idle limit is short)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> float:
    """The app's clock: seconds since the epoch (the CLOCK setting, for tests)."""
    return current_app.config["CLOCK"]()


def start(conn, user_id: int) -> str:
    """A new session for the user, in this response's cookie (ending the one the cookie named);
    returns its CSRF token. Expired sessions of everyone are cleared away on the way."""
    now = _now()
    old = session.get("sid")
    if isinstance(old, str):
        session_store.delete(conn, _digest(old))
    config = current_app.config
    session_store.delete_expired(conn, now, config["SESSION_IDLE_SECONDS"], config["SESSION_MAX_SECONDS"])
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session_store.create(conn, _digest(token), user_id, csrf, now)
    session.clear()
    session["sid"] = token
    return csrf


def current() -> dict | None:
    """The session the request's cookie names, if it is live: {"user_id", "csrf"} (its use is
    recorded); otherwise None, and the cookie is cleared."""
    token = session.get("sid")
    if not isinstance(token, str):
        if session:  # a cookie from before sessions lived on the host
            session.clear()
        return None
    key, now = _digest(token), _now()
    row = session_store.find(db.connection(), key)
    if row is None or _is_expired(row, now):
        if row is not None:
            with db.write() as conn:
                session_store.delete(conn, key)
        session.clear()
        return None
    touch = min(TOUCH_SECONDS, current_app.config["SESSION_IDLE_SECONDS"] / 10)
    if now - row["last_seen_at"] >= touch:
        with db.write() as conn:
            session_store.touch(conn, key, now)
    return {"user_id": row["user_id"], "csrf": row["csrf"]}


def _is_expired(row, now: float) -> bool:
    config = current_app.config
    return (now - row["last_seen_at"] > config["SESSION_IDLE_SECONDS"]
            or now - row["created_at"] > config["SESSION_MAX_SECONDS"])


def end() -> None:
    """End the session the request's cookie names (logout) and clear the cookie."""
    token = session.get("sid")
    if isinstance(token, str):
        with db.write() as conn:
            session_store.delete(conn, _digest(token))
    session.clear()


def end_all(conn, user_id: int) -> None:
    """End every session of the user (their password changed)."""
    session_store.delete_of_user(conn, user_id)
