"""The data manager's view of a project's tasks: one filtered, sorted page at a time, in two
queries whatever the page's size (the page with its total, then its authors and jobs)."""

from __future__ import annotations

import sqlalchemy as sa

from .. import db

FILTERS = ("all", "not_annotated", "mine", "warnings")
SORTS = ("id", "updated", "annotations")
JOB_KINDS = ("index", "proxy")  # the background jobs the list shows

_annotations = db.annotations


def _counts():
    """Per task: its annotations, its predictions and its annotations' latest update."""
    is_annotation = _annotations.c.kind == "annotation"
    return (sa.select(_annotations.c.task_id,
                      sa.func.count().filter(is_annotation).label("annotations"),
                      sa.func.count().filter(~is_annotation).label("predictions"),
                      sa.func.max(_annotations.c.updated_at).label("annotated_at"))
            .group_by(_annotations.c.task_id).subquery("counts"))


def _failed_job(task_id):
    """Whether the task's latest index or proxy job failed."""
    latest = (sa.select(db.jobs.c.state).where(db.jobs.c.task_id == task_id, db.jobs.c.kind.in_(JOB_KINDS))
              .order_by(db.jobs.c.id.desc()).limit(1).scalar_subquery())
    return latest == "failed"


def _filter(name: str, user_id: int):
    """The SQL condition of a filter (None: every task)."""
    tasks = db.tasks
    if name == "not_annotated":
        return ~sa.exists().where(_annotations.c.task_id == tasks.c.id, _annotations.c.kind == "annotation")
    if name == "mine":
        return sa.exists().where(_annotations.c.task_id == tasks.c.id, _annotations.c.kind == "annotation",
                                 _annotations.c.author_id == user_id)
    if name == "warnings":
        warned = sa.func.coalesce(sa.func.json_array_length(tasks.c.media["warnings"]), 0) > 0
        return sa.or_(warned, _failed_job(tasks.c.id))
    return None


def page(conn: sa.Connection, project_id: int, user_id: int, filter: str = "all", sort: str = "id",
         descending: bool = False, number: int = 1, size: int = 50) -> tuple[int, list[dict]]:
    """(the number of tasks the filter keeps, the rows of page `number` of `size` rows): each
    row the task's id, data, media facts, annotation and prediction counts, creation time and
    last update (its latest annotation's, else its creation)."""
    counts = _counts()
    updated = sa.func.coalesce(counts.c.annotated_at, db.tasks.c.created_at)
    annotations = sa.func.coalesce(counts.c.annotations, 0)
    key = {"id": db.tasks.c.id, "updated": updated, "annotations": annotations}[sort]
    order = [key.desc(), db.tasks.c.id.desc()] if descending else [key.asc(), db.tasks.c.id.asc()]
    query = (sa.select(db.tasks.c.id, db.tasks.c.data, db.tasks.c.media, db.tasks.c.video_path,
                       db.tasks.c.created_at, annotations.label("annotations"),
                       sa.func.coalesce(counts.c.predictions, 0).label("predictions"),
                       updated.label("updated_at"), sa.func.count().over().label("total"))
             .select_from(db.tasks.outerjoin(counts, counts.c.task_id == db.tasks.c.id))
             .where(db.tasks.c.project_id == project_id))
    condition = _filter(filter, user_id)
    if condition is not None:
        query = query.where(condition)
    rows = [dict(r) for r in conn.execute(query.order_by(*order).limit(size).offset((number - 1) * size)).mappings()]
    if not rows and number > 1:  # past the end: the total still counts
        total = conn.execute(sa.select(sa.func.count()).select_from(db.tasks)
                             .where(db.tasks.c.project_id == project_id,
                                    *([condition] if condition is not None else []))).scalar()
        return total, []
    return (rows[0]["total"] if rows else 0), rows


def details(conn: sa.Connection, task_ids: list[int], jobs_of: int | None) -> tuple[dict, dict]:
    """For the tasks: ({task id: [(author id, name, annotation count)]}, {task id: {job kind:
    its latest job's id, state, progress and message}}), in one query; only the jobs `jobs_of`
    created, unless it is None."""
    if not task_ids:
        return {}, {}
    authors = (sa.select(sa.literal("author").label("what"), _annotations.c.task_id,
                         _annotations.c.author_id.label("id"), sa.func.max(db.users.c.name).label("name"),
                         sa.literal(None, sa.String).label("state"), sa.literal(None, sa.Text).label("message"),
                         sa.func.count().label("number"))
               .select_from(_annotations.outerjoin(db.users, db.users.c.id == _annotations.c.author_id))
               .where(_annotations.c.task_id.in_(task_ids), _annotations.c.kind == "annotation")
               .group_by(_annotations.c.task_id, _annotations.c.author_id))
    jobs = (sa.select(sa.literal("job").label("what"), db.jobs.c.task_id, db.jobs.c.id,
                      db.jobs.c.kind.label("name"), db.jobs.c.state, db.jobs.c.message,
                      db.jobs.c.progress.label("number"))
            .where(db.jobs.c.task_id.in_(task_ids), db.jobs.c.kind.in_(JOB_KINDS)))
    if jobs_of is not None:
        jobs = jobs.where(db.jobs.c.created_by == jobs_of)
    by_author: dict[int, list] = {}
    latest: dict[int, dict] = {}
    for row in conn.execute(sa.union_all(authors, jobs).order_by("what", "task_id", "id")).mappings():
        if row["what"] == "author":
            by_author.setdefault(row["task_id"], []).append((row["id"], row["name"], int(row["number"])))
        else:  # in id order: the last one of a kind is its latest
            latest.setdefault(row["task_id"], {})[row["name"]] = {
                "id": row["id"], "state": row["state"], "progress": float(row["number"]), "message": row["message"]}
    return by_author, latest


def with_video(conn: sa.Connection, project_id: int, path: str | None = None, prefix: str | None = None) -> int | None:
    """The first task of the project whose video is the file `path`, or lies under the folder
    `prefix`; None when there is none."""
    where = db.tasks.c.video_path == path if path is not None else db.tasks.c.video_path.startswith(prefix, autoescape=True)
    return conn.execute(sa.select(db.tasks.c.id).where(db.tasks.c.project_id == project_id, where)
                        .order_by(db.tasks.c.id).limit(1)).scalar()


def delete(conn: sa.Connection, project_id: int, task_ids: list[int]) -> list[int]:
    """Delete those of the tasks that are the project's; the ids that are not (nothing is
    deleted when there are any)."""
    found = set(conn.execute(sa.select(db.tasks.c.id).where(db.tasks.c.project_id == project_id,
                                                            db.tasks.c.id.in_(task_ids))).scalars())
    missing = [i for i in task_ids if i not in found]
    if not missing:
        conn.execute(db.tasks.delete().where(db.tasks.c.id.in_(found)))
    return missing

