"""Jobs on PostgreSQL go through procrastinate's queue: what web processes and workers do with
it in our own transactions (its SQL is in host/store/job_queue.py; no procrastinate connection is
needed for it).

Each of our jobs rows gets a procrastinate job (of the one task TASK, its argument our job id) in
the transaction that inserts the row, so a job is never queued without a queue job; the row
keeps the public state. Jobs of one video share a procrastinate lock, so one video is never
indexed or proxied twice at once. `recover`, which every worker runs periodically, settles the
jobs of workers that died: procrastinate's stalled jobs (their worker's heartbeat is older than
JOB_STALLED_SECONDS) are failed in its table and our rows queued again with a new queue job (a
new procrastinate job rather than `retry_job` of the old one: the old one's worker, should it
still be running, then finishes its own record, not the new attempt's; our row is fenced by
its owner token anyway). It also queues again any unfinished row whose queue job ended or is
missing. Recoveries are serialized by an advisory lock, so two workers never both recover.
"""

from __future__ import annotations

from . import jobs
from .store import jobs as job_store
from .store import job_queue as queue_store


def in_use(bind) -> bool:
    """Whether jobs of this engine's (or connection's) database go through procrastinate (on
    PostgreSQL) rather than the host's thread pool."""
    return bind.dialect.name == "postgresql"


def defer(conn, job_id: int, lock: str | None) -> None:
    """Queue the job's procrastinate job (in the caller's transaction) and record it on the row."""
    job_store.set_queue_job(conn, job_id, queue_store.defer(conn, job_id, lock))


def defer_again(conn, job_id: int) -> None:
    """A new procrastinate job for a row queued again (after an interruption or a dead worker)."""
    row = job_store.find(conn, job_id)
    defer(conn, job_id, jobs.lock_key(conn, row["kind"], row["task_id"], row["params"]))


def cancel(conn, job_id: int) -> None:
    """Cancel the job's procrastinate job if it waits (a running one is marked to abort; it stops
    at its next progress report, having found its row cancelled)."""
    queue_job = job_store.find(conn, job_id)["queue_job"]
    if queue_job is not None:
        queue_store.cancel(conn, queue_job)


def recover(conn, stalled_seconds: float) -> list[int]:
    """Fail the stalled procrastinate jobs and queue again the rows left without a live queue
    job; the ids of the rows queued again."""
    queue_store.lock_recovery(conn)
    queue_store.fail_stalled(conn, stalled_seconds)
    queued = []
    for job_id, state, status in queue_store.unfinished(conn):
        if status is None or status in queue_store.ENDED:
            if state == "running":
                job_store.requeue(conn, job_id, "re-queued: its worker stopped while it was running")
            defer_again(conn, job_id)
            queued.append(job_id)
        elif state == "running" and status == "todo":
            job_store.requeue(conn, job_id, "re-queued: its worker stopped while it was running")
            queued.append(job_id)
    return queued
