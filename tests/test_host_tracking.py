"""Tracking on the host: a checked request becomes a background job with progress and cancel,
whose result is the region's new keyframes; bad requests are 400 naming the problem."""

import os
import time
from pathlib import Path

import numpy as np
import pytest

from host_support import SEED_CONFIG
from scenes import make_scene, write_video
from tracklabel.core.geometry import iou, to_percent
from tracklabel.host import create_app, jobs

SIZE = (320, 180)


@pytest.fixture
def app(tmp_path, database_url):
    app = create_app({"DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": database_url,
                      "MEDIA_ROOTS": [str(tmp_path / "media")], "TESTING": True})
    yield app
    jobs.shutdown(app)
    app.extensions["tracklabel.engine"].dispose()


@pytest.fixture(scope="module")
def scene():
    return make_scene(90, SIZE, seed=1, scale=(1.0, 1.15), pillar=(0.6, 0.85))


def wait(client, job_id, states=("done", "failed", "cancelled"), timeout=60):
    deadline = time.monotonic() + timeout
    while (job := client.get(f"/api/jobs/{job_id}").json)["state"] not in states:
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    return job


@pytest.fixture
def task(admin, project, scene, tmp_path):
    """A task whose video is the scene, indexed."""
    (tmp_path / "media").mkdir()
    write_video(scene, tmp_path / "media" / "clip.mp4", lossless=True)
    response = admin.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": "clip.mp4"}}])
    assert response.status_code == 201, response.json
    task_id = response.json["tasks"][0]
    wait(admin, response.json["jobs"][0])
    return task_id


def keyframe(frame, box, **extra):
    x, y, w, h = (float(v) for v in to_percent(*box, *SIZE))
    return {"frame": frame, "x": x, "y": y, "width": w, "height": h, "rotation": 0, "enabled": True, **extra}


def request(scene, **changes):
    region = {"id": "car", "type": "videorectangle", "from_name": "box", "to_name": "video",
              "value": {"framesCount": 90, "labels": ["Man"], "sequence": [keyframe(3, scene.boxes[2])]}}
    return {"result": [region], "region": "car", "tracker": "kcf", "from": 3, "direction": "forward", **changes}


def test_a_track_job_returns_the_regions_new_keyframes(admin, task, scene):
    response = admin.post(f"/api/tasks/{task}/track", json=request(scene))
    assert response.status_code == 202, response.json
    assert response.headers["Location"] == f"/api/jobs/{response.json['id']}"
    assert response.json["kind"] == "track" and response.json["state"] in ("queued", "running")
    job = wait(admin, response.json["id"])
    assert job["state"] == "done" and job["progress"] == 1.0, job
    result = job["result"]
    assert result["region"] == "car" and result["lost_at"] is not None and result["span"] == [3, 90]
    sequence = result["sequence"]
    assert sequence[0] == keyframe(3, scene.boxes[2])
    assert all(k["auto"] for k in sequence[1:]) and sequence[-1]["enabled"] is False
    assert 2 < len(sequence) < 20
    assert sequence[-1]["frame"] == result["lost_at"] - 1


def test_a_cancelled_job_stops_and_gives_nothing(app, admin, task, scene, monkeypatch):
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 0.0)
    job_id = admin.post(f"/api/tasks/{task}/track", json=request(scene, tracker="csrt")).json["id"]
    wait(admin, job_id, ("running", "done"))
    cancelled = admin.post(f"/api/jobs/{job_id}/cancel")
    assert cancelled.status_code == 200 and cancelled.json["state"] == "cancelled", cancelled.json
    jobs.shutdown(app)  # waits for the worker: it stopped at its next progress report
    job = admin.get(f"/api/jobs/{job_id}").json
    assert job["state"] == "cancelled" and "result" not in job
    again = admin.post(f"/api/jobs/{job_id}/cancel")
    assert again.status_code == 409 and again.json["error"] == "job_ended"


@pytest.mark.parametrize(("changes", "path", "message"), [
    ({"from": 1}, "$.region", "no shape at frame 1"),
    ({"to": 2}, "$.region", "stop frame 2 is before start frame 3"),
    ({"direction": "backward", "to": 9}, "$.region", "stop frame 9 is after start frame 3"),
    ({"tracker": "nope"}, "$.tracker", "no tracker 'nope'"),
    ({"region": "bus"}, "body", "no region with id 'bus'"),
    ({"direction": "sideways"}, "$.direction", "direction must be one of forward, backward"),
    ({"from": "3"}, "$.from", "from must be int"),
])
def test_bad_requests_are_400_and_queue_nothing(admin, task, scene, changes, path, message):
    response = admin.post(f"/api/tasks/{task}/track", json=request(scene, **changes))
    assert response.status_code == 400, response.json
    assert message in response.json["message"] and response.json.get("path") == path
    assert [j["kind"] for j in admin.get(f"/api/tasks/{task}/jobs").json] == ["index"]


def test_a_box_with_no_visible_part_is_refused(admin, task, scene):
    body = request(scene)
    body["result"][0]["value"]["sequence"] = [keyframe(3, (330, 50, 10, 20))]
    response = admin.post(f"/api/tasks/{task}/track", json=body)
    assert response.status_code == 400 and "no visible part" in response.json["message"]


def test_a_video_that_cannot_be_decoded_is_refused(admin, project, scene, tmp_path):
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "broken.mp4").write_bytes(b"not a video at all")
    created = admin.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": "broken.mp4"}}]).json
    assert wait(admin, created["jobs"][0])["state"] == "failed"
    response = admin.post(f"/api/tasks/{created['tasks'][0]}/track", json=request(scene))
    assert response.status_code == 400 and response.json["error"] == "not_decodable", response.json


