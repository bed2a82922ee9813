"""The host's API on a real database: projects, task import, annotations, tracks, auth, export."""

import json
import zipfile
import io

import pytest

from host_support import SEED_CONFIG, Client, make_user


def region(rid="r1", keys=None, frames=10, **value):
    keys = keys or [{"frame": 1, "x": 10, "y": 10, "width": 5, "height": 5, "rotation": 0, "enabled": True},
                    {"frame": 5, "x": 20, "y": 10, "width": 5, "height": 5, "rotation": 0, "enabled": False},
                    {"frame": 8, "x": 40, "y": 10, "width": 5, "height": 5, "rotation": 0, "enabled": True}]
    return {"id": rid, "type": "videorectangle", "from_name": "box", "to_name": "video",
            "value": {"labels": ["Man"], "framesCount": frames, "sequence": keys, **value}}


@pytest.fixture
def task(admin, project):
    response = admin.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": "a.mp4"}}])
    assert response.status_code == 201, response.json
    return response.json["tasks"][0]


# --- projects ---

def test_project_crud(admin, project):
    assert admin.get(f"/api/projects/{project}").json["title"] == "Street"
    response = admin.patch(f"/api/projects/{project}", json={"title": "Road"})
    assert response.status_code == 200 and response.json["title"] == "Road"
    assert [p["id"] for p in admin.get("/api/projects").json] == [project]
    assert admin.delete(f"/api/projects/{project}").status_code == 204
    assert admin.get(f"/api/projects/{project}").status_code == 404


def test_invalid_config_is_refused_and_nothing_changes(admin, project):
    response = admin.patch(f"/api/projects/{project}", json={"label_config": "<View><Foo/></View>"})
    assert response.status_code == 400
    assert response.json["path"] == "label_config:1"
    assert "unknown tag 'Foo'" in response.json["message"]
    assert admin.get(f"/api/projects/{project}").json["label_config"] == SEED_CONFIG
    response = admin.post("/api/projects", json={"title": "", "label_config": SEED_CONFIG})
    assert response.status_code == 400 and response.json["path"] == "$.title"


# --- tasks ---

def test_import_label_studio_export(admin, project):
    export = [{"id": 77, "data": {"video": "a.mp4"}, "meta": {"k": 1},
               "annotations": [{"id": 5, "result": [region()], "lead_time": 3.5}],
               "predictions": [{"model_version": "m1", "result": [region("p1")]}]}]
    response = admin.post(f"/api/projects/{project}/tasks", json=export)
    assert response.status_code == 201
    task = admin.get(f"/api/tasks/{response.json['tasks'][0]}").json
    assert task["data"] == {"video": "a.mp4"} and len(task["annotations"]) == 1 and len(task["predictions"]) == 1
    annotation = admin.get(f"/api/annotations/{task['annotations'][0]}").json
    assert annotation["result"] == [region()] and annotation["lead_time"] == 3.5
    exported = json.loads(admin.get(f"/api/projects/{project}/export?format=ls-json").data)
    assert exported[0]["meta"] == {"k": 1}
    (exported_region,) = exported[0]["annotations"][0]["result"]
    for key, original in zip(exported_region["value"]["sequence"], region()["value"]["sequence"]):
        assert key == {**original, "time": original["frame"] / 25}  # time filled in from frameRate
    assert exported[0]["predictions"][0]["model_version"] == "m1"


def test_import_errors_name_the_json_path_and_store_nothing(admin, project):
    bad = [{"data": {}}, {"data": {}, "annotations": [{"result": [region(keys=[{"frame": 0, "x": 1, "y": 1, "width": 1, "height": 1}])]}]}]
    response = admin.post(f"/api/projects/{project}/tasks", json=bad)
    assert response.status_code == 400
    assert response.json["path"] == "$[1].annotations[0].result[0].value.sequence[0].frame"
    assert admin.get(f"/api/projects/{project}/tasks").json == []
    response = admin.post(f"/api/projects/{project}/tasks", data=b"[{", content_type="application/json")
    assert response.status_code == 400 and response.json["error"] == "malformed_json"


# --- annotations and optimistic concurrency ---

