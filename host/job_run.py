"""Running one job, whichever backend runs it (the host's thread pool on SQLite, a procrastinate
worker on PostgreSQL).

The attempt claims the job's row with a fresh owner token (the fence); its progress reports and
its end are written only while the row is running under that token. So a cancelled job stops at
its next progress report, and an attempt whose job was given to another (its worker was
declared dead, yet still runs) stops there too and can never write a result: a job ends once.
A transient failure (the database unavailable, an OSError on shared media other than a missing or
unreadable file) queues the job again for another attempt when the backend allows one; bad input
(InputError) and a missing file fail it at once.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Callable

from flask import current_app, g

from tracklabel.core.errors import InputError

from . import db, jobs
from .store import jobs as job_store

TRANSIENT = (OSError, *db.UNAVAILABLE)  # may pass (shared media away, the database restarting)
LASTING = (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)  # stay so


class Interrupted(Exception):
    """The process is stopping: the running job goes back to the queue."""


class Cancelled(Exception):
    """A user cancelled the running job."""


class Superseded(Exception):
    """Another attempt owns the job now: this one stops without writing anything."""


class RetryLater(Exception):
    """A transient failure: the job is queued again, for another attempt in `seconds`."""

    def __init__(self, seconds: float, cause: BaseException):
        super().__init__(f"retry in {seconds:g} s after {type(cause).__name__}: {cause}")
        self.seconds = seconds


@dataclass
class Attempt:
    """What the backend decides for one attempt: when it must stop, how long to wait before
    retrying a transient failure (None: fail now), and how to queue the job again (after an
    interruption) in the transaction that re-queues its row."""

    stopping: Callable[[], bool]
    retry_in: Callable[[BaseException], float | None] = field(default=lambda exc: None)
    requeue: Callable[..., None] = field(default=lambda conn, job_id: None)


def run(app, job_id: int, attempt: Attempt) -> str:
    """Claim and run the job; how it ended: done, failed, queued (interrupted or to retry),
    cancelled, superseded, or skipped (not claimable: ended, or another attempt has it)."""
    owner = secrets.token_hex(16)
    with app.app_context():
        if attempt.stopping():  # taken as the process stops: left to the next attempt, unclaimed
            with db.engine().begin() as conn:
                row = job_store.find(conn, job_id)
                if row is not None and row["state"] == "queued":
                    attempt.requeue(conn, job_id)
            return "queued"
        with db.engine().begin() as conn:
            row = job_store.find(conn, job_id)
            if row is None or not job_store.claim(conn, job_id, owner):
                return "skipped"
        g.job_creator = row["created_by"]  # the jobs this one queues are its creator's too
        g.job_id = job_id
        end, retry = _outcome(row, _progress(job_id, owner, attempt), attempt)
        if end is None:
            return retry  # cancelled or superseded: nothing to write
        with db.engine().begin() as conn:
            if not job_store.update(conn, job_id, owned_by=owner, **end):
                return "superseded"
            if end["state"] == "queued" and retry is None:
                attempt.requeue(conn, job_id)
        if isinstance(retry, RetryLater):
            raise retry
        return end["state"]


def _outcome(row: dict, progress, attempt: Attempt):
    """(the values that end the job, or None; a RetryLater to raise, or what ended it)."""
    runner = jobs.runners(current_app).get(row["kind"])
    if runner is None:
        return {"state": "failed", "message": f"no runner knows {row['kind']!r} jobs"}, None
    extra = {} if row["params"] is None else {"params": row["params"]}
    try:
        result = runner(row["task_id"], progress, **extra)
    except Cancelled:
        return None, "cancelled"
    except Superseded:
        return None, "superseded"
    except Interrupted:
        return {"state": "queued", "progress": 0.0, "owner": None,
                "message": "interrupted by a shutdown; it runs again on the next worker"}, None
    except InputError as exc:
        return {"state": "failed", "message": str(exc)}, None
    except Exception as exc:  # a job's failure is reported on the job, not raised
        wait = attempt.retry_in(exc) if isinstance(exc, TRANSIENT) and not isinstance(exc, LASTING) else None
        if wait is not None:
            current_app.logger.warning("job %s (%s) failed, retried in %g s: %s", row["id"], row["kind"], wait, exc)
            return ({"state": "queued", "progress": 0.0, "owner": None,
                     "message": f"retrying in {wait:g} s after {type(exc).__name__}: {exc}"}, RetryLater(wait, exc))
        current_app.logger.exception("job %s (%s) failed", row["id"], row["kind"])
        return {"state": "failed", "message": f"{type(exc).__name__}: {exc}"}, None
    return {"state": "done", "progress": 1.0, "message": "", "result": result}, None


def _progress(job_id: int, owner: str, attempt: Attempt):
    """The runner's progress report: written every PROGRESS_INTERVAL; it raises Interrupted when
    the backend stops, Cancelled or Superseded when the row is no longer this attempt's."""
    last = [time.monotonic()]

    def report(fraction: float) -> None:
        if attempt.stopping():
            raise Interrupted
        now = time.monotonic()
        if now - last[0] >= jobs.PROGRESS_INTERVAL:
            last[0] = now
            with db.engine().begin() as conn:
                if not job_store.update(conn, job_id, owned_by=owner, progress=round(min(max(fraction, 0.0), 1.0), 4)):
                    row = job_store.find(conn, job_id)
                    raise Cancelled if row is not None and row["state"] == "cancelled" else Superseded
    return report
