"""Background jobs (indexing, proxies, exports, tracking), each a row in the jobs table: the job
API and its routes.

A job is queued, then running, then done or failed (or cancelled, by a user, while queued or
running); its progress (0..1) is written as it runs, and a cancelled job stops at its next
progress report. A job may carry parameters, given to its runner, and a result, what the
runner returns. A job belongs to the user who queued it (a job queued by a running job, to
that job's creator): only they and admins may read it, cancel it or download what it made.
Runners are registered per app (`register_runner`, called by create_app), so an app runs only
the kinds it was given. Where jobs run: on SQLite, on WORKERS threads of the host process
(host/job_pool.py); on PostgreSQL, on procrastinate workers (host/job_queue.py,
host/job_worker.py): `tracklabel worker` processes, and a host process whose WORKERS > 0. Each
run goes through host/job_run.py. The housekeeping (`register_housekeeping`, e.g. removing old
exports) runs wherever jobs run.
"""

from __future__ import annotations

from typing import Callable

from flask import Blueprint, current_app, g, jsonify

from . import db
from .auth import require
from .errors import ApiError
from .store import jobs as job_store
from .store import tasks as task_store

Progress = Callable[[float], None]
Runner = Callable[..., dict | None]  # (task id, progress[, params]) -> result; raises to fail
Lock = Callable[..., str | None]  # (connection, task id, params) -> the job's lock, or None

PROGRESS_INTERVAL = 0.5  # seconds between progress writes

bp = Blueprint("jobs", __name__)


def register_runner(app, kind: str, function: Runner, lock: Lock | None = None) -> None:
    """Make `function` run the app's jobs of `kind`; `lock`, when given, names the lock of each
    such job (jobs with one lock never run at once, on PostgreSQL)."""
    app.extensions.setdefault("tracklabel.runners", {})[kind] = function
    if lock is not None:
        app.extensions.setdefault("tracklabel.job_locks", {})[kind] = lock


def runners(app) -> dict[str, Runner]:
    """The app's runners by the kind of job they run."""
    return app.extensions.get("tracklabel.runners", {})


def register_housekeeping(app, function: Callable[[], None]) -> None:
    """Make the keeper of every process that runs jobs call `function` (in an app context) at
    its start and then every HOUSEKEEPING_SECONDS."""
    app.extensions.setdefault("tracklabel.housekeeping", []).append(function)


def housekeeping(app) -> list[Callable[[], None]]:
    """The app's housekeeping functions."""
    return app.extensions.get("tracklabel.housekeeping", [])


def lock_key(conn, kind: str, task_id: int | None, params: dict | None) -> str | None:
    """The lock of a job (jobs with one lock never run at once, on PostgreSQL), or None."""
    lock = current_app.extensions.get("tracklabel.job_locks", {}).get(kind)
    return lock(conn, task_id, params) if lock is not None else None


def init_app(app) -> None:
    """Start running jobs in this process: WORKERS threads of a pool (SQLite) or of a procrastinate
    worker (PostgreSQL), with the housekeeping. WORKERS=0 runs no jobs and no housekeeping here."""
    # imported here: they import this module
    from . import job_queue
    from .job_pool import Pool
    from .job_worker import QueueWorker

    if app.config["WORKERS"] > 0:
        queued = job_queue.in_use(app.extensions["tracklabel.engine"])
        runner = QueueWorker(app, app.config["WORKERS"]) if queued else Pool(app)
        app.extensions["tracklabel.jobs"] = runner
        runner.start()


def shutdown(app) -> None:
    """Stop running jobs in this process: a running job goes back to the queue at its next
    progress report (the pool's run again at the next start, procrastinate's on any worker)."""
    runner = app.extensions.pop("tracklabel.jobs", None)
    if runner is not None:
        runner.stop()


def enqueue(kind: str, task_id: int, params: dict | None = None, creator: int | None = None) -> int:
    """Queue a job of `kind` for the task (its runner gets `params` when given); returns the job's
    id. It belongs to `creator`, by default the request's user (or the running job's creator).
    On PostgreSQL its row and its procrastinate job are made in one transaction."""
    from . import job_queue

    if kind not in runners(current_app):
        raise ValueError(f"no runner for jobs of kind {kind!r}")
    if creator is None:
        creator = g.user["id"] if g.get("user") else g.get("job_creator")
    with db.engine().begin() as conn:
        job_id = job_store.create(conn, kind, task_id, params, creator)
        queued = job_queue.in_use(conn)
        if queued:
            job_queue.defer(conn, job_id, lock_key(conn, kind, task_id, params))
    pool = current_app.extensions.get("tracklabel.jobs")
    if not queued and pool is not None:
        pool.submit(job_id)
    return job_id


def public(row: dict) -> dict:
    return {"id": row["id"], "kind": row["kind"], "task": row["task_id"], "creator": row["created_by"],
            "state": row["state"], "progress": row["progress"], "message": row["message"],
            **({"result": row["result"]} if row["result"] is not None else {}),
            "created_at": db.timestamp(row["created_at"]), "updated_at": db.timestamp(row["updated_at"])}


def job_row(job_id: int) -> dict:
    """The job row, or 404; 403 unless the request's user created it or is an admin."""
    row = job_store.get(db.connection(), job_id)
    if g.user["role"] != "admin" and row["created_by"] != g.user["id"]:
        raise ApiError(403, "forbidden", f"job {job_id} is another user's: only they and admins see it")
    return row


@bp.get("/api/jobs/<int:job_id>")
@require()
def get_job(job_id: int):
    return jsonify(public(job_row(job_id)))


@bp.post("/api/jobs/<int:job_id>/cancel")
@require()
def cancel_job(job_id: int):
    """Cancel a queued or running job (a running one stops at its next progress report);
    409 when it has already ended."""
    from . import job_queue

    job_row(job_id)
    with db.write() as conn:
        changed = job_store.cancel(conn, job_id)
        if changed and job_queue.in_use(conn):
            job_queue.cancel(conn, job_id)
    row = job_row(job_id)
    if not changed:
        raise ApiError(409, "job_ended", f"job {job_id} is {row['state']}, too late to cancel", job=public(row))
    return jsonify(public(row))


@bp.get("/api/tasks/<int:task_id>/jobs")
@require()
def task_jobs(task_id: int):
    """The task's jobs the user may see: all of them for an admin, their own for others."""
    conn = db.connection()
    task_store.get(conn, task_id)
    creator = None if g.user["role"] == "admin" else g.user["id"]
    return jsonify([public(row) for row in job_store.of_task(conn, task_id, creator)])