def test_create_update_and_stale_write(annotator, task):
    created = annotator.post(f"/api/tasks/{task}/annotations", json={"result": [region()]})
    assert created.status_code == 201 and created.json["version"] == 1
    assert created.headers["ETag"] == '"1"'
    aid = created.json["id"]
    moved = [region(keys=[{"frame": 1, "x": 12, "y": 10, "width": 5, "height": 5, "rotation": 0, "enabled": True}])]
    first = annotator.put(f"/api/annotations/{aid}", json={"result": moved}, headers={"If-Match": '"1"'})
    assert first.status_code == 200 and first.json["version"] == 2
    stale = annotator.put(f"/api/annotations/{aid}", json={"result": [region()]}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409 and stale.json["version"] == 2
    stored = annotator.get(f"/api/annotations/{aid}").json
    assert stored["version"] == 2 and stored["result"] == moved
    assert annotator.put(f"/api/annotations/{aid}", json={"result": moved}).status_code == 428
    assert annotator.put(f"/api/annotations/{aid}", json={"result": moved, "version": 2}).status_code == 200


def test_invalid_annotation_is_400_with_path_and_nothing_stored(annotator, task):
    bad = region(keys=[{"frame": 1, "x": "left", "y": 1, "width": 1, "height": 1}])
    response = annotator.post(f"/api/tasks/{task}/annotations", json={"result": [bad]})
    assert response.status_code == 400
    assert response.json["path"] == "$.result[0].value.sequence[0].x"
    assert annotator.get(f"/api/tasks/{task}/annotations").json == []


def test_keyframes_are_normalised_on_save(annotator, task):
    keys = [{"frame": 5, "x": 2, "y": 1, "width": 1, "height": 1},
            {"frame": 1, "x": 1, "y": 1, "width": 1, "height": 1}]
    response = annotator.post(f"/api/tasks/{task}/annotations", json={"result": [region(keys=keys)]})
    sequence = response.json["result"][0]["value"]["sequence"]
    assert [(k["frame"], k["enabled"]) for k in sequence] == [(1, True), (5, True)]


def test_annotators_write_only_their_own(app, admin, annotator, task):
    other = Client(app, make_user(app, "other", "annotator"))
    aid = annotator.post(f"/api/tasks/{task}/annotations", json={"result": []}).json["id"]
    assert other.put(f"/api/annotations/{aid}", json={"result": [], "version": 1}).status_code == 403
    assert other.delete(f"/api/annotations/{aid}").status_code == 403
    assert admin.put(f"/api/annotations/{aid}", json={"result": [], "version": 1}).status_code == 200
    assert annotator.post(f"/api/tasks/{task}/annotations", json={"kind": "prediction", "result": []}).status_code == 403


# --- tracks: the player's boxes ---

def test_tracks_of_a_saved_annotation(annotator, task):
    aid = annotator.post(f"/api/tasks/{task}/annotations", json={"result": [region()]}).json["id"]
    body = annotator.get(f"/api/annotations/{aid}/tracks?from=2&to=9").json
    (track,) = body["regions"]
    assert track["frame"] == [2, 3, 4, 5, 8, 9]
    assert track["x"] == [12.5, 15.0, 17.5, 20.0, 40.0, 40.0]
    assert track["keyframe"] == [False, False, False, True, True, False]
    assert track["label"] == "Man" and track["id"] == "r1"


def test_tracks_of_unsaved_edits(annotator, task):
    keys = [{"frame": 1, "x": 0, "y": 0, "width": 1, "height": 1, "rotation": -170, "enabled": True},
            {"frame": 5, "x": 0, "y": 0, "width": 1, "height": 1, "rotation": 170, "enabled": True}]
    body = annotator.post(f"/api/tasks/{task}/tracks?to=5", json={"result": [region(keys=keys)]}).json
    assert body["regions"][0]["rotation"] == [-170.0, -175.0, 180.0, 175.0, 170.0]
    response = annotator.post(f"/api/tasks/{task}/tracks", json={"result": [region(keys=[{"frame": -1}])]})
    assert response.status_code == 400 and response.json["path"].startswith("$.result[0].value.sequence[0]")


# --- auth ---

def test_tokens_and_roles(app, annotator, project):
    anonymous = Client(app)
    assert anonymous.get("/api/projects").status_code == 401
    assert Client(app, "wrong").get("/api/projects").status_code == 401
    assert annotator.get("/api/projects").status_code == 200
    assert annotator.post("/api/projects", json={"title": "x", "label_config": SEED_CONFIG}).status_code == 403
    assert annotator.get(f"/api/projects/{project}/export").status_code == 403
    response = anonymous.get("/api/projects", headers={"Authorization": "Bearer abc"})
    assert response.status_code == 401 and "Token" in response.json["message"]


def test_session_login_sets_a_strict_cookie_and_needs_csrf_for_writes(app, admin, project):
    browser = app.test_client()
    assert browser.post("/api/auth/login", json={"name": "admin", "password": "nope"}).status_code == 401
    response = browser.post("/api/auth/login", json={"name": "admin", "password": "secret-admin"})
    assert response.status_code == 200
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    csrf = response.json["csrf_token"]
    assert browser.get("/api/projects").status_code == 200
    body = {"title": "t", "label_config": SEED_CONFIG}
    assert browser.post("/api/projects", json=body).status_code == 403
    assert browser.post("/api/projects", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201


# --- export ---

def test_export_in_every_format(admin, project, task):
    admin.post(f"/api/tasks/{task}/annotations", json={"result": [region()]})
    lines = admin.get(f"/api/projects/{project}/export?format=jsonl").data.decode().splitlines()
    assert [json.loads(line)["frame"] for line in lines] == [1, 2, 3, 4, 5, 8, 9, 10]
    response = admin.get(f"/api/projects/{project}/export?format=mot&width=100&height=100")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert "a/gt/gt.txt" in names and "a/seqinfo.ini" in names
    response = admin.get(f"/api/projects/{project}/export?format=mot")
    assert response.status_code == 400 and "pass --width and --height" in response.json["message"]
    assert admin.get(f"/api/projects/{project}/export?format=nope").status_code == 400


def test_unknown_ids_are_404(admin):
    for url in ("/api/projects/999", "/api/tasks/999", "/api/annotations/999", "/api/annotations/999/tracks"):
        response = admin.get(url)
        assert response.status_code == 404 and response.json["error"] == "not_found"


def test_huge_body_is_refused(app, admin, project):
    app.config["MAX_JSON_BYTES"] = 1000
    response = admin.post(f"/api/projects/{project}/tasks", data=b"[" + b" " * 2000 + b"]",
                          content_type="application/json")
    assert response.status_code == 413


def test_limits_are_400_or_413_not_500(admin, annotator, project, task):
    aid = annotator.post(f"/api/tasks/{task}/annotations", json={"result": [region()]}).json["id"]
    response = annotator.put(f"/api/annotations/{aid}", json={"result": [], "version": 10**30})
    assert response.status_code == 400 and response.json["path"] == "$.version"
    response = admin.patch(f"/api/projects/{project}", json={"title": "t" * 501})
    assert response.status_code == 400 and response.json["path"] == "$.title"
    huge = region(frames=10_000_000, keys=[{"frame": 1, "x": 1, "y": 1, "width": 1, "height": 1}])
    response = annotator.post(f"/api/tasks/{task}/tracks", json={"result": [huge]})
    assert response.status_code == 413 and "?from=&to=" in response.json["message"]
    response = annotator.post(f"/api/tasks/{task}/tracks?from=1&to=100", json={"result": [huge]})
    assert response.status_code == 200 and len(response.json["regions"][0]["frame"]) == 100


def test_export_as_a_background_job(app, admin, project, task):
    import time

    admin.post(f"/api/tasks/{task}/annotations", json={"result": [region()]})
    response = admin.post(f"/api/projects/{project}/exports", json={"format": "jsonl"})
    assert response.status_code == 202 and response.headers["Location"] == f"/api/jobs/{response.json['id']}"
    job = response.json
    deadline = time.monotonic() + 30
    while job["state"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
        job = admin.get(f"/api/jobs/{job['id']}").json
    assert job["state"] == "done" and job["progress"] == 1.0, job
    lines = admin.get(f"/api/jobs/{job['id']}/download").data.decode().splitlines()
    assert [json.loads(line)["frame"] for line in lines] == [1, 2, 3, 4, 5, 8, 9, 10]
    failed = admin.post(f"/api/projects/{project}/exports", json={"format": "mot"}).json  # no frame size
    while failed["state"] in ("queued", "running"):
        time.sleep(0.1)
        failed = admin.get(f"/api/jobs/{failed['id']}").json
    assert failed["state"] == "failed" and "pass --width and --height" in failed["message"]
    assert admin.get(f"/api/jobs/{failed['id']}/download").status_code == 409
    assert admin.post(f"/api/projects/{project}/exports", json={"format": "nope"}).status_code == 400
    assert admin.post(f"/api/projects/{project}/exports", json={"format": "mot", "width": "wide"}).status_code == 400
