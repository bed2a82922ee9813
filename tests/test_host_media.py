"""The host's media: tasks from uploads and confined paths, indexing and proxy jobs, exact frames
as images, the frame index, thumbnails, and the video over HTTP Range on a real server."""

import hashlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import cv2
import numpy as np
import pytest

from host_support import SEED_CONFIG, Client, make_user, settle, upload
from tracklabel.core.decoding import Video
from tracklabel.host import create_app, jobs
from video_factory import Clips, audio_only, encode, read_stamp


def make_app(tmp_path, database_url, **config):
    return create_app({"DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": database_url,
                       "MEDIA_ROOTS": [str(tmp_path / "media")], "TESTING": True, **config})


@pytest.fixture
def app(tmp_path, database_url):
    app = make_app(tmp_path, database_url)
    yield app
    jobs.shutdown(app)
    app.extensions["tracklabel.engine"].dispose()


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    return Clips(tmp_path_factory.mktemp("clips"))


@pytest.fixture(scope="module")
def short_gop(tmp_path_factory):
    """50 stamped frames of H.264 at 25 fps, a keyframe each second: browsers play it as is."""
    return encode(tmp_path_factory.mktemp("short") / "clip.mp4", 50, options={"g": "25", "bf": "2"})


@pytest.fixture
def media_root(tmp_path):
    root = tmp_path / "media"
    root.mkdir()
    return root