def image_guided(admin, task, scene):
    """The task's project made to pick `image-guided`; (its id, a result keyed on frames 3 and 40)."""
    config = SEED_CONFIG.replace('<VideoRectangle name="box" toName="video" />',
                                 '<VideoRectangle name="box" toName="video" interpolation="image-guided"/>')
    project = admin.get(f"/api/tasks/{task}").json["project"]
    assert admin.patch(f"/api/projects/{project}", json={"label_config": config}).status_code == 200
    result = request(scene)["result"]
    result[0]["value"]["sequence"] = [keyframe(3, scene.boxes[2]), keyframe(40, scene.boxes[39])]
    return project, result


def test_the_tracks_endpoint_gives_image_guided_boxes(admin, task, scene):
    """A project whose VideoRectangle picks `image-guided`: the player's tracks come from it."""
    _, result = image_guided(admin, task, scene)
    response = admin.post(f"/api/tasks/{task}/tracks?from=3&to=40", json={"result": result})
    assert response.status_code == 200, response.json
    boxes = response.json["regions"][0]
    shown = np.array([boxes["x"], boxes["y"], boxes["width"], boxes["height"]]).T
    truth = np.array([to_percent(*scene.boxes[f - 1], *SIZE) for f in boxes["frame"]])
    linear = np.array([to_percent(*(scene.boxes[2] + (scene.boxes[39] - scene.boxes[2]) * (f - 3) / 37), *SIZE)
                       for f in boxes["frame"]])
    assert iou(shown, truth).min() >= 0.6 and iou(shown, truth).mean() > iou(linear, truth).mean() + 0.1


def open_files(path) -> int:
    """How many of this process's file descriptors are open on `path`."""
    fds = Path("/proc/self/fd")
    return sum(1 for fd in fds.iterdir() if os.path.realpath(fd) == os.path.realpath(path))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to count open files")
def test_an_image_guided_export_job_closes_the_videos_it_opened(admin, task, scene, tmp_path):
    project, result = image_guided(admin, task, scene)
    assert admin.post(f"/api/tasks/{task}/annotations", json={"result": result}).status_code == 201
    for job in precompute_jobs(admin, task):  # the save's own job, which opens the video too
        assert wait(admin, job["id"])["state"] == "done"
    video = tmp_path / "media" / "clip.mp4"
    before = open_files(video)
    job = admin.post(f"/api/projects/{project}/exports", json={"format": "mot"}).json
    done = wait(admin, job["id"])
    assert done["state"] == "done", done.get("message")
    assert open_files(video) == before


def precompute_jobs(admin, task):
    return [j for j in admin.get(f"/api/tasks/{task}/jobs").json if j["kind"] == "precompute"]


def test_a_save_in_an_image_guided_project_has_a_job_track_its_segments_ahead(admin, task, scene, tmp_path):
    """Saving (creating, then updating) an annotation of an image-guided project queues a
    precompute job per version: it tracks every segment into the data folder's cache, so that
    the player's tracks requests do not track inside a web request; those requests then answer
    the same boxes as shaping the result on demand."""
    _, result = image_guided(admin, task, scene)
    created = admin.post(f"/api/tasks/{task}/annotations", json={"result": result})
    assert created.status_code == 201
    (job,) = precompute_jobs(admin, task)
    done = wait(admin, job["id"])
    assert done["state"] == "done" and done["result"] == {"regions": 1}, done
    cached = list((tmp_path / "data").rglob("guided/*.npy"))
    assert len(cached) == 1  # the one segment, frames 3 to 40
    saved = admin.get(f"/api/annotations/{created.json['id']}/tracks?from=3&to=40").json
    assert saved == admin.post(f"/api/tasks/{task}/tracks?from=3&to=40", json={"result": result}).json

    result[0]["value"]["sequence"].append(keyframe(70, scene.boxes[69]))
    updated = admin.put(f"/api/annotations/{created.json['id']}", json={"result": result},
                        headers={"If-Match": f'"{created.json["version"]}"'})
    assert updated.status_code == 200
    jobs_now = precompute_jobs(admin, task)
    assert len(jobs_now) == 2 and wait(admin, jobs_now[-1]["id"])["state"] == "done"
    assert len(list((tmp_path / "data").rglob("guided/*.npy"))) == 2  # the new segment, 40 to 70


def test_a_save_in_a_linear_project_queues_no_precompute_job(admin, task, scene):
    result = request(scene)["result"]
    assert admin.post(f"/api/tasks/{task}/annotations", json={"result": result}).status_code == 201
    assert precompute_jobs(admin, task) == []


def test_a_precompute_job_of_a_version_saved_over_does_nothing(app, admin, task, scene, tmp_path):
    """Jobs queued while no job runs (the host was stopped): the job of version 1, which was
    saved over, does nothing; version 2's tracks its segments."""
    jobs.shutdown(app)
    _, result = image_guided(admin, task, scene)
    created = admin.post(f"/api/tasks/{task}/annotations", json={"result": result}).json
    result[0]["value"]["sequence"].append(keyframe(70, scene.boxes[69]))
    assert admin.put(f"/api/annotations/{created['id']}", json={"result": result},
                     headers={"If-Match": f'"{created["version"]}"'}).status_code == 200
    first, second = precompute_jobs(admin, task)
    assert first["state"] == second["state"] == "queued"
    jobs.init_app(app)  # jobs run again, as at a restart
    assert wait(admin, first["id"])["result"] == {"regions": 0,
                                                   "skipped": "the annotation was saved again or deleted meanwhile"}
    assert wait(admin, second["id"])["result"] == {"regions": 1}
    assert len(list((tmp_path / "data").rglob("guided/*.npy"))) == 2
