"""Tasks: imported from Label Studio JSON (tasks or a whole export) or from video files,
listed, read, deleted."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Blueprint, jsonify, request

from tracklabel.core.schema import to_builtins

from . import db
from .auth import require
from .errors import ApiError
from .imports import check_video, in_media_roots, same_video, save_uploads, task_video
from .configs import project_config, video_tag
from .store import annotations as annotation_store
from .store import projects as project_store
from .store import task_list
from .store import tasks as task_store
from .requests import accepts_uploads, json_body
from .validate import check_tasks
from .video_jobs import attach_video

bp = Blueprint("tasks", __name__)

_TASK_KEYS = ("id", "data", "annotations", "predictions")


def task_public(row: dict) -> dict:
    ids = annotation_store.kinds(db.connection(), row["id"])
    return {"id": row["id"], "project": row["project_id"], "data": row["data"],
            "media": row["media"], "video": row["video_path"] is not None,
            "annotations": [i for i, kind in ids if kind == "annotation"],
            "predictions": [i for i, kind in ids if kind == "prediction"]}


@bp.post("/api/projects/<int:project_id>/tasks")
@require("admin")
@accepts_uploads
def import_tasks(project_id: int):
    """Label Studio tasks (one, a list, or Label Studio's JSON export), or one task per video:
    uploaded as multipart/form-data (field `file`), or `{"path": ...}` under a media root."""
    config = project_config(project_store.get(db.connection(), project_id))
    if request.mimetype == "multipart/form-data":
        field = _video_field(config)
        uploads = save_uploads(lambda folder, name: _refuse_duplicate(project_id, name, prefix=f"{folder}{os.sep}"))
        return _video_tasks(project_id, field, uploads)
    raw = json_body(expected=(dict, list))
    if isinstance(raw, dict) and set(raw) == {"path"}:
        field = _video_field(config)
        if not isinstance(raw["path"], str):
            raise ApiError(400, "invalid", "path must be a string", "$.path")
        path = in_media_roots(raw["path"])
        check_video(path, raw["path"])
        _refuse_duplicate(project_id, raw["path"], **same_video(path))
        return _video_tasks(project_id, field, [(raw["path"], path)])
    loaded = check_tasks(raw, config)
    tag = video_tag(config)
    plains = [to_builtins(task) for task in loaded.tasks]
    paths = [task_video(plain["data"].get(tag.attrs["value"][1:])) if tag is not None else None
             for plain in plains]
    if tag is not None:
        _refuse_listed_duplicates(project_id, tag.attrs["value"][1:], paths, single=isinstance(raw, dict))
    created, videos, counts = [], [], []
    with db.write() as conn:
        for plain, path in zip(plains, paths):
            # the task's keys in their order (None holds the place of id and data), so an export
            # writes it back as imported; see exports.project_tasks
            layout = {k: (None if k in _TASK_KEYS else v) for k, v in plain.items()}
            task_id = task_store.create(conn, project_id, plain["data"], layout)
            for kind, key in (("annotation", "annotations"), ("prediction", "predictions")):
                entries = layout[key] = []  # ids as listed, and a slot per stored annotation
                for annotation in plain.get(key, []):
                    if not isinstance(annotation, dict):
                        entries.append(annotation)  # listed by id only (Label Studio's export)
                        continue
                    rest = {k: v for k, v in annotation.items() if k not in ("id", "result")}
                    row = annotation_store.insert(conn, task_id, kind, annotation.get("result", []), rest, None)
                    entries.append({"row": row, "keys": list(annotation)})
            task_store.set_extra(conn, task_id, layout)
            created.append(task_id)
            counts.append({"id": task_id, **{key: sum(isinstance(a, dict) for a in plain.get(key, []))
                                             for key in ("annotations", "predictions")}})
            if path is not None:
                videos.append((task_id, path))
    jobs = [attach_video(task_id, path) for task_id, path in videos]
    warnings = [{"path": w.where.removeprefix("body: "), "message": w.message} for w in loaded.warnings]
    return jsonify({"tasks": created, "warnings": warnings, "jobs": jobs, "imported": counts}), 201


def _video_field(config) -> str:
    """The task data field the config's <Video> shows (400 when it has none)."""
    tag = video_tag(config)
    if tag is None:
        raise ApiError(400, "invalid", "the project's labeling config has no <Video> tag to show a video")
    return tag.attrs["value"][1:]


def _refuse_duplicate(project_id: int, name: str, path: str | None = None, prefix: str | None = None,
                      where: str | None = None) -> None:
    """409 naming `name` (and the JSON path `where`) when a task of the project has the video
    file `path` (or one under the uploads' folder `prefix` of the same content)."""
    task = task_list.with_video(db.connection(), project_id, path, prefix)
    if task is not None:
        raise ApiError(409, "duplicate_video", f"{name}: the same video is already task {task} of this project",
                       where, task=task)


def _refuse_listed_duplicates(project_id: int, field: str, paths: list[Path | None], single: bool) -> None:
    """409 naming the first imported task (`$[i].data.<field>`) whose local video is already a
    task's of the project; URLs and files not found are no videos."""
    for index, path in enumerate(paths):
        if path is not None:
            where = f"$.data.{field}" if single else f"$[{index}].data.{field}"
            _refuse_duplicate(project_id, where, **same_video(path), where=where)


def _video_tasks(project_id: int, field: str, videos: list[tuple[str, Path]]):
    """One task per (value of the video field, file), each with its index job queued."""
    with db.write() as conn:
        created = [task_store.create(conn, project_id, {field: name}, {}) for name, _ in videos]
    jobs = [attach_video(task_id, path) for task_id, (_, path) in zip(created, videos)]
    return jsonify({"tasks": created, "warnings": [], "jobs": jobs}), 201


@bp.get("/api/projects/<int:project_id>/tasks")
@require()
def list_tasks(project_id: int):
    conn = db.connection()
    project_store.get(conn, project_id)
    return jsonify([task_public(row) for row in task_store.of_project(conn, project_id)])


@bp.get("/api/tasks/<int:task_id>")
@require()
def get_task(task_id: int):
    return jsonify(task_public(task_store.get(db.connection(), task_id)))


@bp.delete("/api/tasks/<int:task_id>")
@require("admin")
def delete_task(task_id: int):
    task_store.get(db.connection(), task_id)
    with db.write() as conn:
        task_store.delete(conn, task_id)
    return "", 204
