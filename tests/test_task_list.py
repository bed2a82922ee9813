"""The data manager's API: a project's tasks a page at a time (filters, sorts, totals, a
constant number of queries per page at 10,000 tasks), thumbnails, deleting several tasks, and
duplicate videos refused on import."""

import io
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from host_support import SEED_CONFIG, Client, make_user, settle, upload
from tracklabel.host import create_app, db, jobs
from video_factory import encode

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """50 stamped frames of H.264 at 25 fps, a keyframe each second."""
    return encode(tmp_path_factory.mktemp("clip") / "clip.mp4", 50, options={"g": "25", "bf": "0"})


def user_id(app, name):
    with app.app_context(), db.engine().connect() as conn:
        return conn.execute(sa.select(db.users.c.id).where(db.users.c.name == name)).scalar()


def insert(app, table, rows):
    """Rows straight into a table (many at once); their ids."""
    with app.app_context(), db.engine().begin() as conn:
        first = conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar() + 1
        conn.execute(table.insert(), [{"id": first + i, **row} for i, row in enumerate(rows)])
    return list(range(first, first + len(rows)))


def task_rows(project, count, **values):
    return [{"project_id": project, "data": {"video": f"v{i}.mp4"}, "extra": {}, **values} for i in range(count)]


def annotation_rows(task, author, count=1, kind="annotation", at=T0):
    return [{"task_id": task, "kind": kind, "result": [], "extra": {}, "author_id": author, "version": 1,
             "created_at": at, "updated_at": at} for _ in range(count)]


