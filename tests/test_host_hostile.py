"""Hostile input gets a 4xx JSON error, never a 500 (issue 11, item 7): the reported cases, a body
over the limit refused without reading it all, and a walk over every route of the app with bodies
that are not objects, fields of every wrong type and size, huge and malformed query integers,
and non-ASCII headers."""

import io
import re
import time

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from host_support import SEED_CONFIG, Client, make_user
from tracklabel.host import create_app, jobs
from video_factory import encode

DEEP = b"[" * 100_000 + b"]" * 100_000
KEYFRAME = {"frame": 1, "x": 10, "y": 10, "width": 5, "height": 5, "rotation": 0, "enabled": True}


def region(*keyframes):
    return {"id": "r1", "type": "videorectangle", "from_name": "box", "to_name": "video",
            "value": {"labels": ["Man"], "framesCount": 30, "sequence": list(keyframes) or [KEYFRAME]}}


def is_json_error(response) -> bool:
    body = response.get_json(silent=True)
    return (response.mimetype == "application/json" and isinstance(body, dict)
            and isinstance(body.get("error"), str) and isinstance(body.get("message"), str))


def login(app, name="admin", password="secret-admin"):
    browser = app.test_client()
    response = browser.post("/api/auth/login", json={"name": name, "password": password})
    assert response.status_code == 200, response.json
    return browser, response.json["csrf_token"]


# --- the reported cases ---

def test_login_with_a_body_that_is_not_an_object_is_400(app, admin):
    for body in (b"[]", b'"admin"', b"12", b"1e999", b"null", DEEP, b"{", b"\xff"):
        response = app.test_client().post("/api/auth/login", data=body, content_type="application/json")
        assert response.status_code == 400 and is_json_error(response) and response.json["path"] == "$", body[:10]
    for body in ({"name": ["admin"], "password": "x"}, {"name": "admin", "password": 12}, {"name": "admin"},
                 {"name": "admin", "password": "p" * 5000}):
        response = app.test_client().post("/api/auth/login", json=body)
        assert response.status_code == 400 and response.json["path"] in ("$.name", "$.password"), body


def test_a_non_ascii_csrf_token_is_403(app, admin):
    browser, _ = login(app)
    for token in ("é", "\u00ff" * 40, "\x80", "x" * 10_000):
        response = browser.post("/api/projects", json={"title": "t", "label_config": SEED_CONFIG},
                                headers={"X-CSRF-Token": token})
        assert response.status_code == 403 and response.json["error"] == "csrf", token[:10]


def test_query_integers_out_of_range_are_400(admin, project):
    (task,) = admin.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": "a.mp4"}}]).json["tasks"]
    for query in (f"from={2**64}", f"to={2**64}", f"from={-2**64}", "from=0", "to=-1", "from=1e3",
                  "from=%D9%A1", "from=1_0", "to=" + "9" * 5000, "from="):
        response = admin.post(f"/api/tasks/{task}/tracks?{query}", json={"result": [region()]})
        assert response.status_code == 400 and response.json["path"] == query.partition("=")[0], query[:20]
    for query in ("width=nan", "height=1e400", "fps=-1", "width=0", f"height={2**64}"):
        response = admin.get(f"/api/projects/{project}/export?format=mot&{query}")
        assert response.status_code == 400 and response.json["path"] == query.partition("=")[0], query


def test_a_keyframe_with_only_a_huge_time_is_400(admin, project):
    (task,) = admin.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": "a.mp4"}}]).json["tasks"]
    for time_value in (1e300, -1e300, 2.0**64):
        keyframe = {k: v for k, v in KEYFRAME.items() if k != "frame"} | {"time": time_value}
        for url in (f"/api/tasks/{task}/annotations", f"/api/tasks/{task}/tracks"):
            response = admin.post(url, json={"result": [region(keyframe)]})
            assert response.status_code == 400, (url, time_value, response.json)
            assert response.json["path"].startswith("$.result[0].value.sequence[0]")


class Endless(io.RawIOBase):
    """A request body that never ends, counting what was read of it."""

    def __init__(self):
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        buffer[:] = b" " * len(buffer)
        self.read_bytes += len(buffer)
        return len(buffer)


