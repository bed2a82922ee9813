"""Tasks: imported from Label Studio JSON (tasks or a whole export), listed, read, deleted."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify

from tracklabel.core.schema import to_builtins

from . import db
from .auth import require
from .errors import ApiError
from .projects import project_config, project_row
from .requests import json_body
from .validate import check_tasks

bp = Blueprint("tasks", __name__)

_TASK_KEYS = ("id", "data", "annotations", "predictions")


def task_row(task_id: int) -> dict:
    row = db.connection().execute(sa.select(db.tasks).where(db.tasks.c.id == task_id)).mappings().first()
    if row is None:
        raise ApiError(404, "not_found", f"no task {task_id}")
    return dict(row)


def task_public(row: dict) -> dict:
    conn = db.connection()
    ids = conn.execute(sa.select(db.annotations.c.id, db.annotations.c.kind)
                       .where(db.annotations.c.task_id == row["id"]).order_by(db.annotations.c.id)).all()
    return {"id": row["id"], "project": row["project_id"], "data": row["data"],
            "media": row["media"], "video": row["video_path"] is not None,
            "annotations": [i for i, kind in ids if kind == "annotation"],
            "predictions": [i for i, kind in ids if kind == "prediction"]}


def insert_annotation(conn, task_id: int, kind: str, result: list, extra: dict, author_id) -> int:
    return conn.execute(db.annotations.insert().values(
        task_id=task_id, kind=kind, result=result, extra=extra, author_id=author_id,
        version=1)).inserted_primary_key[0]


@bp.post("/api/projects/<int:project_id>/tasks")
@require("admin")
def import_tasks(project_id: int):
    """Label Studio tasks: one task, a list, or Label Studio's own JSON export."""
    config = project_config(project_row(project_id))
    raw = json_body(expected=(dict, list))
    loaded = check_tasks(raw, config)
    created = []
    with db.write() as conn:
        for task in loaded.tasks:
            plain = to_builtins(task)
            extra = {k: v for k, v in plain.items() if k not in _TASK_KEYS}
            task_id = conn.execute(db.tasks.insert().values(
                project_id=project_id, data=plain["data"], extra=extra)).inserted_primary_key[0]
            for kind, key in (("annotation", "annotations"), ("prediction", "predictions")):
                for annotation in plain.get(key, []):
                    rest = {k: v for k, v in annotation.items() if k not in ("id", "result")}
                    insert_annotation(conn, task_id, kind, annotation.get("result", []), rest, None)
            created.append(task_id)
    warnings = [{"path": w.where.removeprefix("body: "), "message": w.message} for w in loaded.warnings]
    return jsonify({"tasks": created, "warnings": warnings}), 201


@bp.get("/api/projects/<int:project_id>/tasks")
@require()
def list_tasks(project_id: int):
    project_row(project_id)
    rows = db.connection().execute(sa.select(db.tasks).where(db.tasks.c.project_id == project_id)
                                   .order_by(db.tasks.c.id)).mappings()
    return jsonify([task_public(dict(r)) for r in rows])


@bp.get("/api/tasks/<int:task_id>")
@require()
def get_task(task_id: int):
    return jsonify(task_public(task_row(task_id)))


@bp.delete("/api/tasks/<int:task_id>")
@require("admin")
def delete_task(task_id: int):
    task_row(task_id)
    with db.write() as conn:
        conn.execute(db.tasks.delete().where(db.tasks.c.id == task_id))
    return "", 204
