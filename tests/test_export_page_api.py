"""What the Export page needs of the API: an export job of selected tasks (`tasks`, checked at
the door: 400 naming the bad entry, nothing queued) with a format's own option; exports older
than EXPORT_MAX_AGE_SECONDS by the app's clock are removed from the data folder when the next
export starts, a download is asked for, or the job pool's housekeeping runs, and their download
answers 410 with a message; regions without a label are left out of class formats, the job's
result saying so."""

import io
import threading
import time
import zipfile
from pathlib import Path

import pytest

from tracklabel.host import exports, jobs

REGION = {"id": "r1", "type": "videorectangle", "from_name": "box", "to_name": "video",
          "value": {"labels": ["Man"], "framesCount": 4, "sequence": [
              {"frame": 1, "x": 10, "y": 10, "width": 5, "height": 5, "rotation": 0, "enabled": True}]}}
DAY = 24 * 3600


@pytest.fixture
def tasks(admin, project):
    """Three tasks (videos a, b, c), each annotated."""
    body = [{"data": {"video": f"{name}.mp4"}} for name in "abc"]
    ids = admin.post(f"/api/projects/{project}/tasks", json=body).json["tasks"]
    for task in ids:
        assert admin.post(f"/api/tasks/{task}/annotations", json={"result": [REGION]}).status_code == 201
    return ids


