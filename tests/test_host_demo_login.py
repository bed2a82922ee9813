"""The demo's one-time login link (what `tracklabel serve --demo` prints) signs in and goes on to
the player on the demo task; a login link's `next` is followed only to a path on this host; the
icon is served at /favicon.ico and linked from the pages and the player."""

import re
from urllib.parse import urlsplit

import pytest

from tracklabel.host import db
from tracklabel.host.auth import add_user, create_token
from tracklabel.host.demo import TITLE, prepare_demo
from tracklabel.host.store import projects as project_store
from tracklabel.host.store import tasks as task_store


def test_the_demo_link_signs_in_and_opens_the_demo_task(app):
    with app.app_context():
        link = prepare_demo()
        again = prepare_demo()  # the next start: a new link to the same task
        conn = db.connection()
        (task,) = [t["id"] for t in task_store.of_project(conn, project_store.id_by_title(conn, TITLE))]
    browser = app.test_client()
    assert browser.get("/api/auth/me").status_code == 401
    response = browser.get(link)
    assert response.status_code == 302 and response.headers["Location"] == f"/tasks/{task}"
    assert browser.get("/api/auth/me").json["user"]["name"] == "admin"
    assert app.test_client().get(link).status_code == 401  # once only
    assert again != link and urlsplit(again).query == urlsplit(link).query == f"next=/tasks/{task}"


@pytest.mark.parametrize("target, landing", [
    ("/tasks/7", "/tasks/7"),
    ("/projects/2?filter=mine&sort=-id", "/projects/2?filter=mine&sort=-id"),
    (None, "/"),
    ("", "/"),
    ("tasks/7", "/"),
    ("//evil.example/x", "/"),
    ("https://evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("/\t/evil.example", "/"),  # browsers drop the tab: //evil.example
    ("javascript:alert(1)", "/"),
    ("/tâches", "/"),
])
def test_a_login_link_goes_on_only_to_a_path_on_this_host(app, target, landing):
    with app.app_context(), db.write() as conn:
        user, _ = add_user(conn, "someone", "annotator")
        code = create_token(conn, user, kind="login")
    query = {} if target is None else {"next": target}
    response = app.test_client().get(f"/login/{code}", query_string=query)
    assert response.status_code == 302 and response.headers["Location"] == landing


def test_the_icon_is_served_and_linked(app):
    browser = app.test_client()
    icon = browser.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and len(icon.data) < 2048
    for page in ("/", "/projects/1", "/tasks/1"):
        html = browser.get(page).get_data(as_text=True)
        (href,) = re.findall(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
        linked = browser.get(href)
        assert linked.status_code == 200 and linked.data == icon.data
