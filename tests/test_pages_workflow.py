"""The issue's whole walk through the pages in Chromium against a real `tracklabel serve`, as a
team's lead and then an annotator would do it: a project created from the video object tracking
template, two videos uploaded on Import and their indexing seen to finish on Tasks, a Label
Studio export with a prediction imported (the prediction shown as such), two tasks labelled
through the queue with Submit and next (the imported one skipped), MOT exported and its zip
downloaded, an annotator added on Members who then sees the projects and the queue but nothing
an admin does. The API is used only to check what the pages did. Screenshots at 1440x900 go to
tests/artifacts/workflow-<step>.png."""

import io
import json
import re
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import pytest

import video_factory
from browser_support import PASSWORD, PlayerServer, draw, screenshot, signed_in, wait_regions

SLOW = 90000  # ms: indexing and exporting on a busy machine
FRAMES = {"street.mp4": 40, "market.mp4": 30}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A host with only an admin, and the files the admin picks: two videos and a Label Studio
    export whose one task names a video under the media root and carries a prediction."""
    server = PlayerServer(tmp_path_factory.mktemp("workflow"))
    picked = tmp_path_factory.mktemp("picked")
    server.files = {name: video_factory.encode(picked / name, frames=frames, size=(320, 240))
                    for name, frames in FRAMES.items()}
    video_factory.encode(server.media / "crossing.mp4", frames=20, size=(320, 240))
    region = {"id": "p1", "type": "videorectangle", "from_name": "box", "to_name": "video",
              "value": {"labels": ["Other"], "framesCount": 20, "sequence": [
                  {"frame": 1, "x": 40, "y": 40, "width": 20, "height": 20, "rotation": 0, "enabled": True}]}}
    export = [{"id": 77, "data": {"video": "/data/local-files/?d=crossing.mp4"},
               "predictions": [{"model_version": "detector-1", "result": [region]}]}]
    server.files["export.json"] = picked / "export.json"
    server.files["export.json"].write_text(json.dumps(export))
    yield server
    server.stop()


class Browser:
    """One signed-in browser context at 1440x900; uncaught page errors are collected."""

    def __init__(self, chromium, site, url, name, password):
        self.site = site
        self.page = signed_in(chromium, site.url, url, name, password, accept_downloads=True)
        self.context = self.page.context
        self.errors = self.page.errors

    def mounted(self):
        self.page.wait_for_selector("body[data-ready=true]")

    def keys(self, *keys):
        """Press keys in turn (a nav key such as `g t` is two presses)."""
        for key in keys:
            self.page.keyboard.press(key)

    def shot(self, step):
        screenshot(self.page, f"workflow-{step}.png")

    def close(self):
        self.context.close()
        assert not self.errors, self.errors


@pytest.fixture
def browsers(chromium, site):
    opened = []

    def open_browser(url, name="admin", password=PASSWORD):
        opened.append(Browser(chromium, site, url, name, password))
        return opened[-1]
    yield open_browser
    for browser in opened:
        browser.close()


def on_task(page, task):
    """Wait for the player on `task` in the queue; its position text."""
    page.wait_for_function(f"window.tracklabel && tracklabel.player.task.id === {task} && window.__ready !== undefined",
                           timeout=30000)
    page.wait_for_selector(".queue-position")
    return page.inner_text(".queue-position")


def column(page, name):
    return page.locator(f"table.tasks tbody td.{name}").all_inner_texts()


def test_a_project_from_template_to_export_and_an_annotator(site, browsers):
    admin = browsers("/projects/new")
    page = admin.page

    # New project: the video object tracking template, saved with ctrl+s
    page.keyboard.press("Alt+1")
    page.wait_for_selector(".preview .label-set button[data-label=Other]")
    assert page.locator(".preview .label-set button").all_inner_texts() == ["Man", "Woman", "Other"]
    assert page.locator(".gutter .bad").count() == 0
    admin.shot("new-project")
    page.keyboard.press("Control+s")
    page.wait_for_url(re.compile(r"/projects/\d+$"))
    project = int(urlparse(page.url).path.rsplit("/", 1)[1])
    admin.mounted()
    assert page.locator("header.nav .where").inner_text() == "Video object tracking"

    # Import: two videos at once, then the Label Studio export with its prediction
    admin.keys("g", "i")
    page.wait_for_url(f"**/projects/{project}/import")
    admin.mounted()
    page.set_input_files("input.videos", [str(site.files["street.mp4"]), str(site.files["market.mp4"])])
    page.wait_for_function("document.querySelectorAll('li.video[data-state=done]').length === 2", timeout=SLOW)
    assert page.locator("li.video[data-state=failed]").count() == 0
    page.set_input_files("input.json", [str(site.files["export.json"])])
    done = page.wait_for_selector("li.json[data-state=done]", timeout=SLOW)
    assert done.get_attribute("data-predictions") == "1"
    assert "1 task imported, with 0 annotations and 1 prediction" in done.inner_text()
    assert page.locator("li.json table.predictions td.count").all_inner_texts() == ["1 prediction"]
    admin.shot("import")

    # Tasks: the three videos' indexing finishes in the table; the prediction in its column
    admin.keys("g", "t")
    page.wait_for_url(f"**/projects/{project}")
    admin.mounted()
    page.wait_for_function("document.querySelectorAll('table.tasks tr.indexed').length === 3", timeout=SLOW)
    page.wait_for_function("[...document.querySelectorAll('table.tasks img.thumb')]"
                           ".every(img => img.complete && img.naturalWidth === 192)", timeout=SLOW)
    rows = dict(zip(column(page, "name"), zip(column(page, "id"), column(page, "frames"), column(page, "predictions"),
                                                column(page, "annotations"), column(page, "jobs"))))
    assert sorted(rows) == ["crossing.mp4", "market.mp4", "street.mp4"]
    assert rows["street.mp4"][1:] == ("40", "", "0", "indexed") and rows["market.mp4"][1:] == ("30", "", "0", "indexed")
    assert rows["crossing.mp4"][1:] == ("20", "1", "0", "indexed")
    uploaded = sorted(int(rows[name][0]) for name in FRAMES)
    imported = int(rows["crossing.mp4"][0])
    admin.shot("tasks")

    # Label: the queue gives the uploads in id order; a box on each, Submit and next (button,
    # then key); the imported task comes last and is skipped; then no more tasks
    admin.keys("g", "l")
    page.wait_for_url(f"**/projects/{project}/label")
    assert on_task(page, uploaded[0]) == "task 1 of 3 · 3 left"
    page.click(".label-set button[data-label=Man]")  # the template's labels have no keys
    draw(page, 300, 200, 420, 300)
    wait_regions(page, 1)
    admin.shot("label")
    page.click("button[data-action=submit-next]")
    assert on_task(page, uploaded[1]) == "task 2 of 3 · 2 left"
    page.click(".label-set button[data-label=Woman]")
    draw(page, 120, 100, 220, 180)
    wait_regions(page, 1)
    page.locator(".stage .overlay").hover()
    page.keyboard.press("Control+Shift+Enter")
    assert on_task(page, imported) == "task 3 of 3 · 1 left"
    page.locator(".stage .overlay").hover()
    page.keyboard.press("Control+Shift+S")
    page.wait_for_selector(".queue-done:has-text('No more tasks')")
    admin.shot("label-done")
    for task, label in zip(uploaded, ("Man", "Woman")):  # checked on the host: one saved annotation with one box each
        (annotation,) = site.call("GET", f"/api/tasks/{task}/annotations")
        assert [r["type"] for r in annotation["result"]] == ["videorectangle"]
    assert [a["kind"] for a in site.call("GET", f"/api/tasks/{imported}/annotations")] == ["prediction"]

    # Tasks again: the two labelled tasks counted, by the admin
    page.click("a:has-text('the project')")
    admin.mounted()
    page.wait_for_function("document.querySelectorAll('table.tasks tbody tr').length === 3")
    labelled = dict(zip(column(page, "id"), zip(column(page, "annotations"), column(page, "authors"))))
    assert [labelled[str(task)] for task in uploaded] == [("1", "admin")] * 2
    assert labelled[str(imported)] == ("0", "")

    # Export: MOT for the project, as a job, and its zip downloaded
    admin.keys("g", "e")
    page.wait_for_url(f"**/projects/{project}/export")
    admin.mounted()
    page.select_option("select[name=format]", "mot")
    page.keyboard.press("e")
    page.wait_for_selector("a.download, .status.error", timeout=SLOW)
    assert page.locator(".status.error").count() == 0, page.locator(".status").inner_text()
    link = page.locator("a.download")
    assert link.inner_text() == f"project-{project}-mot.zip"
    admin.shot("export")
    with page.expect_download() as caught:
        page.keyboard.press("d")
    archive = zipfile.ZipFile(io.BytesIO(Path(caught.value.path()).read_bytes()))
    ground_truth = {name.split("/")[0]: archive.read(name).decode().splitlines()
                    for name in archive.namelist() if name.endswith("gt/gt.txt")}
    assert sorted(ground_truth) == ["market", "street"]  # the skipped task has no annotation
    for name, lines in ground_truth.items():  # one box, a track over the whole video
        boxes = [line.split(",") for line in lines]
        assert len(boxes) == FRAMES[f"{name}.mp4"] and len({box[1] for box in boxes}) == 1
        assert [int(box[0]) for box in boxes] == list(range(1, FRAMES[f"{name}.mp4"] + 1))

    # Members: an annotator added, the password shown once
    admin.keys("g", "m")
    page.wait_for_url("**/members")
    admin.mounted()
    page.keyboard.press("a")
    page.keyboard.type("maria")
    page.select_option("form.add select[name=role]", "annotator")
    page.keyboard.press("Enter")
    password = page.wait_for_selector(".shown-once input.password").input_value()
    assert page.locator("table.users tr", has_text="admin").locator("td.annotations").inner_text() == "2"
    admin.shot("members")

    # The annotator, in a fresh browser: the projects and the queue, nothing an admin does
    maria = browsers("/", "maria", password)
    annotator = maria.page
    nav = annotator.locator("header.nav").inner_text()
    assert "maria (annotator)" in nav and "Members" not in nav
    assert annotator.locator("button.create").count() == 0 and annotator.locator("text=Create").count() == 0
    assert annotator.locator(f"tr[data-project='{project}'] a").inner_text() == "Video object tracking"
    maria.shot("annotator-projects")
    annotator.click(f"tr[data-project='{project}'] a")
    maria.mounted()
    nav = annotator.locator("header.nav").inner_text()
    assert "Label" in nav and "Settings" not in nav and "Members" not in nav
    maria.keys("g", "l")
    annotator.wait_for_url(f"**/projects/{project}/label")
    assert on_task(annotator, uploaded[0]) == "task 1 of 3 · 3 left"  # her own queue: nothing done yet
    maria.shot("annotator-label")
    annotator.goto(site.url + "/members")
    maria.mounted()
    assert "403" in annotator.locator("section.members.denied").inner_text()
    assert "not allowed for your role" in annotator.locator(".status.error").inner_text()
    assert annotator.locator("table.users").count() == 0
    maria.shot("annotator-members")
    annotator.goto(f"{site.url}/projects/{project}/settings")
    maria.mounted()
    assert "not allowed for your role" in annotator.locator(".status.error").inner_text()
    assert annotator.locator("textarea").count() == 0
