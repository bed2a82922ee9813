"""Per-user settings: a JSON value per user and key."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from .. import db


def find(conn: sa.Connection, user_id: int, key: str) -> dict | None:
    """{"value", "updated_at"} of the user's setting, or None when it was never set."""
    table = db.user_settings
    row = conn.execute(sa.select(table.c.value, table.c.updated_at)
                       .where(table.c.user_id == user_id, table.c.key == key)).mappings().first()
    return dict(row) if row is not None else None


def put(conn: sa.Connection, user_id: int, key: str, value) -> None:
    """Set the user's setting (replacing the value it had)."""
    insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(db.user_settings)
    conn.execute(insert.values(user_id=user_id, key=key, value=value).on_conflict_do_update(
        index_elements=["user_id", "key"], set_={"value": insert.excluded.value, "updated_at": sa.func.now()}))
