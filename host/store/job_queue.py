"""Procrastinate's queue as our jobs use it (PostgreSQL): its jobs of our rows, their cancels,
and the stalled ones of dead workers."""

from __future__ import annotations

import json

import sqlalchemy as sa
from procrastinate import sql

QUEUE, TASK = "tracklabel", "tracklabel.run_job"  # the queue and the one task of our jobs
RECOVERY_LOCK = 0x74726B6C  # the advisory lock of a recovery ("trkl")
ENDED = ("succeeded", "failed", "cancelled", "aborted")


def defer(conn: sa.Connection, job_id: int, lock: str | None) -> int:
    """A procrastinate job that runs our job (in the caller's transaction); its id."""
    return conn.execute(sa.text(
        "SELECT (procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, :lock, NULL, CAST(:args AS jsonb), NULL)"
        "::procrastinate_job_to_defer_v1]))[1]"),
        {"queue": QUEUE, "task": TASK, "lock": lock, "args": json.dumps({"job_id": job_id})}).scalar_one()


def cancel(conn: sa.Connection, queue_job: int) -> None:
    """Cancel a waiting procrastinate job; mark a running one to abort."""
    conn.execute(sa.text("SELECT procrastinate_cancel_job_v1(:id, true, false)"), {"id": queue_job})


def lock_recovery(conn: sa.Connection) -> None:
    """Wait for any other recovery to end (held until the transaction ends)."""
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": RECOVERY_LOCK})


def fail_stalled(conn: sa.Connection, stalled_seconds: float) -> list[int]:
    """Fail the running procrastinate jobs of workers silent for `stalled_seconds` (procrastinate's
    own query of stalled jobs); their ids."""
    stalled = conn.exec_driver_sql(sql.queries["select_stalled_jobs_by_heartbeat"],
                                   {"queue": QUEUE, "task_name": TASK,
                                    "seconds_since_heartbeat": stalled_seconds}).mappings().all()
    for job in stalled:
        conn.execute(sa.text("SELECT procrastinate_finish_job_v1(:id, 'failed', false)"), {"id": job["id"]})
    return [job["id"] for job in stalled]


def unfinished(conn: sa.Connection) -> list[tuple[int, str, str | None]]:
    """(id, state, its procrastinate job's status or None) of our queued or running jobs, locked
    (rows another transaction holds are left for the next time)."""
    return [tuple(r) for r in conn.execute(sa.text(
        "SELECT j.id, j.state, p.status FROM jobs j LEFT JOIN procrastinate_jobs p ON p.id = j.queue_job "
        "WHERE j.state IN ('queued', 'running') ORDER BY j.id FOR UPDATE OF j SKIP LOCKED"))]
