"""The data manager's API: a project's tasks a page at a time (filtered, sorted, with their
video's facts, annotations and their authors, and background jobs), and deleting several."""

from __future__ import annotations

from pathlib import PurePath

from flask import Blueprint, g, jsonify, request

from . import MAX_ID, db, thumbnails
from .auth import require
from .configs import project_config, video_tag
from .errors import ApiError
from .requests import int_arg, json_body
from .store import projects as project_store
from .store import task_list

bp = Blueprint("task_list", __name__)

PER_PAGE = 50
MAX_PER_PAGE = 500
MAX_DELETE = 10_000
MEDIA_FACTS = ("frames", "fps", "duration", "constant_rate", "width", "height", "warnings")


def _choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = request.args.get(name, default)
    if value not in choices:
        raise ApiError(400, "invalid", f"query parameter {name}={value!r} is not one of {', '.join(choices)}", name)
    return value


@bp.get("/api/projects/<int:project_id>/task-list")
@require()
def task_page(project_id: int):
    """`?filter=all|not_annotated|mine|warnings&sort=id|updated|annotations (-name: descending)
    &page=1&per_page=50`: {tasks, total, page, per_page}."""
    conn = db.connection()
    config = project_config(project_store.get(conn, project_id))
    filter_ = _choice("filter", task_list.FILTERS, "all")
    sort = request.args.get("sort", "id")
    descending = sort.startswith("-")
    sort = sort.removeprefix("-")
    if sort not in task_list.SORTS:
        raise ApiError(400, "invalid", f"query parameter sort={request.args['sort']!r} is not one of "
                       f"{', '.join(task_list.SORTS)} (with - before it: descending)", "sort")
    number, size = int_arg("page", 1), int_arg("per_page", PER_PAGE, maximum=MAX_PER_PAGE)
    user = g.user
    total, rows = task_list.page(conn, project_id, user["id"], filter_, sort, descending, number, size)
    authors, jobs = task_list.details(conn, [r["id"] for r in rows],
                                      None if user["role"] == "admin" else user["id"])
    tag = video_tag(config)
    field = tag.attrs["value"][1:] if tag is not None else None
    return jsonify({"tasks": [_public(r, field, authors.get(r["id"], []), jobs.get(r["id"], {})) for r in rows],
                    "total": total, "page": number, "per_page": size})


def _public(row: dict, field: str | None, authors: list, jobs: dict) -> dict:
    media = row["media"]
    return {"id": row["id"], "name": _name(row["data"], field), "video": row["video_path"] is not None,
            "media": {k: media.get(k) for k in MEDIA_FACTS} if media is not None else None,
            "annotations": row["annotations"], "predictions": row["predictions"],
            "authors": [{"id": i, "name": name, "annotations": n} for i, name, n in authors],
            "jobs": {kind: jobs.get(kind) for kind in task_list.JOB_KINDS},
            "thumbnail": f"/api/tasks/{row['id']}/thumbnail" if media is not None and row["video_path"] else None,
            "created_at": db.timestamp(row["created_at"]), "updated_at": db.timestamp(row["updated_at"])}


def _name(data: dict, field: str | None) -> str:
    """What the task shows: its video's file name (or URL's last part), else its first text."""
    value = data.get(field) if field else None
    if isinstance(value, str) and value:
        return PurePath(value.split("?d=")[-1].rstrip("/")).name or value
    return next((v for v in data.values() if isinstance(v, str)), "")


@bp.post("/api/projects/<int:project_id>/tasks/delete")
@require("admin")
def delete_tasks(project_id: int):
    """`{"tasks": [ids]}`: delete them all, or none when one is not the project's (404)."""
    conn = db.connection()
    project_store.get(conn, project_id)
    body = json_body()
    ids = body.get("tasks")
    if not isinstance(ids, list) or not ids or len(ids) > MAX_DELETE:
        raise ApiError(400, "invalid", f"tasks must be a list of 1 to {MAX_DELETE} task ids", "$.tasks")
    for i, task_id in enumerate(ids):
        if not isinstance(task_id, int) or isinstance(task_id, bool) or not 1 <= task_id <= MAX_ID:
            raise ApiError(400, "invalid", f"tasks[{i}] is not a task id", f"$.tasks[{i}]")
    unique = list(dict.fromkeys(ids))
    with db.write() as conn:
        missing = task_list.delete(conn, project_id, unique)
    if missing:
        raise ApiError(404, "not_found", f"no task {missing[0]} in project {project_id}: nothing was deleted",
                       f"$.tasks[{ids.index(missing[0])}]")
    thumbnails.remove(unique)
    return jsonify({"deleted": unique})
