"""Members as an admin manages them: users with their annotation counts and last activity,
their API tokens (listed without their secrets, revoked by id)."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from .. import db


def all_rows(conn: sa.Connection) -> list[dict]:
    """Every user by id: id, name, role, created_at, annotations (how many they made) and
    last_activity (their newest annotation write or session use; None if neither)."""
    counts = (sa.select(db.annotations.c.author_id.label("user_id"), sa.func.count().label("made"),
                        sa.func.max(db.annotations.c.updated_at).label("written"))
              .where(db.annotations.c.kind == "annotation")
              .group_by(db.annotations.c.author_id).subquery())
    seen = (sa.select(db.sessions.c.user_id, sa.func.max(db.sessions.c.last_seen_at).label("seen"))
            .group_by(db.sessions.c.user_id).subquery())
    query = (sa.select(db.users.c.id, db.users.c.name, db.users.c.role, db.users.c.created_at,
                       counts.c.made, counts.c.written, seen.c.seen)
             .outerjoin(counts, counts.c.user_id == db.users.c.id)
             .outerjoin(seen, seen.c.user_id == db.users.c.id)
             .order_by(db.users.c.id))
    return [{"id": r.id, "name": r.name, "role": r.role, "created_at": db.timestamp(r.created_at),
             "annotations": r.made or 0, "last_activity": _latest(r.written, r.seen)}
            for r in conn.execute(query)]


def _latest(written: datetime | None, seen: float | None) -> str | None:
    """The later of an annotation's stored time and a session's use (seconds since the epoch)."""
    times = [t if t.tzinfo else t.replace(tzinfo=timezone.utc) for t in (written,) if t is not None]
    if seen is not None:
        times.append(datetime.fromtimestamp(seen, timezone.utc))
    return max(times).isoformat() if times else None


def find(conn: sa.Connection, user_id: int) -> dict | None:
    """The user's id, name and role, or None."""
    row = conn.execute(sa.select(db.users.c.id, db.users.c.name, db.users.c.role)
                       .where(db.users.c.id == user_id)).mappings().first()
    return dict(row) if row is not None else None


def name_taken(conn: sa.Connection, name: str) -> bool:
    return conn.execute(sa.select(db.users.c.id).where(db.users.c.name == name)).first() is not None


def tokens(conn: sa.Connection, user_id: int) -> list[dict]:
    """The user's tokens (API tokens and unused login links), oldest first, without secrets."""
    rows = conn.execute(sa.select(db.tokens.c.id, db.tokens.c.kind, db.tokens.c.created_at)
                        .where(db.tokens.c.user_id == user_id).order_by(db.tokens.c.id))
    return [{"id": r.id, "kind": r.kind, "created_at": db.timestamp(r.created_at)} for r in rows]


def revoke(conn: sa.Connection, user_id: int, token_id: int) -> bool:
    """Delete the user's token; whether there was one."""
    return conn.execute(db.tokens.delete().where(db.tokens.c.id == token_id,
                                                 db.tokens.c.user_id == user_id)).rowcount > 0
