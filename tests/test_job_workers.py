"""Jobs on PostgreSQL run by `tracklabel worker` processes: a worker killed with SIGKILL in the
middle of an export or an index job has it finished once by another, with nothing half-written
left; two workers never run one job at once; transient failures are retried with backoff, bad
input is not; jobs of one lock never run at once; a cancel reaches a running job and a queued
one; SIGTERM sends a running job back to the queue. Real processes on a real PostgreSQL
(TRACKLABEL_TEST_DATABASE_URL)."""

import io
import os
import signal
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from host_support import PG_URL, SEED_CONFIG, Client, make_user, reset_postgres
from job_workers_support import RUNNERS, Worker, long_video, param_lock
from server_process import CLI, region
from tracklabel.host import create_app, db, jobs
from video_factory import encode

@pytest.fixture
def data(tmp_path):
    return tmp_path / "data"


@pytest.fixture
def app(data, tmp_path):
    """The web side: it queues jobs and runs none (WORKERS=0)."""
    if not PG_URL:
        pytest.skip("TRACKLABEL_TEST_DATABASE_URL is not set: `tracklabel worker` needs PostgreSQL")
    reset_postgres(PG_URL)
    app = create_app({"DATA_DIR": str(data), "DATABASE_URL": PG_URL, "WORKERS": 0, "TESTING": True,
                      "MEDIA_ROOTS": [str(tmp_path / "media")], "JOB_RUNNERS": RUNNERS})
    jobs.register_runner(app, "test-locked", RUNNERS["test-locked"], lock=param_lock)
    yield app
    app.extensions["tracklabel.engine"].dispose()


@pytest.fixture
def workers():
    started = []
    yield started
    for worker in started:
        if worker.process.poll() is None:
            worker.kill()


def start(workers, data, concurrency=1, **config):
    worker = Worker(data, PG_URL, concurrency, **config)
    workers.append(worker)
    return worker


def row(app, job_id):
    with app.extensions["tracklabel.engine"].connect() as conn:
        return dict(conn.execute(sa.select(db.jobs).where(db.jobs.c.id == job_id)).mappings().one())


def queue_job(app, job_id):
    """The job's procrastinate job: (status, lock), or None (a succeeded one is deleted)."""
    with app.extensions["tracklabel.engine"].connect() as conn:
        found = conn.execute(sa.text("SELECT p.status, p.lock FROM procrastinate_jobs p JOIN jobs j "
                                     "ON j.queue_job = p.id WHERE j.id = :id"), {"id": job_id}).first()
    return tuple(found) if found is not None else None


def unfinished_queue_jobs(app) -> int:
    with app.extensions["tracklabel.engine"].connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM procrastinate_jobs "
                                    "WHERE status IN ('todo', 'doing')")).scalar_one()


