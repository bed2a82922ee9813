"""Background jobs' rows: state, progress, parameters, result and creator."""

from __future__ import annotations

import sqlalchemy as sa

from .. import db
from ..errors import ApiError

UNFINISHED = ("queued", "running")


def find(conn: sa.Connection, job_id: int) -> dict | None:
    """The job's row, or None."""
    row = conn.execute(sa.select(db.jobs).where(db.jobs.c.id == job_id)).mappings().first()
    return dict(row) if row is not None else None


def get(conn: sa.Connection, job_id: int) -> dict:
    """The job's row (404 when there is none)."""
    row = find(conn, job_id)
    if row is None:
        raise ApiError(404, "not_found", f"no job {job_id}")
    return row


def create(conn: sa.Connection, kind: str, task_id: int | None, params: dict | None, creator: int | None) -> int:
    """A queued job; its id."""
    return conn.execute(db.jobs.insert().values(kind=kind, task_id=task_id, state="queued", params=params,
                                                created_by=creator)).inserted_primary_key[0]


def unfinished(conn: sa.Connection) -> list[tuple[int, str, str]]:
    """(id, kind, state) of every queued or running job, by id."""
    query = (sa.select(db.jobs.c.id, db.jobs.c.kind, db.jobs.c.state)
             .where(db.jobs.c.state.in_(UNFINISHED)).order_by(db.jobs.c.id))
    return [tuple(r) for r in conn.execute(query)]


def claim(conn: sa.Connection, job_id: int, owner: str) -> bool:
    """Mark a queued job running for the attempt `owner`; whether it was queued."""
    return conn.execute(db.jobs.update().where(db.jobs.c.id == job_id, db.jobs.c.state == "queued")
                        .values(state="running", progress=0.0, owner=owner, updated_at=sa.func.now())).rowcount > 0


def update(conn: sa.Connection, job_id: int, owned_by: str | None = None, **values) -> bool:
    """Update the job (only while the attempt `owned_by` runs it, if given); whether a row changed."""
    where = [db.jobs.c.id == job_id] + ([db.jobs.c.state == "running", db.jobs.c.owner == owned_by] if owned_by else [])
    return conn.execute(db.jobs.update().where(*where).values(**values, updated_at=sa.func.now())).rowcount > 0


def requeue(conn: sa.Connection, job_id: int, message: str) -> None:
    """Queue the job again (no attempt owns it until the next claim)."""
    update(conn, job_id, state="queued", progress=0.0, owner=None, message=message)


def set_queue_job(conn: sa.Connection, job_id: int, queue_job: int) -> None:
    """Record the job's procrastinate job."""
    conn.execute(db.jobs.update().where(db.jobs.c.id == job_id).values(queue_job=queue_job))


def cancel(conn: sa.Connection, job_id: int) -> bool:
    """Cancel the job if it is queued or running; whether it was."""
    return conn.execute(db.jobs.update().where(db.jobs.c.id == job_id, db.jobs.c.state.in_(UNFINISHED))
                        .values(state="cancelled", message="cancelled", updated_at=sa.func.now())).rowcount > 0


def of_task(conn: sa.Connection, task_id: int, creator: int | None = None) -> list[dict]:
    """The task's jobs (only `creator`'s, if given), by id."""
    query = sa.select(db.jobs).where(db.jobs.c.task_id == task_id).order_by(db.jobs.c.id)
    if creator is not None:
        query = query.where(db.jobs.c.created_by == creator)
    return [dict(r) for r in conn.execute(query).mappings()]


def latest(conn: sa.Connection, task_id: int, kind: str) -> dict | None:
    """The task's newest job of `kind`, or None."""
    query = (sa.select(db.jobs).where(db.jobs.c.task_id == task_id, db.jobs.c.kind == kind)
             .order_by(db.jobs.c.id.desc()).limit(1))
    row = conn.execute(query).mappings().first()
    return dict(row) if row is not None else None
