"""Tasks: a project's imported data, its video file and the video's probed facts."""

from __future__ import annotations

import sqlalchemy as sa

from .. import db
from ..errors import ApiError


def find(conn: sa.Connection, task_id: int) -> dict | None:
    """The task's row, or None."""
    row = conn.execute(sa.select(db.tasks).where(db.tasks.c.id == task_id)).mappings().first()
    return dict(row) if row is not None else None


def get(conn: sa.Connection, task_id: int) -> dict:
    """The task's row (404 when there is none)."""
    row = find(conn, task_id)
    if row is None:
        raise ApiError(404, "not_found", f"no task {task_id}")
    return row


def of_project(conn: sa.Connection, project_id: int, task_ids: list[int] | None = None) -> list[dict]:
    """The project's tasks (those of `task_ids` only, when given), by id."""
    query = sa.select(db.tasks).where(db.tasks.c.project_id == project_id).order_by(db.tasks.c.id)
    if task_ids is not None:
        query = query.where(db.tasks.c.id.in_(task_ids))
    return [dict(r) for r in conn.execute(query).mappings()]


def create(conn: sa.Connection, project_id: int, data: dict, extra: dict) -> int:
    """A new task; its id."""
    return conn.execute(db.tasks.insert().values(project_id=project_id, data=data, extra=extra)).inserted_primary_key[0]


def set_extra(conn: sa.Connection, task_id: int, extra: dict) -> None:
    """Replace the task's kept keys (the layout of the imported task)."""
    conn.execute(db.tasks.update().where(db.tasks.c.id == task_id).values(extra=extra))


def delete(conn: sa.Connection, task_id: int) -> None:
    """Delete the task (its annotations and jobs go with it)."""
    conn.execute(db.tasks.delete().where(db.tasks.c.id == task_id))


def set_video(conn: sa.Connection, task_id: int, path: str) -> None:
    """Record the task's video file; its media facts are empty until it is indexed again."""
    conn.execute(db.tasks.update().where(db.tasks.c.id == task_id).values(video_path=path, media=None))


def set_media(conn: sa.Connection, task_id: int, media: dict) -> None:
    """Store the video's probed facts."""
    conn.execute(db.tasks.update().where(db.tasks.c.id == task_id).values(media=media))


def add_media_facts(conn: sa.Connection, task_id: int, **facts) -> None:
    """Add facts to the task's media facts, if the video is indexed (else nothing changes)."""
    media = conn.execute(sa.select(db.tasks.c.media).where(db.tasks.c.id == task_id)).scalar()
    if media is not None:
        set_media(conn, task_id, {**media, **facts})
