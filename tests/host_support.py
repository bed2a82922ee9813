"""Fixtures for host tests: an app on a real SQLite file (and PostgreSQL when
TRACKLABEL_TEST_DATABASE_URL is set), users with tokens, and a client that sends them."""

import io
import os
import time

import pytest
import sqlalchemy as sa

from tracklabel.host import create_app, db, jobs
from tracklabel.host.demo import CONFIG
from tracklabel.host.auth import add_user

PG_URL = os.environ.get("TRACKLABEL_TEST_DATABASE_URL")
DATABASES = ["sqlite"] + (["postgresql"] if PG_URL else [])
SEED_CONFIG = CONFIG  # the seed's config, as the demo project uses it


def reset_postgres(url: str) -> None:
    """An empty public schema, so each test starts from nothing."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracklabel.db'}"
    reset_postgres(PG_URL)
    return PG_URL


@pytest.fixture
def app(tmp_path, database_url):
    app = create_app({"DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": database_url,
                      "MEDIA_ROOTS": [str(tmp_path / "media")], "TESTING": True})
    yield app
    jobs.shutdown(app)  # no idle worker threads outlive the test
    app.extensions["tracklabel.engine"].dispose()


class Client:
    """The Flask test client with a token, returning (status, json) pairs."""

    def __init__(self, app, token=None):
        self.client = app.test_client()
        self.headers = {"Authorization": f"Token {token}"} if token else {}

    def call(self, method, url, json=None, headers=None, **kwargs):
        response = self.client.open(url, method=method, json=json,
                                    headers={**self.headers, **(headers or {})}, **kwargs)
        return response

    def get(self, url, **kw):
        return self.call("GET", url, **kw)

    def post(self, url, json=None, **kw):
        return self.call("POST", url, json=json, **kw)

    def put(self, url, json=None, **kw):
        return self.call("PUT", url, json=json, **kw)

    def patch(self, url, json=None, **kw):
        return self.call("PATCH", url, json=json, **kw)

    def delete(self, url, **kw):
        return self.call("DELETE", url, **kw)


def make_user(app, name, role, password=None):
    with app.app_context(), db.engine().begin() as conn:
        _, token = add_user(conn, name, role, password)
    return token


@pytest.fixture
def admin(app):
    return Client(app, make_user(app, "admin", "admin", "secret-admin"))


@pytest.fixture
def annotator(app):
    return Client(app, make_user(app, "ann", "annotator", "secret-ann"))


@pytest.fixture
def project(admin):
    response = admin.post("/api/projects", json={"title": "Street", "label_config": SEED_CONFIG})
    assert response.status_code == 201, response.json
    return response.json["id"]


def settle(client, task, timeout=60):
    """Wait until every job of the task is done or failed; return them."""
    deadline = time.monotonic() + timeout
    while True:
        listed = client.get(f"/api/tasks/{task}/jobs").json
        if listed and all(j["state"] in ("done", "failed") for j in listed):
            return listed
        assert time.monotonic() < deadline, listed
        time.sleep(0.05)


def upload(client, project, data: bytes, name: str):
    """Upload a video file as a new task of the project."""
    return client.post(f"/api/projects/{project}/tasks", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")
