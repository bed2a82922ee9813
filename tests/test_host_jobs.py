"""Background jobs: states and progress, failures with messages, restarts that re-queue or fail
what a previous process left, shutdown that sends a running job back to the queue, no leaked
threads, and the jobs API."""

import threading
import time

import pytest
import sqlalchemy as sa

from host_support import SEED_CONFIG, Client, make_user
from tracklabel.host import create_app, db, jobs
from tracklabel.host.video_jobs import attach_video
from video_factory import encode


def make_app(tmp_path, database_url, **config):
    return create_app({"DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": database_url,
                       "MEDIA_ROOTS": [str(tmp_path / "media")], "TESTING": True, **config})


def close(app):
    jobs.shutdown(app)
    app.extensions["tracklabel.engine"].dispose()


@pytest.fixture
def app(tmp_path, database_url):
    app = make_app(tmp_path, database_url)
    yield app
    close(app)


@pytest.fixture
def task(admin, project):
    return admin.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": "a.mp4"}}]).json["tasks"][0]


def job_row(app, job_id):
    with app.extensions["tracklabel.engine"].connect() as conn:
        return conn.execute(sa.select(db.jobs).where(db.jobs.c.id == job_id)).mappings().first()


def wait_for(app, job_id, states, timeout=60, message=""):
    """The job's row once it is in one of `states` with a message that starts with `message`."""
    deadline = time.monotonic() + timeout
    while (row := job_row(app, job_id))["state"] not in states or not row["message"].startswith(message):
        assert time.monotonic() < deadline, dict(row)
        time.sleep(0.02)
    return row


def enqueue(app, kind, task_id):
    with app.app_context():
        return jobs.enqueue(kind, task_id)


def test_jobs_report_their_state_and_failures(app, admin, annotator, task, tmp_path):
    notes = tmp_path / "media" / "notes.mp4"
    notes.parent.mkdir()
    notes.write_text("not a video at all")
    with app.app_context():
        failing = attach_video(task, notes)
    row = wait_for(app, failing, {"done", "failed"})
    assert row["state"] == "failed" and "not a video FFmpeg can read" in row["message"] and str(notes) in row["message"]
    public = admin.get(f"/api/jobs/{failing}").json
    assert public == {"id": failing, "kind": "index", "task": task, "creator": None, "state": "failed",
                      "progress": 0.0, "message": row["message"], "created_at": public["created_at"],
                      "updated_at": public["updated_at"]}
    assert [j["id"] for j in admin.get(f"/api/tasks/{task}/jobs").json] == [failing]
    assert admin.get(f"/api/tasks/{task}").json["media"] is None

    clip = encode(tmp_path / "media" / "clip.mp4", 30)
    with app.app_context():
        done = attach_video(task, clip)
    row = wait_for(app, done, {"done", "failed"})
    assert (row["state"], row["progress"], row["message"]) == ("done", 1.0, "")
    assert admin.get(f"/api/tasks/{task}").json["media"]["frames"] == 30

    (bare,) = admin.post(f"/api/projects/{admin.get(f'/api/tasks/{task}').json['project']}/tasks",
                         json=[{"data": {"video": "b.mp4"}}]).json["tasks"]
    row = wait_for(app, enqueue(app, "index", bare), {"done", "failed"})
    assert row["state"] == "failed" and row["message"] == f"task {bare} has no video"


def test_jobs_api_errors(app, admin, task):
    assert admin.get("/api/jobs/12345").status_code == 404
    assert admin.get("/api/tasks/12345/jobs").status_code == 404
    assert Client(app).get(f"/api/tasks/{task}/jobs").status_code == 401
    assert admin.get(f"/api/tasks/{task}/jobs").json == []
    with pytest.raises(ValueError, match="no runner"), app.app_context():
        jobs.enqueue("no-such-kind", task)


def test_only_its_creator_or_an_admin_reads_cancels_or_downloads_a_job(tmp_path, database_url):
    app = make_app(tmp_path, database_url, WORKERS=0)  # jobs stay queued
    try:
        admin = Client(app, make_user(app, "admin", "admin"))
        other_admin = Client(app, make_user(app, "boss", "admin"))
        owner, stranger = (Client(app, make_user(app, name, "annotator")) for name in ("ann", "bob"))
        owner_id = owner.get("/api/auth/me").json["user"]["id"]
        project = admin.post("/api/projects", json={"title": "p", "label_config": SEED_CONFIG}).json["id"]
        (tmp_path / "media").mkdir()
        encode(tmp_path / "media" / "clip.mp4", 10)
        (task,) = admin.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": "clip.mp4"}}]).json["tasks"]
        (index_job,) = admin.get(f"/api/tasks/{task}/jobs").json  # queued at import: the importer's
        assert index_job["creator"] == admin.get("/api/auth/me").json["user"]["id"]
        with app.app_context():
            mine = jobs.enqueue("index", task, creator=owner_id)
        export = admin.post(f"/api/projects/{project}/exports", json={"format": "jsonl"}).json["id"]

        for url in (f"/api/jobs/{mine}", f"/api/jobs/{index_job['id']}", f"/api/jobs/{export}/download"):
            response = stranger.get(url)
            assert response.status_code == 403 and response.json["error"] == "forbidden", url
        assert stranger.post(f"/api/jobs/{mine}/cancel").status_code == 403
        assert owner.get(f"/api/jobs/{index_job['id']}").status_code == 403
        assert owner.get(f"/api/jobs/{export}/download").status_code == 403
        assert stranger.get(f"/api/tasks/{task}/jobs").json == []
        assert [j["id"] for j in owner.get(f"/api/tasks/{task}/jobs").json] == [mine]
        assert [j["id"] for j in admin.get(f"/api/tasks/{task}/jobs").json] == [index_job["id"], mine]
        assert job_row(app, mine)["state"] == "queued"
        assert owner.get(f"/api/jobs/{mine}").json["state"] == "queued"
        assert owner.post(f"/api/jobs/{mine}/cancel").json["state"] == "cancelled"
        assert other_admin.post(f"/api/jobs/{index_job['id']}/cancel").json["state"] == "cancelled"
        assert other_admin.get(f"/api/jobs/{export}/download").status_code == 409  # not done: but allowed
    finally:
        close(app)


