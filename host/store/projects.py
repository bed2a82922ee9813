"""Projects: a title, a description and a labeling config."""

from __future__ import annotations

import sqlalchemy as sa

from .. import db
from ..errors import ApiError


def find(conn: sa.Connection, project_id: int) -> dict | None:
    """The project's row, or None."""
    row = conn.execute(sa.select(db.projects).where(db.projects.c.id == project_id)).mappings().first()
    return dict(row) if row is not None else None


def get(conn: sa.Connection, project_id: int) -> dict:
    """The project's row (404 when there is none)."""
    row = find(conn, project_id)
    if row is None:
        raise ApiError(404, "not_found", f"no project {project_id}")
    return row


def all_rows(conn: sa.Connection) -> list[dict]:
    """Every project, by id."""
    return [dict(r) for r in conn.execute(sa.select(db.projects).order_by(db.projects.c.id)).mappings()]


def id_by_title(conn: sa.Connection, title: str) -> int | None:
    """The first project with this title, or None."""
    return conn.execute(sa.select(db.projects.c.id).where(db.projects.c.title == title)
                        .order_by(db.projects.c.id)).scalar()


def create(conn: sa.Connection, title: str, label_config: str, description: str = "") -> int:
    """A new project; its id."""
    return conn.execute(db.projects.insert().values(title=title, label_config=label_config,
                                                    description=description)).inserted_primary_key[0]


def update(conn: sa.Connection, project_id: int, **values) -> None:
    """Change the given columns (title, description, label_config) and the update time."""
    conn.execute(db.projects.update().where(db.projects.c.id == project_id).values(**values, updated_at=sa.func.now()))


def delete(conn: sa.Connection, project_id: int) -> None:
    """Delete the project (its tasks, annotations and jobs go with it)."""
    conn.execute(db.projects.delete().where(db.projects.c.id == project_id))
