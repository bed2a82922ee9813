"""The Export and Members pages in Chromium against a real `tracklabel serve`: MOT exported for the
project as a job and downloaded (a zip with gt.txt); an annotator added on Members signs in with
the password shown once and sees only what their role allows (no Members, no Create, the API's
403 on the Members page); a token revoked and a password reset on the page take effect at
once. Screenshots at 1440x900 go to tests/artifacts/export.png and members.png."""

import io
import json
import zipfile
from pathlib import Path

import pytest

import video_factory
from browser_support import CONFIG, PlayerServer, screenshot, signed_in
from server_process import Client



@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A host with a project: an indexed video task with an annotation, and a task without."""
    server = PlayerServer(tmp_path_factory.mktemp("pages"))
    video_factory.encode(server.media / "street.mp4", frames=30)
    server.project = server.call("POST", "/api/projects", {"title": "Street", "label_config": CONFIG})["id"]
    server.task = server.video_task(server.project, "street.mp4")
    region = {"id": "r1", "type": "videorectangle", "from_name": "box", "to_name": "video",
              "value": {"labels": ["Man"], "framesCount": 30, "sequence": [
                  {"frame": 1, "x": 10, "y": 10, "width": 20, "height": 20, "rotation": 0, "enabled": True},
                  {"frame": 10, "x": 30, "y": 10, "width": 20, "height": 20, "rotation": 0, "enabled": False}]}}
    server.call("POST", f"/api/tasks/{server.task}/annotations", {"result": [region]})
    server.call("POST", f"/api/projects/{server.project}/tasks", [{"data": {"video": "elsewhere.mp4"}}])
    yield server
    server.stop()


@pytest.fixture
def own_site(tmp_path):
    """A host of its own (the other tests count the admin's annotations on the shared one)."""
    server = PlayerServer(tmp_path)
    video_factory.encode(server.media / "street.mp4", frames=30)
    yield server
    server.stop()


def test_what_the_format_leaves_out_is_shown_with_the_download(chromium, own_site):
    site = own_site
    project = site.call("POST", "/api/projects", {"title": "Unlabelled", "label_config": CONFIG})["id"]
    task = site.video_task(project, "street.mp4")
    for rid, labels in (("labelled", ["Man"]), ("bare", [])):
        site.call("POST", f"/api/tasks/{task}/annotations", {"result": [
            {"id": rid, "type": "videorectangle", "from_name": "box", "to_name": "video",
             "value": {"labels": labels, "framesCount": 30, "sequence": [
                 {"frame": 1, "x": 10, "y": 10, "width": 20, "height": 20, "rotation": 0, "enabled": True}]}}]})
    page = signed_in(chromium, site.url, f"/projects/{project}/export")
    page.select_option("select[name=format]", "mot")
    page.keyboard.press("e")
    page.wait_for_selector("a.download", timeout=60000)
    (warning,) = page.locator("ul.warnings li").all_inner_texts()
    assert warning.startswith(f"task {task}: ") and "no label" in warning
    assert not page.errors, page.errors
    page.context.close()


def test_export_mot_for_the_project_and_download_the_zip(chromium, site):
    page = signed_in(chromium, site.url, f"/projects/{site.project}/export", accept_downloads=True)
    page.select_option("select[name=format]", "mot")
    assert page.locator(".own-options select[name=origin]").input_value() == "1"  # the option's default
    assert "origin" in page.locator(".own-options").inner_text()
    page.keyboard.press("e")  # start the export
    link = page.wait_for_selector("a.download", timeout=60000)
    assert page.locator("progress").evaluate("p => p.value") == 1
    assert link.inner_text() == f"project-{site.project}-mot.zip"
    screenshot(page, "export.png")
    with page.expect_download() as caught:
        page.keyboard.press("d")
    archive = zipfile.ZipFile(io.BytesIO(Path(caught.value.path()).read_bytes()))
    (gt,) = [name for name in archive.namelist() if name.endswith("gt.txt")]
    assert gt == "street/gt/gt.txt" and len(archive.read(gt).decode().splitlines()) == 10
    page.goto(f"{site.url}/projects/{site.project}/export?tasks={site.task}")  # from the tasks page
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("input[name=scope][value=tasks]").is_checked()
    page.select_option("select[name=format]", "ls-json")
    page.click("form.export button.primary")
    page.wait_for_selector("a.download", timeout=60000)
    with page.expect_download() as caught:
        page.click("a.download")
    assert [task["id"] for task in json.loads(Path(caught.value.path()).read_text())] == [site.task]
    assert not page.errors, page.errors
    page.context.close()


def test_an_annotator_added_on_members_signs_in_and_sees_only_their_pages(chromium, site):
    page = signed_in(chromium, site.url, "/members")
    page.keyboard.press("a")  # to the name field
    page.keyboard.type("maria")
    page.select_option("form.add select[name=role]", "annotator")
    page.keyboard.press("Enter")
    password = page.wait_for_selector(".shown-once input.password").input_value()
    token = page.locator(".shown-once input.token").input_value()
    row = page.locator("table.users tr.selected")
    assert row.locator("td").first.inner_text() == "maria" and row.locator("td.role").inner_text() == "annotator"
    assert page.locator("table.users tr", has_text="admin").locator("td.annotations").inner_text() == "1"
    assert "Members" in page.locator("header.nav").inner_text()
    screenshot(page, "members.png")

    annotator = signed_in(chromium, site.url, "/", "maria", password)
    nav = annotator.locator("header.nav").inner_text()
    assert "maria (annotator)" in nav and "Members" not in nav
    assert annotator.locator("text=Create").count() == 0
    assert annotator.locator(f"a[href='/projects/{site.project}']").count() == 1, annotator.content()  # the project they may label
    annotator.goto(site.url + "/members")
    annotator.wait_for_selector("body[data-ready=true]")
    assert "403" in annotator.locator("section.members.denied").inner_text()
    assert "not allowed for your role" in annotator.locator(".status.error").inner_text()
    assert annotator.locator("table.users").count() == 0
    annotator.goto(site.url + f"/projects/{site.project}")
    annotator.wait_for_selector("body[data-ready=true]")
    assert "Settings" not in annotator.locator("header.nav").inner_text()
    assert not annotator.errors, annotator.errors
    annotator.context.close()

    maria = Client(site.process.port, token)
    assert maria.request("GET", "/api/auth/me")[0] == 200
    page.keyboard.press("t")  # maria's tokens (she is the selected member)
    page.wait_for_selector(".tokens tr[data-token]")
    page.keyboard.press("x")
    page.wait_for_selector("dialog.confirm")
    page.keyboard.press("Enter")  # the dialog's first button: Revoke
    page.wait_for_selector(".tokens p.muted:has-text('no tokens')")
    assert maria.request("GET", "/api/auth/me")[0] == 401
    page.keyboard.press("r")  # reset maria's password
    page.wait_for_selector("dialog.confirm")
    page.keyboard.press("Enter")
    page.wait_for_selector(".shown-once:has-text(\"maria's password was reset\")")
    new = page.locator(".shown-once input.password").input_value()
    maria.close()
    anyone, login = Client(site.process.port), {"name": "maria", "password": password}
    assert new != password and anyone.request("POST", "/api/auth/login", login)[0] == 401
    assert anyone.request("POST", "/api/auth/login", {**login, "password": new})[0] == 200
    anyone.close()
    assert not page.errors, page.errors
    page.context.close()
