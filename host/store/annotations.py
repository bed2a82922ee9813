"""Annotations and predictions of tasks, versioned for optimistic concurrency."""

from __future__ import annotations

import sqlalchemy as sa

from .. import db
from ..errors import ApiError

META = [c for c in db.annotations.c if c.name != "result"]  # everything but the (large) result


def find(conn: sa.Connection, annotation_id: int, with_result: bool = True) -> dict | None:
    """The annotation's row (without its result unless `with_result`), or None."""
    columns = list(db.annotations.c) if with_result else META
    row = conn.execute(sa.select(*columns).where(db.annotations.c.id == annotation_id)).mappings().first()
    return dict(row) if row is not None else None


def get(conn: sa.Connection, annotation_id: int, with_result: bool = True) -> dict:
    """The annotation's row (404 when there is none)."""
    row = find(conn, annotation_id, with_result)
    if row is None:
        raise ApiError(404, "not_found", f"no annotation {annotation_id}")
    return row


def of_task(conn: sa.Connection, task_id: int) -> list[dict]:
    """The task's annotations and predictions, by id."""
    query = sa.select(db.annotations).where(db.annotations.c.task_id == task_id).order_by(db.annotations.c.id)
    return [dict(r) for r in conn.execute(query).mappings()]


def kinds(conn: sa.Connection, task_id: int) -> list[tuple[int, str]]:
    """(id, kind) of the task's annotations and predictions, by id."""
    query = (sa.select(db.annotations.c.id, db.annotations.c.kind)
             .where(db.annotations.c.task_id == task_id).order_by(db.annotations.c.id))
    return [(i, kind) for i, kind in conn.execute(query)]


def of_project(conn: sa.Connection, project_id: int, task_ids: list[int] | None = None) -> list[dict]:
    """Every annotation and prediction of the project's tasks (of `task_ids` only, when given), by id."""
    query = (sa.select(db.annotations).join(db.tasks).where(db.tasks.c.project_id == project_id)
             .order_by(db.annotations.c.id))
    if task_ids is not None:
        query = query.where(db.tasks.c.id.in_(task_ids))
    return [dict(r) for r in conn.execute(query).mappings()]


def insert(conn: sa.Connection, task_id: int, kind: str, result: list, extra: dict, author_id) -> int:
    """A new annotation (version 1); its id."""
    return conn.execute(db.annotations.insert().values(
        task_id=task_id, kind=kind, result=result, extra=extra, author_id=author_id,
        version=1)).inserted_primary_key[0]


def replace(conn: sa.Connection, annotation_id: int, expected: int, result: list, extra: dict) -> dict | None:
    """Replace the result and kept keys if `expected` is the stored version (which goes up by one):
    the row without its result, or None when the version was another."""
    return conn.execute(
        db.annotations.update()
        .where(db.annotations.c.id == annotation_id, db.annotations.c.version == expected)
        .values(result=result, extra=extra, version=expected + 1, updated_at=sa.func.now())
        .returning(*META)).mappings().first()


def delete(conn: sa.Connection, annotation_id: int) -> None:
    conn.execute(db.annotations.delete().where(db.annotations.c.id == annotation_id))


def tracks_basis(conn: sa.Connection, annotation_id: int) -> dict:
    """What a saved annotation's tracks depend on besides its result, read at once and without
    the result: its version, its task's data, media and video path, its project's config (404
    when there is no such annotation)."""
    query = (sa.select(db.annotations.c.version, db.tasks.c.data, db.tasks.c.media, db.tasks.c.video_path,
                       db.projects.c.label_config)
             .select_from(db.annotations.join(db.tasks).join(db.projects))
             .where(db.annotations.c.id == annotation_id))
    row = conn.execute(query).mappings().first()
    if row is None:
        raise ApiError(404, "not_found", f"no annotation {annotation_id}")
    return dict(row)