def wait_until(check, what, workers=(), timeout=180):
    """check()'s value once it is true (an error with the workers' logs after `timeout`)."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            logs = "\n".join(w.output()[-3000:] for w in workers)
            raise AssertionError(f"gave up waiting for {what}\n{logs}")
        time.sleep(0.05)
    return value


def enqueue(app, kind, params, task_id=None):
    with app.app_context():
        return jobs.enqueue(kind, task_id, params)


def runs(log: Path) -> list[list[str]]:
    return [line.split() for line in log.read_text().splitlines()] if log.exists() else []


def unzipped(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def leftovers(data: Path) -> list[str]:
    """Hidden (partial) files and folders anywhere in the data folder."""
    return sorted(str(p.relative_to(data)) for p in data.rglob(".*"))


def test_a_worker_killed_in_an_export_has_it_finished_once_by_another(app, data, workers):
    admin = Client(app, make_user(app, "admin", "admin"))
    project = admin.post("/api/projects", json={"title": "p", "label_config": SEED_CONFIG}).json["id"]
    tasks = admin.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": f"v{i}.mp4"}} for i in range(4)])
    for task in tasks.json["tasks"]:
        result = [region(f"r{j}", 20, 20000) for j in range(10)]
        assert admin.post(f"/api/tasks/{task}/annotations", json={"result": result}).status_code == 201
    first = start(workers, data, PROGRESS_INTERVAL=0.05)
    options = {"format": "mot", "width": 640, "height": 480}
    job = admin.post(f"/api/projects/{project}/exports", json=options).json["id"]
    wait_until(lambda: row(app, job)["progress"] > 0, "the export's progress", workers)
    first.kill()
    assert row(app, job)["state"] == "running"

    start(workers, data)
    done = wait_until(lambda: row(app, job)["state"] in ("done", "failed") and row(app, job), "the export", workers)
    assert done["state"] == "done", done
    expected = admin.get(f"/api/projects/{project}/export?format=mot&width=640&height=480").data
    exports = data / "exports"
    assert [p.name for p in exports.iterdir()] == [Path(done["result"]["file"]).parent.name]  # one export
    assert unzipped((exports / done["result"]["file"]).read_bytes()) == unzipped(expected)  # complete
    assert leftovers(data) == []
    assert queue_job(app, job) is None  # succeeded and deleted: nothing of it is left to run
    assert unfinished_queue_jobs(app) == 0


def test_a_worker_killed_in_an_index_job_has_it_finished_once_by_another(app, data, workers, tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    clip = encode(tmp_path / "clip.mp4", 250, options={"g": "25"})
    long_video(media / "long.mp4", clip, 400)  # 100000 frames
    admin = Client(app, make_user(app, "admin", "admin"))
    project = admin.post("/api/projects", json={"title": "p", "label_config": SEED_CONFIG}).json["id"]
    (task,) = admin.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": "long.mp4"}}]).json["tasks"]
    (job,) = [j["id"] for j in admin.get(f"/api/tasks/{task}/jobs").json]
    assert queue_job(app, job) == ("todo", f"video:{media / 'long.mp4'}")  # the video's lock
    first = start(workers, data, PROGRESS_INTERVAL=0.05)
    wait_until(lambda: row(app, job)["progress"] > 0, "the index job's progress", workers)
    first.kill()

    start(workers, data)
    done = wait_until(lambda: row(app, job)["state"] in ("done", "failed") and row(app, job), "the index job", workers)
    assert done["state"] == "done", done
    assert admin.get(f"/api/tasks/{task}").json["media"]["frames"] == 100000
    assert [j["kind"] for j in admin.get(f"/api/tasks/{task}/jobs").json] == ["index"]  # no proxy needed
    assert len(list((data / "index").rglob("*.json"))) == 1
    assert leftovers(data) == []
    assert unfinished_queue_jobs(app) == 0


def test_two_workers_never_run_one_job_at_once(app, data, workers, tmp_path):
    log = tmp_path / "runs.log"
    ids = [enqueue(app, "test-record", {"log": str(log), "seconds": 0.2}) for _ in range(16)]
    start(workers, data, concurrency=2)
    start(workers, data, concurrency=2)
    for job in ids:
        wait_until(lambda: row(app, job)["state"] == "done", f"job {job}", workers)
    for job in ids:
        mine = [r for r in runs(log) if r[1] == str(job)]
        assert [r[0] for r in mine] == ["start", "end"] and mine[0][2] == mine[1][2], mine
        assert row(app, job)["result"] == {"pid": int(mine[0][2])}


def test_transient_failures_are_retried_with_backoff_bad_input_is_not(app, data, workers, tmp_path):
    log = tmp_path / "attempts.log"
    recovers = enqueue(app, "test-flaky", {"log": str(log), "succeed_at": 3})
    gives_up = enqueue(app, "test-flaky", {"log": str(log)})
    bad = enqueue(app, "test-flaky", {"log": str(log), "bad": True})
    missing = enqueue(app, "test-flaky", {"log": str(log), "missing": "/media/deleted.mp4"})
    start(workers, data, concurrency=3)
    for job in (recovers, gives_up, bad, missing):
        wait_until(lambda: row(app, job)["state"] in ("done", "failed"), f"job {job}", workers)
    attempts = {job: [float(r[3]) for r in runs(log) if r[1] == str(job)] for job in (recovers, gives_up, bad, missing)}
    assert row(app, recovers)["state"] == "done" and row(app, recovers)["result"] == {"attempts": 3}
    assert len(attempts[recovers]) == 3
    # waits of JOB_RETRY_SECONDS (0.5), doubling; the queue starts no attempt before its time
    assert [b - a >= 0.5 * 2 ** i for i, (a, b) in enumerate(zip(attempts[recovers], attempts[recovers][1:]))] \
        == [True, True]
    failed = row(app, gives_up)
    assert failed["state"] == "failed" and "OSError: the shared media is away (attempt 4)" in failed["message"]
    assert len(attempts[gives_up]) == 4  # JOB_RETRIES = 3 retries
    assert row(app, bad)["state"] == "failed" and "this job's input is bad" in row(app, bad)["message"]
    assert len(attempts[bad]) == 1
    # a file that is not there (or not readable) stays so: not retried either
    assert row(app, missing)["state"] == "failed" and "/media/deleted.mp4" in row(app, missing)["message"]
    assert len(attempts[missing]) == 1


def test_jobs_of_one_lock_never_run_at_once(app, data, workers, tmp_path):
    log = tmp_path / "runs.log"
    ids = [enqueue(app, "test-locked", {"log": str(log), "seconds": 0.3, "lock": "video:a"}) for _ in range(6)]
    start(workers, data, concurrency=2)
    start(workers, data, concurrency=2)
    for job in ids:
        wait_until(lambda: row(app, job)["state"] == "done", f"job {job}", workers)
    events = sorted((float(r[3]), r[0], r[1]) for r in runs(log))
    running = 0
    for _, event, _ in events:
        running += 1 if event == "start" else -1
        assert running <= 1, events
    assert len(events) == 12


def test_a_cancel_reaches_a_running_job_and_a_queued_one(app, data, workers, tmp_path):
    admin = Client(app, make_user(app, "admin", "admin"))
    log = tmp_path / "runs.log"
    queued = enqueue(app, "test-record", {"log": str(log), "seconds": 0.1})
    assert admin.post(f"/api/jobs/{queued}/cancel").json["state"] == "cancelled"
    assert queue_job(app, queued)[0] == "cancelled"  # no worker will take it

    running = enqueue(app, "test-record", {"log": str(log), "seconds": 600})
    start(workers, data, PROGRESS_INTERVAL=0.05)
    wait_until(lambda: row(app, running)["progress"] > 0, "the job's progress", workers)
    assert admin.post(f"/api/jobs/{running}/cancel").json["state"] == "cancelled"
    wait_until(lambda: queue_job(app, running)[0] == "aborted", "the job to stop", workers)
    assert [r[0] for r in runs(log)] == ["start"]  # of the running one; it never ended
    assert row(app, running)["state"] == "cancelled"


def test_sigterm_sends_the_running_job_back_to_the_queue(app, data, workers, tmp_path):
    log = tmp_path / "runs.log"
    job = enqueue(app, "test-record", {"log": str(log), "seconds": 5})
    first = start(workers, data, PROGRESS_INTERVAL=0.05)
    wait_until(lambda: row(app, job)["progress"] > 0, "the job's progress", workers)
    assert first.stop() == 0
    left = row(app, job)
    assert left["state"] == "queued" and "interrupted by a shutdown" in left["message"]
    start(workers, data)
    wait_until(lambda: row(app, job)["state"] == "done", "the job", workers)
    assert [r[0] for r in runs(log)] == ["start", "start", "end"]


def test_a_stopping_worker_keeps_its_heartbeat_until_its_job_has_stopped(app, data, workers, tmp_path):
    """A worker told to stop while its job is in a long step without progress reports (longer
    than a worker may be silent) goes on beating: no other worker takes the job before the step
    ends and the job goes back to the queue (procrastinate's own shutdown ends the heartbeat
    first, and the job was then run twice at once)."""
    log, step = tmp_path / "runs.log", 6.0
    job = enqueue(app, "test-slow-step", {"log": str(log), "seconds": step})
    first = start(workers, data)
    wait_until(lambda: runs(log), "the job's start", workers)
    start(workers, data)
    assert first.stop() == 0
    wait_until(lambda: row(app, job)["state"] == "done", "the job", workers)
    (_, _, pid_a, began), (_, _, pid_b, again), (end, _, pid_c, _) = runs(log)
    assert pid_a != pid_b == pid_c and end == "end"
    assert float(again) >= float(began) + step  # the second run began after the first stopped


def test_the_worker_command_refuses_sqlite(tmp_path):
    out = subprocess.run([*CLI, "worker", "--data", str(tmp_path / "data")], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 2 and "on SQLite, jobs run inside `tracklabel serve`" in out.stderr
    out = subprocess.run([*CLI, "worker", "--database", f"sqlite:///{tmp_path / 'x.db'}"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 2


def test_the_worker_command_runs_jobs_below_the_web_processes_priority(app, data):
    """`tracklabel worker` lowers its CPU priority (--nice, 10 by default), so that on a machine
    it shares with web processes, annotators' requests come first; and it runs the jobs."""
    admin = Client(app, make_user(app, "admin", "admin"))
    project = admin.post("/api/projects", json={"title": "p", "label_config": SEED_CONFIG}).json["id"]
    log = open(data.parent / "worker-cli.log", "w+b")
    process = subprocess.Popen([*CLI, "worker", "--database", PG_URL, "--data", str(data), "--nice", "7"],
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        job = admin.post(f"/api/projects/{project}/exports", json={"format": "mot"}).json["id"]
        assert wait_until(lambda: row(app, job)["state"] in ("done", "failed") and row(app, job),
                          "the export")["state"] == "done"
        assert os.getpriority(os.PRIO_PROCESS, process.pid) == os.getpriority(os.PRIO_PROCESS, 0) + 7
    finally:
        process.terminate()
        assert process.wait(timeout=60) == 0
        log.close()


def test_a_worker_declared_dead_while_still_running_never_writes_the_job(app, data, workers, tmp_path):
    log = tmp_path / "runs.log"
    job = enqueue(app, "test-record", {"log": str(log), "seconds": 6})
    frozen = start(workers, data, PROGRESS_INTERVAL=0.05)
    wait_until(lambda: row(app, job)["progress"] > 0, "the job's progress", workers)
    owner = row(app, job)["owner"]
    frozen.process.send_signal(signal.SIGSTOP)  # no heartbeat: the others declare it dead
    try:
        start(workers, data)
        wait_until(lambda: row(app, job)["owner"] not in (owner, None), "another worker's claim", workers)
    finally:
        frozen.process.send_signal(signal.SIGCONT)  # it runs on: its next report finds the job not its own
    done = wait_until(lambda: row(app, job)["state"] == "done" and row(app, job), "the job", workers)
    pids = [(r[0], int(r[2])) for r in runs(log)]
    assert pids == [("start", frozen.process.pid), ("start", done["result"]["pid"]), ("end", done["result"]["pid"])]
    assert done["result"]["pid"] != frozen.process.pid
