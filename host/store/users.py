"""Users and their API tokens (stored as SHA-256 digests)."""

from __future__ import annotations

import sqlalchemy as sa

from .. import db

_PUBLIC = sa.select(db.users.c.id, db.users.c.name, db.users.c.role)


def by_id(conn: sa.Connection, user_id: int) -> dict | None:
    """{"id", "name", "role"} of the user, or None."""
    row = conn.execute(_PUBLIC.where(db.users.c.id == user_id)).mappings().first()
    return dict(row) if row is not None else None


def by_token(conn: sa.Connection, digest: str, kind: str) -> dict | None:
    """{"id", "name", "role"} of the user a token of `kind` with this digest belongs to, or None."""
    query = _PUBLIC.join(db.tokens, db.tokens.c.user_id == db.users.c.id).where(
        db.tokens.c.digest == digest, db.tokens.c.kind == kind)
    row = conn.execute(query).mappings().first()
    return dict(row) if row is not None else None


def by_name(conn: sa.Connection, name: str) -> dict | None:
    """The user's whole row (with the password hash), or None."""
    row = conn.execute(sa.select(db.users).where(db.users.c.name == name)).mappings().first()
    return dict(row) if row is not None else None


def id_by_name(conn: sa.Connection, name: str) -> int | None:
    return conn.execute(sa.select(db.users.c.id).where(db.users.c.name == name)).scalar()


def password_hash(conn: sa.Connection, user_id: int) -> str | None:
    return conn.execute(sa.select(db.users.c.password_hash).where(db.users.c.id == user_id)).scalar()


def create(conn: sa.Connection, name: str, role: str, password_hash: str | None) -> int:
    """A new user; its id."""
    return conn.execute(db.users.insert().values(name=name, role=role, password_hash=password_hash)
                        ).inserted_primary_key[0]


def set_password_hash(conn: sa.Connection, user_id: int, password_hash: str) -> None:
    conn.execute(db.users.update().where(db.users.c.id == user_id).values(password_hash=password_hash))


def add_token(conn: sa.Connection, user_id: int, digest: str, kind: str) -> None:
    conn.execute(db.tokens.insert().values(user_id=user_id, digest=digest, kind=kind))


def delete_token(conn: sa.Connection, digest: str) -> None:
    conn.execute(db.tokens.delete().where(db.tokens.c.digest == digest))
