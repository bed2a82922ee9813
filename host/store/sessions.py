"""Login sessions: a row per signed-in browser, keyed by the SHA-256 of its cookie's token."""

from __future__ import annotations

import sqlalchemy as sa

from .. import db


def find(conn: sa.Connection, key: str) -> dict | None:
    row = conn.execute(sa.select(db.sessions).where(db.sessions.c.id == key)).mappings().first()
    return dict(row) if row is not None else None


def create(conn: sa.Connection, key: str, user_id: int, csrf: str, now: float) -> None:
    conn.execute(db.sessions.insert().values(id=key, user_id=user_id, csrf=csrf, created_at=now, last_seen_at=now))


def touch(conn: sa.Connection, key: str, now: float) -> None:
    """Record that the session was used at `now`."""
    conn.execute(db.sessions.update().where(db.sessions.c.id == key).values(last_seen_at=now))


def delete(conn: sa.Connection, key: str) -> None:
    conn.execute(db.sessions.delete().where(db.sessions.c.id == key))


def delete_expired(conn: sa.Connection, now: float, idle_seconds: float, max_seconds: float) -> None:
    """Delete every session unused for `idle_seconds` or begun over `max_seconds` before `now`."""
    conn.execute(db.sessions.delete().where(sa.or_(db.sessions.c.last_seen_at < now - idle_seconds,
                                                   db.sessions.c.created_at < now - max_seconds)))


def delete_of_user(conn: sa.Connection, user_id: int) -> None:
    conn.execute(db.sessions.delete().where(db.sessions.c.user_id == user_id))
