"""The labeling queue: which task a user labels next, task locks (a task open in a player is
the annotator's until its lock expires) and skips. Times are seconds by the app's clock."""

from __future__ import annotations

import sqlalchemy as sa

from .. import db

locks, skips, tasks = db.task_locks, db.task_skips, db.tasks


def _annotated_by(user_id: int):
    """A condition on tasks: the user has an annotation of it."""
    a = db.annotations
    return sa.exists().where(a.c.task_id == tasks.c.id, a.c.kind == "annotation", a.c.author_id == user_id)


def _skipped_by(user_id: int):
    return sa.exists().where(skips.c.task_id == tasks.c.id, skips.c.user_id == user_id)


def _open_to(user_id: int):
    """A condition on tasks: the user has neither annotated nor skipped it."""
    return sa.and_(~_annotated_by(user_id), ~_skipped_by(user_id))


def _locked():
    return sa.exists().where(locks.c.task_id == tasks.c.id)


def _clear_expired(conn: sa.Connection, now: float) -> None:
    conn.execute(locks.delete().where(locks.c.expires_at <= now))


def claim_next(conn: sa.Connection, project_id: int, user_id: int, now: float, seconds: float) -> int | None:
    """The task the user labels next, locked to them until now + seconds, or None when none is
    left: the one they hold a lock on and have not annotated or skipped (a reload gives the same
    task), else the first by id that they have not annotated or skipped and nobody holds. Their
    other locks in the project are released (they moved on). Two users claiming at once never
    get the same task: the lock is the task's primary key, and a claim that loses the race takes
    the next one. Call inside a write transaction."""
    _clear_expired(conn, now)
    in_project = tasks.c.project_id == project_id
    held = conn.execute(sa.select(tasks.c.id).join(locks, locks.c.task_id == tasks.c.id)
                        .where(in_project, locks.c.user_id == user_id, _open_to(user_id))
                        .order_by(tasks.c.id).limit(1)).scalar()
    if held is not None:
        _release_others(conn, project_id, user_id, keep=held)
        conn.execute(locks.update().where(locks.c.task_id == held).values(expires_at=now + seconds))
        return held
    _release_others(conn, project_id, user_id)
    lost: list[int] = []  # tasks another claim locked meanwhile
    while True:
        candidate = conn.execute(sa.select(tasks.c.id).where(in_project, _open_to(user_id), ~_locked(),
                                                             tasks.c.id.not_in(lost))
                                 .order_by(tasks.c.id).limit(1)).scalar()
        if candidate is None:
            return None
        if _insert_lock(conn, candidate, user_id, now + seconds):
            return candidate
        lost.append(candidate)


def _insert_lock(conn: sa.Connection, task_id: int, user_id: int, expires_at: float) -> bool:
    """Lock the task; False when another transaction locked it first."""
    try:
        with conn.begin_nested():
            conn.execute(locks.insert().values(task_id=task_id, user_id=user_id, expires_at=expires_at))
    except sa.exc.IntegrityError:
        return False
    return True


def _release_others(conn: sa.Connection, project_id: int, user_id: int, keep: int | None = None) -> None:
    mine = sa.select(tasks.c.id).where(tasks.c.project_id == project_id)
    if keep is not None:
        mine = mine.where(tasks.c.id != keep)
    conn.execute(locks.delete().where(locks.c.user_id == user_id, locks.c.task_id.in_(mine)))


def take(conn: sa.Connection, task_id: int, user_id: int, now: float, seconds: float) -> dict:
    """Lock the task to the user until now + seconds (taking it or refreshing their lock); the
    lock as it is then, {"user_id", "expires_at"}: another user's when they hold it. Call inside
    a write transaction."""
    _clear_expired(conn, now)
    while True:
        holder = holding(conn, task_id)
        if holder is not None and holder["user_id"] != user_id:
            return holder
        if holder is not None:
            conn.execute(locks.update().where(locks.c.task_id == task_id, locks.c.user_id == user_id)
                         .values(expires_at=now + seconds))
            return {"user_id": user_id, "expires_at": now + seconds}
        if _insert_lock(conn, task_id, user_id, now + seconds):
            return {"user_id": user_id, "expires_at": now + seconds}


def holding(conn: sa.Connection, task_id: int) -> dict | None:
    """The task's lock {"user_id", "expires_at"}, or None."""
    row = conn.execute(sa.select(locks.c.user_id, locks.c.expires_at).where(locks.c.task_id == task_id)).mappings().first()
    return dict(row) if row is not None else None


def release(conn: sa.Connection, task_id: int, user_id: int) -> None:
    """End the user's lock on the task (another user's stays)."""
    conn.execute(locks.delete().where(locks.c.task_id == task_id, locks.c.user_id == user_id))


def skip(conn: sa.Connection, task_id: int, user_id: int) -> None:
    """The user skips the task: it is not offered to them again, and their lock on it ends."""
    try:
        with conn.begin_nested():
            conn.execute(skips.insert().values(task_id=task_id, user_id=user_id))
    except sa.exc.IntegrityError:
        pass  # skipped before
    release(conn, task_id, user_id)


def project_of(conn: sa.Connection, task_id: int) -> int | None:
    """The task's project, or None when there is no such task."""
    return conn.execute(sa.select(tasks.c.project_id).where(tasks.c.id == task_id)).scalar()


def position(conn: sa.Connection, project_id: int, task_id: int, user_id: int) -> dict:
    """Where the task is for the user: its place among the project's tasks by id (1-based), their
    number, how many the user has not annotated or skipped, and the tasks before and after it."""
    in_project = tasks.c.project_id == project_id
    count = sa.func.count(tasks.c.id)
    index, total, left = conn.execute(sa.select(
        sa.select(count).where(in_project, tasks.c.id <= task_id).scalar_subquery(),
        sa.select(count).where(in_project).scalar_subquery(),
        sa.select(count).where(in_project, _open_to(user_id)).scalar_subquery())).one()
    previous = conn.execute(sa.select(sa.func.max(tasks.c.id)).where(in_project, tasks.c.id < task_id)).scalar()
    following = conn.execute(sa.select(sa.func.min(tasks.c.id)).where(in_project, tasks.c.id > task_id)).scalar()
    return {"index": index, "total": total, "left": left, "previous": previous, "next": following}