def test_a_chunked_json_body_is_read_no_further_than_its_limit(app, admin):
    app.config["MAX_JSON_BYTES"] = 1000
    body = Endless()
    environ = EnvironBuilder("/api/projects", method="POST", headers={
        **admin.headers, "Content-Type": "application/json", "Transfer-Encoding": "chunked"}).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ.update({"wsgi.input": body, "wsgi.input_terminated": True})  # as a server that de-chunks
    answer, status, headers = run_wsgi_app(app, environ)
    assert status.startswith("413") and b'"too_large"' in b"".join(answer)
    assert body.read_bytes <= 1001 + 64 * 1024  # the limit, one byte more, and one read's buffer


def test_a_content_length_over_the_limit_is_refused_before_reading(app, admin):
    app.config["MAX_JSON_BYTES"] = 1000
    body = Endless()
    environ = EnvironBuilder("/api/projects", method="POST", headers={
        **admin.headers, "Content-Type": "application/json"}).get_environ()
    environ.update({"wsgi.input": body, "CONTENT_LENGTH": "1001"})
    answer, status, _ = run_wsgi_app(app, environ)
    assert status.startswith("413") and b'"the request body is over 1000 bytes"' in b"".join(answer)
    assert body.read_bytes == 0


# --- every route ---

VALUES = (2**70, -(2**70), 2**31, 0, -1, 1e308, 1.5, True, None, "", "é\u2603", "x" * 5000, [], {}, [{}])
QUERY = ("from", "to", "width", "region", "hidden", "source", "format", "origin", "clip", "every_frame", "fps",
         "height")
QUERY_VALUES = (str(2**64), "-1", "nan", "é", "9" * 5000)
HEADERS = (("If-Match", ("é", '"9999999999999"', 'W/"x"')),
           ("Range", ("bytes=é", "bytes=99999999999999999999999-")),
           ("Authorization", ("Token é", "é")),
           ("Content-Type", ("multipart/form-data", "multipart/form-data; boundary=x", "é")))
NON_OBJECTS = (b"[]", b'"x"', b"1", b"null", b"true", DEEP, b"{", b"\xff\xfe", b"", b"1e999")
RESULTS = ([region({**KEYFRAME, "frame": 2**63})], [region({**KEYFRAME, "x": 1e308}, {**KEYFRAME, "frame": 5, "x": -1e308})],
           [region({k: v for k, v in KEYFRAME.items() if k != "frame"} | {"time": 1e300})],
           [region({**KEYFRAME, "rotation": 1e308})], [{"type": "videorectangle"}], [region()] * 3)


@pytest.fixture
def world(tmp_path, database_url):
    """An app with a project, an indexed video task, an annotation, an export job and clients:
    admin and annotator (tokens), and the ids routes are called with."""
    app = create_app({"DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": database_url,
                      "MEDIA_ROOTS": [str(tmp_path / "media")], "TESTING": True, "WORKERS": 1})
    admin = Client(app, make_user(app, "admin", "admin", "secret-admin"))
    annotator = Client(app, make_user(app, "ann", "annotator", "secret-ann"))
    (tmp_path / "media").mkdir()
    encode(tmp_path / "media" / "clip.mp4", 30)
    project = admin.post("/api/projects", json={"title": "p", "label_config": SEED_CONFIG}).json["id"]
    (task,) = admin.post(f"/api/projects/{project}/tasks", json={"path": "clip.mp4"}).json["tasks"]
    deadline = time.monotonic() + 60
    while not admin.get(f"/api/tasks/{task}").json["media"]:
        assert time.monotonic() < deadline, admin.get(f"/api/tasks/{task}/jobs").json
        time.sleep(0.05)
    annotation = annotator.post(f"/api/tasks/{task}/annotations", json={"result": [region()]}).json["id"]
    jobs.shutdown(app)  # from here jobs stay queued: the walk starts exports and tracking
    job = admin.post(f"/api/projects/{project}/exports", json={"format": "jsonl"}).json["id"]
    ids = {"project_id": project, "task_id": task, "annotation_id": annotation, "job_id": job, "n": 1,
           "name": "videorectangle", "code": "nope", "user_id": 2, "token_id": 2, "key": "layout"}
    yield app, admin, annotator, ids
    app.extensions["tracklabel.engine"].dispose()


