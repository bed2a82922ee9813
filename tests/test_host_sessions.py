"""Login sessions live on the host (issue 11, item 5): a cookie captured before logout is refused
after it; sessions expire when idle and when old (the app's clock is moved, nothing sleeps); a
password change, through the API or `tracklabel user password`, ends every session of the user."""

import re

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from host_support import SEED_CONFIG
from tracklabel.host import db
from tracklabel.host.commands import user as user_command

PROJECT = {"title": "t", "label_config": SEED_CONFIG}


def login(app, name="admin", password="secret-admin"):
    """A browser signed in: (its test client, the cookie's value, the CSRF token)."""
    browser = app.test_client()
    response = browser.post("/api/auth/login", json={"name": name, "password": password})
    assert response.status_code == 200, response.json
    cookie = re.match(r"session=([^;]*);", response.headers["Set-Cookie"]).group(1)
    return browser, cookie, response.json["csrf_token"]


def with_cookie(app, cookie):
    """A new client that sends only this cookie, as an attacker who copied it would."""
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client


def session_rows(app):
    with app.extensions["tracklabel.engine"].connect() as conn:
        return conn.execute(sa.select(db.sessions)).mappings().all()


def test_a_cookie_captured_before_logout_is_refused_after(app, admin):
    browser, cookie, csrf = login(app)
    copy = with_cookie(app, cookie)
    assert copy.get("/api/projects").status_code == 200
    assert browser.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert session_rows(app) == []
    for client in (copy, browser):
        assert client.get("/api/projects").status_code == 401
        assert client.get("/api/auth/me").status_code == 401
        response = client.post("/api/projects", json=PROJECT, headers={"X-CSRF-Token": csrf})
        assert response.status_code == 401 and response.json["error"] == "unauthorized"
    assert admin.get("/api/projects").json == []  # nothing was written


def test_the_cookie_holds_no_user_only_a_random_token(app, admin):
    _, cookie, csrf = login(app)
    forged = app.session_interface.get_signing_serializer(app).dumps({"user_id": 1, "csrf": csrf})
    assert with_cookie(app, forged).get("/api/projects").status_code == 401  # the old kind of cookie
    (row,) = session_rows(app)
    assert row["csrf"] == csrf and row["id"] not in cookie and len(row["id"]) == 64


@pytest.fixture
def clock(app):
    now = [1_000_000.0]
    app.config.update(CLOCK=lambda: now[0], SESSION_IDLE_SECONDS=100, SESSION_MAX_SECONDS=1000)
    return now


def test_a_session_unused_for_longer_than_the_idle_limit_ends(app, admin, clock):
    _, cookie, _ = login(app)
    browser = with_cookie(app, cookie)
    for _ in range(3):
        clock[0] += 99
        assert browser.get("/api/projects").status_code == 200  # each request keeps it alive
    clock[0] += 101
    assert browser.get("/api/projects").status_code == 401
    assert session_rows(app) == []


def test_a_session_ends_at_the_absolute_limit_however_busy(app, admin, clock):
    _, cookie, _ = login(app)
    browser = with_cookie(app, cookie)
    began = clock[0]
    while clock[0] + 50 - began <= 1000:
        clock[0] += 50
        assert browser.get("/api/projects").status_code == 200
    clock[0] += 50
    assert browser.get("/api/projects").status_code == 401
    fresh, _, _ = login(app)
    assert fresh.get("/api/projects").status_code == 200


def test_a_password_change_ends_every_session_of_the_user(app, admin, annotator):
    first, first_cookie, first_csrf = login(app)
    _, second_cookie, _ = login(app)
    _, other_cookie, _ = login(app, "ann", "secret-ann")
    body = {"old_password": "wrong", "new_password": "new-secret"}
    response = first.post("/api/auth/password", json=body, headers={"X-CSRF-Token": first_csrf})
    assert response.status_code == 403 and response.json["path"] == "$.old_password"
    body["old_password"] = "secret-admin"
    assert first.post("/api/auth/password", json=body).status_code == 403  # CSRF
    response = first.post("/api/auth/password", json=body, headers={"X-CSRF-Token": first_csrf})
    assert response.status_code == 200 and response.json["csrf_token"] != first_csrf
    assert with_cookie(app, first_cookie).get("/api/projects").status_code == 401
    assert with_cookie(app, second_cookie).get("/api/projects").status_code == 401
    assert first.get("/api/projects").status_code == 200  # the browser that asked got a new session
    assert with_cookie(app, other_cookie).get("/api/projects").status_code == 200  # another user's
    assert admin.get("/api/projects").status_code == 200  # API tokens are not sessions
    assert app.test_client().post("/api/auth/login", json={"name": "admin", "password": "secret-admin"}).status_code == 401
    login(app, "admin", "new-secret")
    response = admin.post("/api/auth/password", json={"old_password": "new-secret", "new_password": "third"})
    assert response.status_code == 200 and response.json == {"user": {"id": 1, "name": "admin", "role": "admin"}}
    response = admin.post("/api/auth/password", json={"old_password": "third", "new_password": ""})
    assert response.status_code == 400 and response.json["path"] == "$.new_password"


def test_a_password_set_on_the_command_line_ends_every_session(app, admin):
    _, cookie, _ = login(app)
    result = CliRunner().invoke(user_command, [
        "password", "admin", "--password", "from-the-shell", "--data", app.config["DATA_DIR"],
        "--database", app.config["DATABASE_URL"]])
    assert result.exit_code == 0, result.output
    assert with_cookie(app, cookie).get("/api/projects").status_code == 401
    login(app, "admin", "from-the-shell")
    result = CliRunner().invoke(user_command, [
        "password", "nobody", "--password", "x", "--data", app.config["DATA_DIR"],
        "--database", app.config["DATABASE_URL"]])
    assert result.exit_code == 2 and "no user 'nobody'" in result.output


def _read_key(folder, start, keys):
    from tracklabel.host import _secret_key

    start.wait()
    try:
        keys.put(_secret_key(folder))
    except Exception as exc:  # noqa: BLE001 - reported to the test
        keys.put(f"{type(exc).__name__}: {exc}")


def test_processes_starting_together_on_a_new_data_folder_share_one_whole_key(tmp_path):
    """Web processes and workers on a shared, new data folder all sign with the same key: none
    reads it half-written, none fails because another made it first."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    for trial in range(5):
        folder = tmp_path / str(trial)
        folder.mkdir()
        start, keys = context.Barrier(6), context.Queue()
        processes = [context.Process(target=_read_key, args=(folder, start, keys)) for _ in range(6)]
        for process in processes:
            process.start()
        read = [keys.get(timeout=120) for _ in processes]
        for process in processes:
            process.join(timeout=120)
        assert len(set(read)) == 1 and re.fullmatch(r"[0-9a-f]{64}", read[0]), read
        assert [p.name for p in folder.iterdir()] == ["secret_key"]
