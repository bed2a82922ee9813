"""The labeling queue: the next task for the signed-in user (locked to them while their player
has it open), skipping, and the player's page for labeling a project through the queue."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify

from . import db
from .auth import require
from .errors import ApiError
from .store import projects as project_store
from .store import queue

bp = Blueprint("queue", __name__)

LOCK_SECONDS = 600  # a lock not refreshed for so long ends (the QUEUE_LOCK_SECONDS setting)


def _now() -> float:
    return current_app.config["CLOCK"]()


def _seconds() -> float:
    return float(current_app.config.get("QUEUE_LOCK_SECONDS", LOCK_SECONDS))


def _project_of(conn, task_id: int) -> int:
    project_id = queue.project_of(conn, task_id)
    if project_id is None:
        raise ApiError(404, "not_found", f"no task {task_id}")
    return project_id


def _place(conn, project_id: int, task_id: int, expires_at: float):
    return jsonify({"task": task_id, "project": project_id,
                    **queue.position(conn, project_id, task_id, g.user["id"]),
                    "lock_seconds": round(expires_at - _now(), 3)})


@bp.get("/projects/<int:project_id>/label")
def page(project_id: int):
    """The player on the project's next task (it signs in, then asks for the task)."""
    return current_app.send_static_file("player/index.html")


@bp.post("/api/projects/<int:project_id>/next")
@require()
def next_task(project_id: int):
    """The next task for the user, locked to them; 204 when none is left."""
    project_store.get(db.connection(), project_id)
    with db.write() as conn:
        task_id = queue.claim_next(conn, project_id, g.user["id"], _now(), _seconds())
    if task_id is None:
        return "", 204
    return _place(db.connection(), project_id, task_id, _now() + _seconds())


@bp.post("/api/tasks/<int:task_id>/lock")
@require()
def lock(task_id: int):
    """Take the task's lock, or refresh one's own (409 while another user holds it)."""
    project_id = _project_of(db.connection(), task_id)
    with db.write() as conn:
        holder = queue.take(conn, task_id, g.user["id"], _now(), _seconds())
    if holder["user_id"] != g.user["id"]:
        left = max(0, round(holder["expires_at"] - _now()))
        raise ApiError(409, "locked", f"another annotator has task {task_id} open (their lock ends in "
                                      f"{left} s unless refreshed)", lock_seconds=left)
    return _place(db.connection(), project_id, task_id, holder["expires_at"])


@bp.delete("/api/tasks/<int:task_id>/lock")
@require()
def unlock(task_id: int):
    """Release one's own lock on the task (another user's stays)."""
    _project_of(db.connection(), task_id)
    with db.write() as conn:
        queue.release(conn, task_id, g.user["id"])
    return "", 204


@bp.post("/api/tasks/<int:task_id>/skip")
@require()
def skip(task_id: int):
    """Skip the task: the queue does not offer it to the user again; their lock on it ends."""
    _project_of(db.connection(), task_id)
    with db.write() as conn:
        queue.skip(conn, task_id, g.user["id"])
    return "", 204
