"""What the Projects page shows of each project, and which annotations use a config's names."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from .. import db


def stats(conn: sa.Connection) -> dict[int, dict]:
    """Per project id: task_count, annotated_count (tasks with an annotation, predictions not
    counted) and last_activity (the latest of the project's, its tasks' and annotations' times)."""
    p, t, a = db.projects, db.tasks, db.annotations
    tasks = dict(conn.execute(sa.select(t.c.project_id, sa.func.count()).group_by(t.c.project_id)).all())
    annotated = dict(conn.execute(
        sa.select(t.c.project_id, sa.func.count(sa.distinct(a.c.task_id)))
        .join(a, a.c.task_id == t.c.id).where(a.c.kind == "annotation").group_by(t.c.project_id)).all())
    task_times = dict(conn.execute(sa.select(t.c.project_id, sa.func.max(t.c.created_at)).group_by(t.c.project_id)).all())
    annotation_times = dict(conn.execute(
        sa.select(t.c.project_id, sa.func.max(a.c.updated_at)).join(a, a.c.task_id == t.c.id)
        .group_by(t.c.project_id)).all())
    result = {}
    for project_id, updated in conn.execute(sa.select(p.c.id, p.c.updated_at)).all():
        times = [_aware(x) for x in (updated, task_times.get(project_id), annotation_times.get(project_id)) if x]
        result[project_id] = {"task_count": tasks.get(project_id, 0), "annotated_count": annotated.get(project_id, 0),
                              "last_activity": db.timestamp(max(times))}
    return result


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)  # SQLite's are UTC


def annotations_using(conn: sa.Connection, project_id: int, controls: set[str], labels: set[str]) -> int:
    """How many of the project's annotations (predictions not counted) have a region made by one
    of `controls` or carrying one of `labels`."""
    if not controls and not labels:
        return 0
    rows = conn.execute(sa.select(db.annotations.c.result).join(db.tasks, db.tasks.c.id == db.annotations.c.task_id)
                        .where(db.tasks.c.project_id == project_id, db.annotations.c.kind == "annotation"))
    return sum(1 for (result,) in rows if any(_uses(region, controls, labels) for region in result or []))


def _uses(region, controls: set[str], labels: set[str]) -> bool:
    if not isinstance(region, dict):
        return False
    if region.get("from_name") in controls:
        return True
    value = region.get("value")
    if not isinstance(value, dict):
        return False
    return any(isinstance(items, list) and any(isinstance(i, str) and i in labels for i in items)
               for items in value.values())