def finished(admin, job: dict) -> dict:
    deadline = time.monotonic() + 60
    while job["state"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
        job = admin.get(f"/api/jobs/{job['id']}").json
    assert job["state"] == "done", job
    return job


def export(admin, project, **body) -> dict:
    response = admin.post(f"/api/projects/{project}/exports", json=body)
    assert response.status_code == 202, response.json
    return finished(admin, response.json)


def test_an_export_job_of_selected_tasks_with_a_formats_own_option(admin, project, tasks):
    job = export(admin, project, format="mot", origin=0, width=100, height=100, tasks=[tasks[2], tasks[0]])
    assert job["result"]["file"].endswith(f"project-{project}-mot.zip")
    archive = zipfile.ZipFile(io.BytesIO(admin.get(f"/api/jobs/{job['id']}/download").data))
    assert sorted(name.split("/")[0] for name in archive.namelist() if name.endswith("gt.txt")) == ["a", "c"]
    assert archive.read("c/gt/gt.txt").decode().split(",")[2] == "10"  # origin 0: x as it is
    whole = export(admin, project, format="mot", width=100, height=100)
    archive = zipfile.ZipFile(io.BytesIO(admin.get(f"/api/jobs/{whole['id']}/download").data))
    assert sorted(name.split("/")[0] for name in archive.namelist() if name.endswith("gt.txt")) == ["a", "b", "c"]
    assert archive.read("c/gt/gt.txt").decode().split(",")[2] == "11"  # the default origin, 1


def test_bad_task_lists_are_400_naming_the_entry_and_queue_nothing(admin, project, tasks):
    other = admin.post("/api/projects", json={"title": "other", "label_config": admin.get(
        f"/api/projects/{project}").json["label_config"]}).json["id"]
    (foreign,) = admin.post(f"/api/projects/{other}/tasks", json=[{"data": {"video": "z.mp4"}}]).json["tasks"]
    cases = [("1,2", "$.tasks", "a list of task ids"), ([], "$.tasks", "a list of task ids"),
             ([tasks[0], True], "$.tasks[1]", "not a task id"), ([1.5], "$.tasks[0]", "not a task id"),
             ([0], "$.tasks[0]", "not a task id"), ([2**31], "$.tasks[0]", "not a task id"),
             ([tasks[0], foreign], "$.tasks[1]", f"task {foreign} is not in project {project}"),
             ([999], "$.tasks[0]", f"task 999 is not in project {project}")]
    for value, path, message in cases:
        response = admin.post(f"/api/projects/{project}/exports", json={"format": "jsonl", "tasks": value})
        assert response.status_code == 400, (value, response.json)
        assert response.json["path"] == path and message in response.json["message"], (value, response.json)
    job = admin.post(f"/api/projects/{project}/exports", json={"format": "jsonl", "tasks": [tasks[1]]}).json
    assert job["id"] == 1  # none of the refused ones was queued


def test_old_exports_are_removed_and_their_download_is_410(app, admin, project, tasks):
    folder = Path(app.config["DATA_DIR"]) / "exports"
    assert app.config["EXPORT_MAX_AGE_SECONDS"] == DAY
    now = [time.time()]
    app.config["CLOCK"] = lambda: now[0]
    old = export(admin, project, format="jsonl")
    kept = export(admin, project, format="jsonl", tasks=[tasks[0]])
    assert admin.get(f"/api/jobs/{old['id']}/download").status_code == 200
    old_file = folder / old["result"]["file"]
    now[0] += DAY - 60  # younger than a day: kept
    export(admin, project, format="ls-json")
    assert old_file.exists()
    now[0] += 120  # now over a day old: the next export removes both
    fresh = export(admin, project, format="jsonl")
    assert not old_file.exists() and not (folder / kept["result"]["file"]).exists()
    assert [p.name for p in folder.iterdir()] != [] and (folder / fresh["result"]["file"]).exists()
    response = admin.get(f"/api/jobs/{old['id']}/download")
    assert response.status_code == 410 and response.json["error"] == "gone"
    assert "removed" in response.json["message"] and "export again" in response.json["message"]
    assert admin.get(f"/api/jobs/{fresh['id']}/download").status_code == 200


def test_a_download_past_the_age_is_410_even_before_a_sweep(app, admin, project, tasks):
    now = [time.time()]
    app.config["CLOCK"] = lambda: now[0]
    job = export(admin, project, format="jsonl")
    path = Path(app.config["DATA_DIR"]) / "exports" / job["result"]["file"]
    now[0] += DAY + 1
    assert admin.get(f"/api/jobs/{job['id']}/download").status_code == 410
    assert not path.parent.exists()  # removed on the way


def test_housekeeping_removes_old_exports_when_nobody_exports_again(app, admin, project, tasks):
    now = [time.time()]
    app.config["CLOCK"] = lambda: now[0]
    job = export(admin, project, format="jsonl")
    path = Path(app.config["DATA_DIR"]) / "exports" / job["result"]["file"]
    assert exports.remove_old_exports in jobs.housekeeping(app)  # what the pool's thread runs
    with app.app_context():
        exports.remove_old_exports()
    assert path.is_file()  # young: kept
    now[0] += DAY + 1
    with app.app_context():
        exports.remove_old_exports()
    assert not path.parent.exists()
    assert admin.get(f"/api/jobs/{job['id']}/download").status_code == 410


def test_the_housekeeping_thread_runs_with_the_pool_and_stops_with_it(app):
    keeper = app.extensions["tracklabel.jobs"].keeper
    assert keeper.is_alive() and keeper in threading.enumerate()
    jobs.shutdown(app)  # wakes it from its wait: it ends at once
    assert not keeper.is_alive()


def test_unlabelled_regions_are_left_out_and_the_job_says_so(admin, project, tasks):
    unlabelled = {**REGION, "id": "u", "value": {**REGION["value"], "labels": []}}
    response = admin.post(f"/api/tasks/{tasks[1]}/annotations", json={"result": [unlabelled, REGION]})
    assert response.status_code == 201, response.json
    job = export(admin, project, format="mot", width=100, height=100)
    (warning,) = job["result"]["warnings"]
    assert warning == {"path": "$[1].annotations[1].result[0]", "task": tasks[1],
                       "message": "regions with no label are left out: mot needs a class for each"}
    archive = zipfile.ZipFile(io.BytesIO(admin.get(f"/api/jobs/{job['id']}/download").data))
    rows = archive.read("b/gt/gt.txt").decode().splitlines()
    assert len(rows) == 8 and {row.split(",")[1] for row in rows} == {"1", "2"}  # two labelled boxes, 4 frames
    assert export(admin, project, format="jsonl")["result"]["warnings"] == []