def image(response) -> np.ndarray:
    assert response.status_code == 200, response.json
    return cv2.cvtColor(cv2.imdecode(np.frombuffer(response.data, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


# --- tasks from uploads and paths ---

def test_upload_is_indexed_and_frames_come_back_exactly(app, admin, annotator, project, short_gop):
    response = upload(admin, project, short_gop.read_bytes(), "my clip.mp4")
    assert response.status_code == 201, response.json
    (task,), (job,) = response.json["tasks"], response.json["jobs"]
    assert [j["state"] for j in settle(admin, task)] == ["done"]
    assert admin.get(f"/api/jobs/{job}").json["progress"] == 1.0
    body = admin.get(f"/api/tasks/{task}").json
    stored = Path(app.config["DATA_DIR"]) / "uploads" / body["data"]["video"]
    assert stored.read_bytes() == short_gop.read_bytes()
    assert body["data"]["video"] == f"{hashlib.sha256(stored.read_bytes()).hexdigest()}/my_clip.mp4"
    media = body["media"]
    assert {k: media[k] for k in ("frames", "fps", "width", "height", "constant_rate", "codec", "start_time")} == {
        "frames": 50, "fps": 25.0, "width": 160, "height": 120, "constant_rate": True, "codec": "h264",
        "start_time": 0.0}
    assert media["duration"] == pytest.approx(2.0) and media["proxy_reasons"] == [] and media["warnings"] == []

    with Video(short_gop, app.extensions["tracklabel.registry"].decoder("pyav")) as video:
        for n in (1, 37, 50, 2, 26, 25):
            png = image(annotator.get(f"/api/tasks/{task}/frames/{n}.png"))
            assert read_stamp(png) == n - 1 and np.array_equal(png, video.frame_number(n))
            jpeg = annotator.get(f"/api/tasks/{task}/frames/{n}.jpg")
            assert jpeg.mimetype == "image/jpeg" and read_stamp(image(jpeg)) == n - 1
    for n in (0, 51):
        assert annotator.get(f"/api/tasks/{task}/frames/{n}.png").status_code == 404

    index = annotator.get(f"/api/tasks/{task}/frame-index").json
    assert index["count"] == 50 and index["fps"] == 25.0 and index["constant_rate"] is True
    assert index["times"] == pytest.approx([i / 25 for i in range(50)], abs=1e-6)

    thumbs = annotator.get(f"/api/tasks/{task}/thumbnails?width=80").json
    assert [t["frame"] for t in thumbs][:2] == [1, 26]  # (x264 may add a keyframe at a scene cut)
    assert thumbs[1] == {"frame": 26, "time": pytest.approx(1.0), "url": f"/api/tasks/{task}/frames/26.jpg?width=80"}
    small = image(annotator.get(thumbs[1]["url"]))
    assert small.shape == (60, 80, 3) and read_stamp(small) == 25


def test_long_gop_gets_a_proxy_that_is_streamed_instead(app, admin, project, clips, media_root):
    shutil.copy(clips["long_gop.mp4"], media_root / "long.mp4")
    response = admin.post(f"/api/projects/{project}/tasks", json={"path": "long.mp4"})
    assert response.status_code == 201, response.json
    (task,) = response.json["tasks"]
    settled = settle(admin, task)
    assert [(j["kind"], j["state"]) for j in settled] == [("index", "done"), ("proxy", "done")]
    me = admin.get("/api/auth/me").json["user"]["id"]
    assert [j["creator"] for j in settled] == [me, me]  # the proxy job, queued by the index job, is the importer's
    body = admin.get(f"/api/tasks/{task}").json
    assert body["data"] == {"video": "long.mp4"}
    media = body["media"]
    assert media["proxy"] == f"{task}.mp4" and "keyframes up to" in media["proxy_reasons"][0]
    proxy = Path(app.config["DATA_DIR"]) / "proxies" / media["proxy"]
    assert admin.get(f"/api/tasks/{task}/video").data == proxy.read_bytes()
    source = admin.get(f"/api/tasks/{task}/video?source=1")
    assert source.data == (media_root / "long.mp4").read_bytes() and source.mimetype == "video/mp4"
    ranged = admin.get(f"/api/tasks/{task}/video", headers={"Range": "bytes=10-19"})
    assert ranged.status_code == 206 and ranged.data == proxy.read_bytes()[10:20]
    for n in (120, 1, 64):  # frames still come from the source, exactly
        assert read_stamp(image(admin.get(f"/api/tasks/{task}/frames/{n}.png"))) == n - 1


def test_config_frame_rate_that_differs_from_the_video_is_a_warning(admin, media_root, short_gop):
    shutil.copy(short_gop, media_root / "clip.mp4")
    for rate, warned in (("30", True), ("25.01", False), ("25.1", True)):
        config = SEED_CONFIG.replace('framerate="25.0"', f'framerate="{rate}"')
        project = admin.post("/api/projects", json={"title": rate, "label_config": config}).json["id"]
        (task,) = admin.post(f"/api/projects/{project}/tasks", json={"path": "clip.mp4"}).json["tasks"]
        settle(admin, task)
        warnings = admin.get(f"/api/tasks/{task}").json["media"]["warnings"]
        assert bool(warnings) == warned, (rate, warnings)
        if warned:
            assert f"frameRate={rate}" in warnings[0] and "25 frames per second" in warnings[0]


def test_json_tasks_naming_a_file_in_a_media_root_get_its_video(admin, project, media_root, short_gop):
    shutil.copy(short_gop, media_root / "clip.mp4")
    names = ["clip.mp4", "../../etc/passwd", "https://example.com/a.mp4", "/data/local-files/?d=clip.mp4",
             str(media_root / "clip.mp4"), "missing.mp4"]
    response = admin.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": n}} for n in names])
    assert response.status_code == 201 and len(response.json["jobs"]) == 3
    tasks = response.json["tasks"]
    assert [admin.get(f"/api/tasks/{t}").json["video"] for t in tasks] == [True, False, False, True, True, False]
    settle(admin, tasks[3])
    assert admin.get(f"/api/tasks/{tasks[3]}").json["media"]["frames"] == 50


# --- bad input ---

def test_an_upload_that_is_not_a_video_is_400_and_nothing_is_kept(app, admin, project, tmp_path):
    uploads = Path(app.config["DATA_DIR"]) / "uploads"
    sound = audio_only(tmp_path / "tone.m4a").read_bytes()
    for data, name, reason in ((b"hello, not a video" * 100, "notes.mp4", "not a video"),
                               (sound, "tone.m4a", "no video stream"), (b"", "empty.mp4", "empty file")):
        response = upload(admin, project, data, name)
        assert response.status_code == 400 and response.json["error"] == "not_a_video", response.json
        assert response.json["message"].startswith(f"{name}: ") and reason in response.json["message"]
        assert not any(uploads.iterdir())
    assert admin.get(f"/api/projects/{project}/tasks").json == []
    response = admin.post(f"/api/projects/{project}/tasks", data={"other": "x"}, content_type="multipart/form-data")
    assert response.status_code == 400 and "`file`" in response.json["message"]


def test_an_upload_over_the_size_limit_is_413(tmp_path, database_url, short_gop):
    app = make_app(tmp_path, database_url, MAX_CONTENT_LENGTH=20_000)
    try:
        admin = Client(app, make_user(app, "admin", "admin"))
        project = admin.post("/api/projects", json={"title": "p", "label_config": SEED_CONFIG}).json["id"]
        response = upload(admin, project, os.urandom(30_000), "big.mp4")
        assert response.status_code == 413 and response.json["error"] == "too_large"
        assert admin.get(f"/api/projects/{project}/tasks").json == []
        assert not any((Path(app.config["DATA_DIR"]) / "uploads").glob("*"))
        assert short_gop.stat().st_size < 20_000 - 1000  # a small one still goes through
        assert upload(admin, project, short_gop.read_bytes(), "small.mp4").status_code == 201
    finally:
        jobs.shutdown(app)
        app.extensions["tracklabel.engine"].dispose()


def test_paths_are_confined_to_the_media_roots(admin, project, media_root, tmp_path, short_gop):
    outside = tmp_path / "outside.mp4"
    shutil.copy(short_gop, outside)
    shutil.copy(short_gop, media_root / "clip.mp4")
    (media_root / "sub").mkdir()
    (media_root / "sub" / "escape.mp4").symlink_to(outside)
    (media_root / "sub" / "inside.mp4").symlink_to(media_root / "clip.mp4")
    (media_root / "notes.txt").write_text("not a video")
    (tmp_path / "data" / "uploads").mkdir()
    shutil.copy(short_gop, tmp_path / "data" / "uploads" / "up.mp4")
    cases = {"../../etc/passwd": 403, "/etc/passwd": 403, str(outside): 403, "sub/escape.mp4": 403,
             "sub/../../outside.mp4": 403, "missing.mp4": 400, "notes.txt": 400, "a\0b": 400,
             "sub/../clip.mp4": 201, "sub/inside.mp4": 409, str(media_root / "clip.mp4"): 409, "up.mp4": 201}
    # (409: they resolve to clip.mp4, already a task of the project)
    for path, status in cases.items():
        response = admin.post(f"/api/projects/{project}/tasks", json={"path": path})
        assert response.status_code == status, (path, response.json)
        if status == 403:
            assert response.json["error"] == "outside_media_roots" and repr(path) in response.json["message"]
    assert admin.post(f"/api/projects/{project}/tasks", json={"path": 3}).status_code == 400
    assert len(admin.get(f"/api/projects/{project}/tasks").json) == 2


def test_media_endpoints_need_a_user_an_indexed_video_and_a_task(app, admin, project, short_gop):
    (bare,) = admin.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": "a.mp4"}}]).json["tasks"]
    for url in ("video", "frames/1.png", "frame-index", "thumbnails"):
        assert admin.get(f"/api/tasks/{bare}/{url}").json["error"] == "no_video"
        assert admin.get(f"/api/tasks/999/{url}").status_code == 404
        assert Client(app).get(f"/api/tasks/{bare}/{url}").status_code == 401
    assert admin.get("/api/tasks/1/frames/1.gif").status_code == 404
    (task,) = upload(admin, project, short_gop.read_bytes(), "clip.mp4").json["tasks"]
    settle(admin, task)
    (Path(app.config["DATA_DIR"]) / "uploads" / admin.get(f"/api/tasks/{task}").json["data"]["video"]).unlink()
    for url in ("video", "frames/1.png", "frame-index", "thumbnails"):
        assert admin.get(f"/api/tasks/{task}/{url}").json["error"] == "video_missing"


def test_frames_are_409_until_the_video_is_indexed(tmp_path, database_url, short_gop):
    app = make_app(tmp_path, database_url, WORKERS=0)  # this process runs no jobs: they stay queued
    try:
        admin = Client(app, make_user(app, "admin", "admin"))
        project = admin.post("/api/projects", json={"title": "p", "label_config": SEED_CONFIG}).json["id"]
        response = upload(admin, project, short_gop.read_bytes(), "clip.mp4")
        (task,), (job,) = response.json["tasks"], response.json["jobs"]
        assert admin.get(f"/api/jobs/{job}").json["state"] == "queued"
        assert admin.get(f"/api/tasks/{task}").json["media"] is None
        for url in ("frames/1.png", "frame-index", "thumbnails"):
            response = admin.get(f"/api/tasks/{task}/{url}")
            assert response.status_code == 409 and response.json["job"] == job
            assert "not indexed yet (index job" in response.json["message"]
        assert admin.get(f"/api/tasks/{task}/video").data == short_gop.read_bytes()  # the source plays
    finally:
        app.extensions["tracklabel.engine"].dispose()


# --- HTTP Range on a real server ---

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path, media_root):
    """`tracklabel serve` in its own process: (base URL, admin token)."""
    cli = str(Path(sys.executable).with_name("tracklabel"))
    data = str(tmp_path / "served")
    token = subprocess.run([cli, "user", "add", "admin", "--role", "admin", "--data", data],
                           check=True, capture_output=True, text=True).stdout.strip()
    port = _free_port()
    process = subprocess.Popen([cli, "serve", "--data", data, "--port", str(port), "--media-root", str(media_root)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}", token
    process.terminate()
    process.wait(timeout=30)


def _api(base, token, method, path, body=None):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def test_video_is_served_with_http_range_by_a_real_server(server, media_root, short_gop):
    base, token = server
    shutil.copy(short_gop, media_root / "clip.mp4")
    data = short_gop.read_bytes()
    size = len(data)
    project = _api(base, token, "POST", "/api/projects", {"title": "p", "label_config": SEED_CONFIG})["id"]
    created = _api(base, token, "POST", f"/api/projects/{project}/tasks", {"path": "clip.mp4"})
    (task,), (job,) = created["tasks"], created["jobs"]
    deadline = time.monotonic() + 60
    while _api(base, token, "GET", f"/api/jobs/{job}")["state"] != "done":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert _api(base, token, "GET", f"/api/tasks/{task}")["media"]["frames"] == 50

    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)

    def get(range_header=None):
        headers = {"Authorization": f"Token {token}"}
        if range_header:
            headers["Range"] = range_header
        connection.request("GET", f"/api/tasks/{task}/video", headers=headers)
        response = connection.getresponse()
        return response, response.read()

    response, body = get()
    assert response.status == 200 and body == data
    assert response.headers["Accept-Ranges"] == "bytes" and response.headers["Content-Type"] == "video/mp4"
    for header, start, end in (("bytes=0-99", 0, 99), ("bytes=1000-4999", 1000, 4999), ("bytes=-500", size - 500, size - 1),
                               (f"bytes={size - 10}-", size - 10, size - 1), (f"bytes=100-{size + 1000}", 100, size - 1)):
        response, body = get(header)
        assert response.status == 206, header
        assert response.headers["Content-Range"] == f"bytes {start}-{end}/{size}"
        assert body == data[start:end + 1] and int(response.headers["Content-Length"]) == end - start + 1
    response, body = get(f"bytes={size}-")
    assert response.status == 416 and response.headers["Content-Range"] == f"bytes */{size}"
    connection.close()
