"""Jobs on SQLite: WORKERS threads of the host process run them (jobs with one lock one at a
time), and its keeper the housekeeping.

On start, jobs a previous process left queued or running are queued again (or failed when no
runner knows their kind), so none stays "running" forever. Shutting the pool down sends a running
job back to the queue at its next progress report; it runs again at the next start.
"""

from __future__ import annotations

import threading
from contextlib import nullcontext
from concurrent.futures import ThreadPoolExecutor

from . import db, job_run, jobs
from .job_keeper import Keeper, housekeeping_chores
from .store import jobs as job_store


class Pool:
    """The app's job threads, made on first use, and its housekeeping thread."""

    def __init__(self, app):
        self.app = app
        self.executor = ThreadPoolExecutor(app.config["WORKERS"], thread_name_prefix="tracklabel-job")
        self.stopping = threading.Event()
        self.locks: dict[str, threading.Lock] = {}  # jobs with one lock run one at a time
        self.keeper = Keeper(app, housekeeping_chores(app))

    def start(self) -> None:
        with self.app.app_context():
            self.resume()
        self.keeper.start()

    def submit(self, job_id: int) -> None:
        try:
            self.executor.submit(self._run, job_id)
        except RuntimeError:  # shut down meanwhile: the job stays queued for the next start
            pass

    def _run(self, job_id: int) -> None:
        """Run the job, after any other job of its lock (a pool thread waits meanwhile)."""
        with self.app.app_context(), db.engine().connect() as conn:
            row = job_store.find(conn, job_id)
            key = jobs.lock_key(conn, row["kind"], row["task_id"], row["params"]) if row else None
        with self.locks.setdefault(key, threading.Lock()) if key else nullcontext():
            job_run.run(self.app, job_id, job_run.Attempt(self.stopping.is_set))

    def stop(self) -> None:
        """Stop taking jobs, interrupt the running ones, and wait for the threads to end."""
        self.stopping.set()
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.keeper.stop()

    def resume(self) -> None:
        """Queue again what a previous process left queued or running; fail unknown kinds."""
        known = jobs.runners(self.app)
        with db.engine().begin() as conn:
            rows = job_store.unfinished(conn)
            for job_id, kind, state in rows:
                if kind not in known:
                    job_store.update(conn, job_id, state="failed",
                                     message=f"the host stopped before this {kind!r} job ran, and no runner knows it")
                elif state == "running":
                    job_store.requeue(conn, job_id, "re-queued: the host stopped while it was running")
        for job_id, kind, _ in rows:
            if kind in known:
                self.submit(job_id)