def listed(client, project, **query):
    response = client.get(f"/api/projects/{project}/task-list", query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def ids(body):
    return [t["id"] for t in body["tasks"]]



# --- the page ---

def test_filters_sorts_and_totals(app, admin, annotator, project):
    me, ann = user_id(app, "admin"), user_id(app, "ann")
    t1, t2, t3, t4, t5 = insert(app, db.tasks, task_rows(project, 5, created_at=T0))
    insert(app, db.annotations, annotation_rows(t1, me, 2, at=T0 + timedelta(hours=1)))
    insert(app, db.annotations, annotation_rows(t2, ann, at=T0 + timedelta(hours=3))
           + annotation_rows(t2, me, at=T0 + timedelta(hours=2)))
    insert(app, db.annotations, annotation_rows(t3, None, kind="prediction", at=T0 + timedelta(hours=5)))
    with app.app_context(), db.engine().begin() as conn:
        conn.execute(db.tasks.update().where(db.tasks.c.id == t4).values(
            video_path="/nowhere/v3.mp4", media={"frames": 10, "fps": 25.0, "warnings": ["frameRate differs"]}))
        conn.execute(db.tasks.update().where(db.tasks.c.id == t3).values(media={"frames": 10, "warnings": []}))
    insert(app, db.jobs, [{"kind": "index", "task_id": t5, "state": "failed", "progress": 0.0, "message": "no video"},
                          {"kind": "index", "task_id": t3, "state": "failed", "progress": 0.0, "message": ""},
                          {"kind": "index", "task_id": t3, "state": "done", "progress": 1.0, "message": ""}])

    body = listed(admin, project)
    assert ids(body) == [t1, t2, t3, t4, t5] and body["total"] == 5 and (body["page"], body["per_page"]) == (1, 50)
    first = body["tasks"][0]
    assert first["name"] == "v0.mp4" and first["annotations"] == 2 and first["predictions"] == 0
    assert first["authors"] == [{"id": me, "name": "admin", "annotations": 2}]
    assert first["updated_at"] == (T0 + timedelta(hours=1)).isoformat() and first["video"] is False
    assert first["jobs"] == {"index": None, "proxy": None} and first["thumbnail"] is None
    second = body["tasks"][1]
    assert sorted((a["name"], a["annotations"]) for a in second["authors"]) == [("admin", 1), ("ann", 1)]
    third = body["tasks"][2]
    assert third["annotations"] == 0 and third["predictions"] == 1 and third["authors"] == []
    assert third["jobs"]["index"]["state"] == "done"  # the latest index job
    fourth = body["tasks"][3]
    assert fourth["media"]["warnings"] == ["frameRate differs"] and fourth["video"] is True
    assert fourth["updated_at"] == T0.isoformat()  # no annotation: its creation

    assert ids(listed(admin, project, filter="not_annotated")) == [t3, t4, t5]
    assert ids(listed(admin, project, filter="mine")) == [t1, t2]
    assert ids(listed(annotator, project, filter="mine")) == [t2]
    assert ids(listed(admin, project, filter="warnings")) == [t4, t5]  # t3's failed job is not its latest
    assert body["tasks"][4]["jobs"]["index"] == {"id": 1, "state": "failed", "progress": 0.0, "message": "no video"}
    assert ids(listed(admin, project, sort="-annotations")) == [t2, t1, t5, t4, t3]  # ties: by id, descending
    assert ids(listed(admin, project, sort="annotations")) == [t3, t4, t5, t1, t2]
    assert ids(listed(admin, project, sort="-updated")) == [t3, t2, t1, t5, t4]
    assert ids(listed(admin, project, sort="-id")) == [t5, t4, t3, t2, t1]

    page = listed(admin, project, per_page=2, page=3)
    assert ids(page) == [t5] and page["total"] == 5
    past = listed(admin, project, per_page=2, page=4, filter="not_annotated")
    assert ids(past) == [] and past["total"] == 3
    assert listed(admin, project, filter="mine", page=9)["total"] == 2


def test_bad_queries_are_400_naming_the_parameter(admin, project):
    for query, name in (({"filter": "done"}, "filter"), ({"sort": "name"}, "sort"), ({"sort": "--id"}, "sort"),
                        ({"page": "0"}, "page"), ({"per_page": "501"}, "per_page"), ({"page": "x"}, "page")):
        response = admin.get(f"/api/projects/{project}/task-list", query_string=query)
        assert response.status_code == 400 and response.json["path"] == name, (query, response.json)
    assert admin.get("/api/projects/999/task-list").status_code == 404


def test_ten_thousand_tasks_in_a_constant_number_of_queries(app, admin, project):
    # the running jobs below are made up, with no queue job: a worker's recovery would rightly
    # queue them again (and fail them, the tasks having no video), so none runs in this process
    jobs.shutdown(app)
    me = user_id(app, "admin")
    tasks = insert(app, db.tasks, task_rows(project, 10_000, created_at=T0))
    annotated = tasks[::3]
    insert(app, db.annotations, [row for i, t in enumerate(annotated)
                                 for row in annotation_rows(t, me, 1 + i % 3, at=T0 + timedelta(seconds=i))])
    insert(app, db.jobs, [{"kind": "index", "task_id": t, "state": "running", "progress": 0.5} for t in tasks[:600]])
    statements = []
    engine = app.extensions["tracklabel.engine"]

    def count(*_args):
        statements.append(1)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        sizes = {}
        for size in (10, 500):
            statements.clear()
            body = listed(admin, project, per_page=size, page=2, sort="-annotations")
            sizes[size] = len(statements)
            assert len(body["tasks"]) == size and body["total"] == 10_000
        assert sizes[10] == sizes[500], sizes
        statements.clear()
        body = listed(admin, project, per_page=500, page=20)
        assert ids(body) == tasks[-500:] and len(statements) == sizes[10]
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert listed(admin, project, filter="not_annotated", per_page=1)["total"] == 10_000 - len(annotated)
    assert listed(admin, project, filter="mine", per_page=1)["total"] == len(annotated)
    top = listed(admin, project, sort="-annotations", per_page=3)["tasks"]
    assert [t["annotations"] for t in top] == [3, 3, 3]
    assert listed(admin, project, per_page=1)["tasks"][0]["jobs"]["index"] == {
        "id": 1, "state": "running", "progress": 0.5, "message": ""}


# --- thumbnails, and a video task in the list ---

def test_thumbnail_is_made_once_and_the_list_shows_the_video(app, admin, annotator, project, clip):
    response = upload(admin, project, clip.read_bytes(), "street.mp4")
    assert response.status_code == 201, response.json
    (task,) = response.json["tasks"]
    settle(admin, task)
    row = listed(admin, project)["tasks"][0]
    assert row["name"] == "street.mp4" and row["thumbnail"] == f"/api/tasks/{task}/thumbnail"
    assert row["media"]["frames"] == 50 and row["media"]["fps"] == 25.0 and row["media"]["constant_rate"] is True
    assert row["media"]["duration"] == pytest.approx(2.0)
    assert row["jobs"]["index"]["state"] == "done" and row["jobs"]["proxy"] is None
    assert listed(annotator, project)["tasks"][0]["jobs"]["index"] is None  # another user's job

    first = annotator.get(row["thumbnail"])
    assert first.status_code == 200 and first.mimetype == "image/jpeg"
    import cv2
    import numpy as np
    image = cv2.imdecode(np.frombuffer(first.data, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == (144, 192, 3)
    kept = list((Path(app.config["DATA_DIR"]) / "thumbnails").glob(f"{task}-*.jpg"))
    assert len(kept) == 1 and kept[0].read_bytes() == first.data
    made = kept[0].stat().st_mtime_ns
    again = annotator.get(row["thumbnail"], headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and kept[0].stat().st_mtime_ns == made

    assert admin.post(f"/api/projects/{project}/tasks/delete", json={"tasks": [task]}).json == {"deleted": [task]}
    assert not kept[0].exists()


def test_thumbnail_refusals(tmp_path, database_url, clip):
    app = create_app({"DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": database_url, "WORKERS": 0,
                      "MEDIA_ROOTS": [str(tmp_path / "media")], "TESTING": True})
    try:
        admin = Client(app, make_user(app, "admin", "admin"))
        project = admin.post("/api/projects", json={"title": "p", "label_config": SEED_CONFIG}).json["id"]
        (tmp_path / "media").mkdir()
        shutil.copy(clip, tmp_path / "media" / "clip.mp4")
        created = admin.post(f"/api/projects/{project}/tasks", json={"path": "clip.mp4"}).json
        response = admin.get(f"/api/tasks/{created['tasks'][0]}/thumbnail")  # no worker: never indexed
        assert response.status_code == 409 and response.json["error"] == "not_indexed"
        assert response.json["job"] == created["jobs"][0] and "is queued" in response.json["message"]
        (plain,) = admin.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": "https://x/a.mp4"}}]).json["tasks"]
        response = admin.get(f"/api/tasks/{plain}/thumbnail")
        assert response.status_code == 404 and response.json["error"] == "no_video"
        assert admin.get("/api/tasks/999/thumbnail").status_code == 404
    finally:
        app.extensions["tracklabel.engine"].dispose()


# --- deleting several ---

def test_delete_several_all_or_nothing(app, admin, annotator, project):
    other = admin.post("/api/projects", json={"title": "Other", "label_config": SEED_CONFIG}).json["id"]
    mine = insert(app, db.tasks, task_rows(project, 4))
    (foreign,) = insert(app, db.tasks, task_rows(other, 1))
    url = f"/api/projects/{project}/tasks/delete"
    response = admin.post(url, json={"tasks": [mine[0], foreign]})
    assert response.status_code == 404 and response.json["path"] == "$.tasks[1]"
    assert str(foreign) in response.json["message"] and "nothing was deleted" in response.json["message"]
    assert listed(admin, project)["total"] == 4
    for body, path in (({"tasks": []}, "$.tasks"), ({"tasks": [mine[0], "2"]}, "$.tasks[1]"),
                       ({"tasks": [True]}, "$.tasks[0]"), ({}, "$.tasks")):
        response = admin.post(url, json=body)
        assert response.status_code == 400 and response.json["path"] == path, body
    assert annotator.post(url, json={"tasks": mine}).status_code == 403
    assert admin.post(url, json={"tasks": [mine[1], mine[0], mine[1]]}).json == {"deleted": [mine[1], mine[0]]}
    assert ids(listed(admin, project)) == mine[2:]
    assert admin.post("/api/projects/999/tasks/delete", json={"tasks": [1]}).status_code == 404


# --- duplicates refused on import ---

def test_a_duplicate_video_is_refused_and_nothing_is_stored(app, admin, project, clip, tmp_path):
    uploads = Path(app.config["DATA_DIR"]) / "uploads"
    (first,) = upload(admin, project, clip.read_bytes(), "a.mp4").json["tasks"]
    stored = sorted(p.relative_to(uploads) for p in uploads.rglob("*"))
    for name in ("a.mp4", "renamed.mp4"):
        response = upload(admin, project, clip.read_bytes(), name)
        assert response.status_code == 409 and response.json["error"] == "duplicate_video", response.json
        assert response.json["message"].startswith(f"{name}: ") and f"task {first}" in response.json["message"]
        assert response.json["task"] == first
        assert sorted(p.relative_to(uploads) for p in uploads.rglob("*")) == stored
    both = admin.post(f"/api/projects/{project}/tasks", content_type="multipart/form-data",
                      data={"file": [(io.BytesIO(b"x" * 100), "b.mp4"), (io.BytesIO(clip.read_bytes()), "c.mp4")]})
    assert both.status_code == 400 and both.json["message"].startswith("b.mp4: ")
    assert ids(listed(admin, project)) == [first]

    other = admin.post("/api/projects", json={"title": "Other", "label_config": SEED_CONFIG}).json["id"]
    response = upload(admin, other, clip.read_bytes(), "a.mp4")  # another project may have it too
    assert response.status_code == 201
    assert admin.get(f"/api/tasks/{response.json['tasks'][0]}").json["data"] == \
        admin.get(f"/api/tasks/{first}").json["data"]
    assert sorted(p.relative_to(uploads) for p in uploads.rglob("*")) == stored  # one copy

    media = tmp_path / "media"
    media.mkdir()
    shutil.copy(clip, media / "clip.mp4")
    (by_path,) = admin.post(f"/api/projects/{project}/tasks", json={"path": "clip.mp4"}).json["tasks"]
    for given in ("clip.mp4", str(media / "clip.mp4"), "./clip.mp4"):
        response = admin.post(f"/api/projects/{project}/tasks", json={"path": given})
        assert response.status_code == 409 and response.json["task"] == by_path, response.json
        assert response.json["message"].startswith(f"{given}: ")
    assert listed(admin, project)["total"] == 2


def test_a_json_import_naming_a_video_already_in_the_project_is_refused_whole(app, admin, project, clip, tmp_path):
    (uploaded,) = upload(admin, project, clip.read_bytes(), "a.mp4").json["tasks"]
    upload_name = admin.get(f"/api/tasks/{uploaded}").json["data"]["video"]  # <SHA-256>/a.mp4
    media = tmp_path / "media"
    media.mkdir()
    shutil.copy(clip, media / "clip.mp4")
    (by_path,) = admin.post(f"/api/projects/{project}/tasks", json={"path": "clip.mp4"}).json["tasks"]
    url = f"/api/projects/{project}/tasks"
    others = [{"data": {"video": "https://example.com/clip.mp4"}}, {"data": {"video": "missing.mp4"}}]
    for value, task in (("clip.mp4", by_path), (str(media / "clip.mp4"), by_path),
                        ("/data/local-files/?d=clip.mp4", by_path), (upload_name, uploaded)):
        response = admin.post(url, json=[*others, {"data": {"video": value}}])
        assert response.status_code == 409 and response.json["error"] == "duplicate_video", (value, response.json)
        assert response.json["path"] == "$[2].data.video" and response.json["task"] == task, response.json
        assert response.json["message"].startswith("$[2].data.video: ") and f"task {task}" in response.json["message"]
    response = admin.post(url, json={"data": {"video": "clip.mp4"}})  # one task object
    assert response.status_code == 409 and response.json["path"] == "$.data.video"
    shutil.copy(clip, media / "new.mp4")
    assert ids(listed(admin, project)) == [uploaded, by_path]  # nothing of the refused imports

    created = admin.post(url, json=[*others, {"data": {"video": "new.mp4"}}])  # URLs and missing files are no videos
    assert created.status_code == 201 and len(created.json["tasks"]) == 3 and len(created.json["jobs"]) == 1
    other = admin.post("/api/projects", json={"title": "Other", "label_config": SEED_CONFIG}).json["id"]
    assert admin.post(f"/api/projects/{other}/tasks", json=[{"data": {"video": "clip.mp4"}}]).status_code == 201