def test_a_restart_requeues_left_over_jobs_and_fails_unknown_kinds(tmp_path, database_url, monkeypatch):
    release, runs = threading.Event(), []

    def block(task_id, progress):
        runs.append(task_id)
        assert release.wait(30)

    first = make_app(tmp_path, database_url, WORKERS=0, JOB_RUNNERS={"test-block": block})
    admin = Client(first, make_user(first, "admin", "admin"))
    project = admin.post("/api/projects", json={"title": "p", "label_config": SEED_CONFIG}).json["id"]
    (tmp_path / "media").mkdir()
    encode(tmp_path / "media" / "clip.mp4", 20)
    (task,) = admin.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": "clip.mp4"}}]).json["tasks"]
    (index_job,) = admin.get(f"/api/tasks/{task}/jobs").json  # queued: this app runs no jobs
    with first.extensions["tracklabel.engine"].begin() as conn:
        conn.execute(db.jobs.update().where(db.jobs.c.id == index_job["id"]).values(state="running", progress=0.4))
        left = {kind: conn.execute(db.jobs.insert().values(kind=kind, task_id=task, state=state, progress=0.5))
                .inserted_primary_key[0] for kind, state in (("test-block", "running"), ("mystery", "running"))}
    close(first)  # the process "dies" with three jobs running

    second = make_app(tmp_path, database_url, WORKERS=2, JOB_RUNNERS={"test-block": block})
    try:
        # on SQLite the host re-queues them as it starts; on PostgreSQL a worker's recovery does
        blocked = wait_for(second, left["test-block"], {"running"}, message="re-queued: ")
        assert blocked["message"] in ("re-queued: the host stopped while it was running",
                                      "re-queued: its worker stopped while it was running")
        assert blocked["progress"] == 0.0
        mystery = wait_for(second, left["mystery"], {"failed"})
        assert "no runner knows" in mystery["message"]
        assert wait_for(second, index_job["id"], {"done", "failed"})["state"] == "done"
        release.set()
        assert wait_for(second, left["test-block"], {"done", "failed"})["state"] == "done"
        assert runs == [task]
        assert Client(second, make_user(second, "other", "admin")).get(f"/api/tasks/{task}").json["media"]["frames"] == 20
    finally:
        release.set()
        close(second)


def test_shutdown_sends_the_running_job_back_to_the_queue(tmp_path, database_url, monkeypatch):
    started, runs = threading.Event(), []

    def slow(task_id, progress):
        runs.append(task_id)
        steps = 3000 if len(runs) == 1 else 3  # the first run would take 30 s
        for i in range(steps):
            started.set()
            progress(i / steps)
            time.sleep(0.01)

    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 0.0)
    first = make_app(tmp_path, database_url, WORKERS=1, JOB_RUNNERS={"test-slow": slow})
    running = enqueue(first, "test-slow", None)
    waiting = enqueue(first, "test-slow", None)  # behind the first: cancelled by the shutdown
    assert started.wait(30)
    began = time.monotonic()
    jobs.shutdown(first)
    assert time.monotonic() - began < 5  # interrupted at its next progress report
    row = job_row(first, running)
    assert row["state"] == "queued" and "interrupted by a shutdown" in row["message"]
    assert job_row(first, waiting)["state"] == "queued"
    close(first)

    second = make_app(tmp_path, database_url, WORKERS=1, JOB_RUNNERS={"test-slow": slow})
    try:
        for job in (running, waiting):
            row = wait_for(second, job, {"done", "failed"})
            assert (row["state"], row["progress"]) == ("done", 1.0)
        assert len(runs) == 3
    finally:
        close(second)


def test_pools_do_not_leak_threads(tmp_path, database_url):
    quick = {"test-quick": lambda task_id, progress: None}
    names = lambda: {t.name for t in threading.enumerate() if t.name.startswith("tracklabel-job")}  # noqa: E731
    for thread in threading.enumerate():  # pools of earlier tests may still be winding down
        if thread.name.startswith("tracklabel-job"):
            thread.join(timeout=10)
    before = names()
    idle = make_app(tmp_path / "idle", database_url)  # no job: no thread
    assert names() == before
    close(idle)
    for i in range(6):
        app = make_app(tmp_path / str(i), database_url, WORKERS=2, JOB_RUNNERS=quick)
        for job in [enqueue(app, "test-quick", None) for _ in range(4)]:
            wait_for(app, job, {"done"})
        close(app)
        assert names() == before