def routes(app):
    """(method, rule) of every route but static files; DELETE last (it removes what others use)."""
    found = [(method, rule) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
             for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return sorted(found, key=lambda pair: pair[0] == "DELETE")


def urls(rule, ids, method):
    """The rule's URL with the ids of the world (none for DELETE: the routes after it would
    have nothing to work on), then with each id out of range."""
    good = [] if method == "DELETE" else [rule.build(ids, append_unknown=False)[1]]
    odd = []
    for name in rule.arguments:
        for value in (2**31, 2**70, 0, "é", "x" * 3000):
            url = rule.rule.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
            odd.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[m.group(1)]), url))
    return good + odd


def bodies(rule: str) -> tuple[dict, tuple]:
    """A valid body for the route (so that each field's check is reached) and the fields it reads."""
    table = {
        "/api/tasks/<int:task_id>/track": ({"result": [region()], "region": "r1", "from": 1},
                                           ("result", "region", "from", "to", "direction", "tracker", "tolerance")),
        "/api/tasks/<int:task_id>/tracks": ({"result": [region()]}, ("result",)),
        "/api/tasks/<int:task_id>/annotations": ({"result": [region()]}, ("result", "kind")),
        "/api/annotations/<int:annotation_id>": ({"result": [region()], "version": 1}, ("result", "version")),
        "/api/projects": ({"title": "t", "label_config": SEED_CONFIG}, ("title", "label_config")),
        "/api/projects/<int:project_id>": ({"title": "t"}, ("title", "label_config")),
        "/api/projects/<int:project_id>/tasks": ({"path": "clip.mp4"}, ("path", "data", "annotations", "predictions")),
        "/api/projects/<int:project_id>/exports": ({"format": "jsonl"}, ("format", "tasks", *OPTIONS)),
        "/api/users": ({"name": "new", "role": "annotator"}, ("name", "role")),
        "/api/me/settings/<key>": ({"value": {"side": "left"}}, ("value",)),
        "/api/auth/login": ({"name": "admin", "password": "secret-admin"}, ("name", "password")),
        "/api/auth/password": ({"old_password": "secret-admin", "new_password": "secret-admin"},
                               ("old_password", "new_password")),
    }
    base, fields = table.get(rule, ({}, ()))
    return base, (*fields, "unknown")


OPTIONS = ("width", "height", "fps", "origin", "clip", "every_frame")


def test_no_route_answers_500_to_hostile_input(world, database_url):
    app, admin, annotator, ids = world
    # query strings and headers reach no SQL: walked once, on SQLite (PostgreSQL takes twice as long)
    every_part = database_url.startswith("sqlite")
    failures = []

    def check(client, method, url, **kwargs):
        try:
            response = client.call(method, url, **kwargs)
        except Exception as exc:  # TESTING: an error the app did not handle propagates
            failures.append((method, url, str(kwargs)[:200], f"{type(exc).__name__}: {exc}"[:300]))
            return
        if response.status_code >= 500 or (response.status_code >= 400 and not is_json_error(response)):
            failures.append((method, url, str(kwargs)[:200], response.status_code, response.get_data()[:200]))

    browser, _ = login(app)  # first: the walk changes passwords, which ends sessions
    for method, rule in routes(app):
        if method != "GET":
            url = urls(rule, ids, method)[0]
            for token in ("é", "\x80\xff", "x" * 10_000):
                response = browser.open(url, method=method, headers={"X-CSRF-Token": token}, json={})
                if response.status_code != 403 or not is_json_error(response):
                    failures.append((method, url, token[:20], response.status_code))
    for method, rule in routes(app):
        good, *odd = urls(rule, ids, method) if method != "DELETE" else [None, *urls(rule, ids, method)]
        for url in odd:
            check(admin, method, url)
        if good is None:
            continue
        check(annotator, method, good)
        for name in QUERY if every_part else ():
            for value in QUERY_VALUES:
                check(admin, method, f"{good}?{name}={value}")
        for header, values in HEADERS if every_part else ():
            for value in values:
                check(admin, method, good, headers={header: value}, data=b"--x\r\n\xff")
        if method not in ("POST", "PUT", "PATCH"):
            continue
        for raw in NON_OBJECTS:
            check(admin, method, good, data=raw, content_type="application/json")
        base, fields = bodies(rule.rule)
        for name in fields:
            for value in VALUES:
                check(admin, method, good, json={**base, name: value}, headers={"If-Match": '"1"'})
        if "result" in base:
            for result in RESULTS:
                check(admin, method, good, json={**base, "result": result})
    assert failures == [], "\n".join(map(str, failures[:40])) + f"\n({len(failures)} in all)"
