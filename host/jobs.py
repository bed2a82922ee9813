"""Background jobs (indexing, proxies, tracking) on a bounded thread pool, each a row in the jobs table.

A job is queued, then running, then done or failed (or cancelled, by a user, while queued or
running); its progress (0..1) is written as it runs, and a cancelled job stops at its next
progress report. A job may carry parameters, given to its runner, and a result, what the
runner returns. A job belongs to the user who queued it (a job queued by a running job, to
that job's creator): only they and admins may read it, cancel it or download what it made.
On start, jobs a previous process left queued or running are queued again (or failed when no
runner knows their kind), so none stays "running" forever. Runners are registered per app
(`register_runner`, called by create_app), so an app runs only the kinds it was given. Shutting the pool down sends a
running job back to the queue at its next progress report. Beside the workers, the pool's
housekeeping thread runs the app's `register_housekeeping` functions at its start and then
every HOUSEKEEPING_SECONDS (e.g. removing old exports), until the pool shuts down.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from flask import Blueprint, current_app, g, jsonify

from tracklabel.core.errors import InputError

from . import db
from .auth import require
from .errors import ApiError
from .store import jobs as job_store
from .store import tasks as task_store

Progress = Callable[[float], None]
Runner = Callable[..., dict | None]  # (task id, progress[, params]) -> result; raises to fail

PROGRESS_INTERVAL = 0.5  # seconds between progress writes

bp = Blueprint("jobs", __name__)


def register_runner(app, kind: str, function: Runner) -> None:
    """Make `function` run the app's jobs of `kind`."""
    app.extensions.setdefault("tracklabel.runners", {})[kind] = function


def runners(app) -> dict[str, Runner]:
    """The app's runners by the kind of job they run."""
    return app.extensions.get("tracklabel.runners", {})


def register_housekeeping(app, function: Callable[[], None]) -> None:
    """Make the pool's housekeeping thread call `function` (in an app context) periodically."""
    app.extensions.setdefault("tracklabel.housekeeping", []).append(function)


def housekeeping(app) -> list[Callable[[], None]]:
    """The app's housekeeping functions."""
    return app.extensions.get("tracklabel.housekeeping", [])


class Interrupted(Exception):
    """The pool is shutting down: the running job goes back to the queue."""


class Cancelled(Exception):
    """A user cancelled the running job."""


class Pool:
    """The app's workers: WORKERS threads, made on first use."""

    def __init__(self, app):
        self.app = app
        self.executor = ThreadPoolExecutor(app.config["WORKERS"], thread_name_prefix="tracklabel-job")
        self.stopping = threading.Event()
        # a daemon, so an app never shut down cannot hold the process open
        self.keeper = threading.Thread(target=self._keep, name="tracklabel-housekeeping", daemon=True)

    def submit(self, job_id: int) -> None:
        try:
            self.executor.submit(self._run, job_id)
        except RuntimeError:  # shut down meanwhile: the job stays queued for the next start
            pass

    def shutdown(self) -> None:
        """Stop taking jobs, interrupt the running ones, and wait for the threads to end."""
        self.stopping.set()
        self.executor.shutdown(wait=True, cancel_futures=True)
        if self.keeper.is_alive():
            self.keeper.join()

    def _keep(self) -> None:
        """Run the housekeeping functions now and every HOUSEKEEPING_SECONDS until shutdown."""
        while not self.stopping.is_set():
            with self.app.app_context():
                for function in housekeeping(self.app):
                    try:
                        function()
                    except Exception:  # reported; the next round tries again
                        self.app.logger.exception("housekeeping %s failed", function.__name__)
            self.stopping.wait(self.app.config["HOUSEKEEPING_SECONDS"])

    def resume(self) -> None:
        """Queue again what a previous process left queued or running; fail unknown kinds."""
        known = runners(self.app)
        with db.engine().begin() as conn:
            rows = job_store.unfinished(conn)
            for job_id, kind, state in rows:
                if kind not in known:
                    job_store.update(conn, job_id, state="failed",
                                     message=f"the host stopped before this {kind!r} job ran, and no runner knows it")
                elif state == "running":
                    job_store.update(conn, job_id, state="queued", progress=0.0,
                                     message="re-queued: the host stopped while it was running")
        for job_id, kind, _ in rows:
            if kind in known:
                self.submit(job_id)

    def _run(self, job_id: int) -> None:
        with self.app.app_context():
            with db.engine().begin() as conn:
                claimed = job_store.claim(conn, job_id)
                row = job_store.find(conn, job_id)
            if not claimed or row is None:
                return
            g.job_creator = row["created_by"]  # the jobs this one queues are its creator's too
            extra = {} if row["params"] is None else {"params": row["params"]}
            try:
                result = runners(self.app)[row["kind"]](row["task_id"], self._progress(job_id), **extra)
            except Cancelled:
                return
            except Interrupted:
                end = {"state": "queued", "message": "interrupted by a shutdown; it runs again at the next start"}
            except InputError as exc:
                end = {"state": "failed", "message": str(exc)}
            except Exception as exc:  # a job's failure is reported on the job, not raised
                current_app.logger.exception("job %s (%s) failed", job_id, row["kind"])
                end = {"state": "failed", "message": f"{type(exc).__name__}: {exc}"}
            else:
                end = {"state": "done", "progress": 1.0, "message": "", "result": result}
            with db.engine().begin() as conn:
                job_store.update(conn, job_id, running=True, **end)

    def _progress(self, job_id: int) -> Progress:
        last = [time.monotonic()]

        def report(fraction: float) -> None:
            if self.stopping.is_set():
                raise Interrupted
            now = time.monotonic()
            if now - last[0] >= PROGRESS_INTERVAL:
                last[0] = now
                with db.engine().begin() as conn:
                    if not job_store.update(conn, job_id, running=True, progress=round(min(max(fraction, 0.0), 1.0), 4)):
                        raise Cancelled
        return report


def init_app(app) -> None:
    """Start the pool, resume left-over jobs and start housekeeping; WORKERS=0 runs no jobs and
    no housekeeping here (jobs stay queued)."""
    if app.config["WORKERS"] > 0:
        pool = app.extensions["tracklabel.jobs"] = Pool(app)
        with app.app_context():
            pool.resume()
        pool.keeper.start()


def shutdown(app) -> None:
    """Stop the app's pool (unfinished jobs stay queued for the next start)."""
    pool = app.extensions.pop("tracklabel.jobs", None)
    if pool is not None:
        pool.shutdown()


def enqueue(kind: str, task_id: int, params: dict | None = None, creator: int | None = None) -> int:
    """Queue a job of `kind` for the task (its runner gets `params` when given); returns the job's
    id. It belongs to `creator`, by default the request's user (or the running job's creator)."""
    if kind not in runners(current_app):
        raise ValueError(f"no runner for jobs of kind {kind!r}")
    if creator is None:
        creator = g.user["id"] if g.get("user") else g.get("job_creator")
    with db.engine().begin() as conn:
        job_id = job_store.create(conn, kind, task_id, params, creator)
    pool = current_app.extensions.get("tracklabel.jobs")
    if pool is not None:
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
    job_row(job_id)
    with db.write() as conn:
        changed = job_store.cancel(conn, job_id)
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
