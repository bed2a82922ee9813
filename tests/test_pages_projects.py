"""The Projects and project settings pages in Chromium against a real `tracklabel serve`: a
project created from a template (its labels and tools in the preview), a broken config's
problems on their lines as you type and its save refused, a config that drops a used label asks
first with the count of annotations, and an annotator sees no Create. Screenshots at 1440x900
go to tests/artifacts/projects.png and settings.png."""

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from browser_support import CONFIG, PASSWORD, PlayerServer, screenshot, signed_in
from server_process import add_user

ANNOTATOR_PASSWORD = "annotator-test-password"
BROKEN = """<View>
  <Video name="video" value="$video"/>
  <VideoRectangle name="box" toName="vid"/>
</View>"""


def region(rid, label):
    return {"id": rid, "type": "videorectangle", "from_name": "box", "to_name": "video",
            "value": {"labels": [label], "framesCount": 30, "sequence": [
                {"frame": 1, "x": 10, "y": 10, "width": 20, "height": 20, "rotation": 0, "enabled": True}]}}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A host with a project of two tasks, one annotated with "Woman", and an annotator."""
    root = tmp_path_factory.mktemp("projects")
    server = PlayerServer(root)
    add_user(root / "data", "ann", "annotator", ANNOTATOR_PASSWORD)
    server.project = server.call("POST", "/api/projects", {"title": "Street", "label_config": CONFIG})["id"]
    server.call("POST", f"/api/projects/{server.project}/tasks", [
        {"data": {"video": "a.mp4"}, "annotations": [{"result": [region("r1", "Woman")]}]},
        {"data": {"video": "b.mp4"}}])
    yield server
    server.stop()


@pytest.fixture
def open_page(chromium, site):
    pages = []

    def open_page(url, name="admin", password=PASSWORD):
        page = signed_in(chromium, site.url, url, name, password)
        pages.append(page)
        return page
    yield open_page
    for page in pages:
        assert not page.errors, page.errors
        page.context.close()


def titles(site):
    return [p["title"] for p in site.call("GET", "/api/projects")]


def test_projects_list_their_counts_and_create_opens_the_editor(site, open_page):
    page = open_page("/")
    row = page.locator(f"tr[data-project='{site.project}']")
    assert row.locator("a").inner_text() == "Street"
    assert row.locator("td.tasks").inner_text() == "2" and row.locator("td.annotated").inner_text() == "1"
    screenshot(page, "projects.png")
    page.keyboard.press("n")
    page.wait_for_url("**/projects/new")
    page.wait_for_selector("body[data-ready=true]")


def test_a_broken_config_shows_its_line_and_is_not_saved_then_a_template_is(site, open_page):
    page = open_page("/projects/new")
    page.fill("input[name=title]", "Broken")
    page.fill("textarea[name=label_config]", BROKEN)
    page.wait_for_selector(".gutter .bad")
    assert page.locator(".gutter .bad").all_inner_texts() == ["3"]
    assert "vid" in page.locator(".gutter .bad").get_attribute("title")
    assert page.locator(".problems li").inner_text().startswith("line 3: ")
    page.keyboard.press("Control+s")
    page.wait_for_selector(".status.error")
    assert "not saved" in page.locator(".status").inner_text() and "line 3" in page.locator(".status").inner_text()
    assert "Broken" not in titles(site)

    page.fill("input[name=title]", "")
    page.fill("textarea[name=description]", "Box every person.")
    page.keyboard.press("Alt+1")  # the video object tracking template
    page.wait_for_selector(".preview .label-set button[data-label=Woman]")
    assert page.locator(".gutter .bad").count() == 0
    assert page.locator(".preview .label-set button").all_inner_texts() == ["Man", "Woman", "Other"]
    assert page.locator(".preview-tools li[data-tool=box]").inner_text() == "VideoRectangle “box”"
    assert page.locator(".preview h2.header").inner_text() == "Label the video:"
    page.keyboard.press("Control+s")
    page.wait_for_url(re.compile(r"/projects/\d+(\?.*)?$"))  # the new project's tasks
    created = site.call("GET", "/api/projects")[-1]
    assert created["title"] == "Video object tracking" and "<VideoRectangle" in created["label_config"]
    assert created["description"] == "Box every person."
    assert urlparse(page.url).path == f"/projects/{created['id']}"


def test_the_preview_shows_each_templates_tools(site, open_page):
    page = open_page("/projects/new")
    page.click("button[data-template=polygons-and-points]")
    page.wait_for_selector(".preview-tools li[data-tool=point]")
    assert page.locator(".preview-tools li").all_inner_texts() == ["VideoPolygon “outline”", "VideoKeyPoint “point”"]
    assert page.locator(".preview .label-set button").all_inner_texts() == ["Car", "Wheel"]
    page.click("button[data-template=timeline-labels]")
    page.wait_for_selector(".preview-tools li[data-kind=timelinelabels]")
    assert page.locator(".preview canvas.timeline-labels").count() == 1


def test_dropping_a_used_label_asks_with_the_count(site, open_page):
    page = open_page(f"/projects/{site.project}/settings")
    assert page.locator("textarea[name=label_config]").input_value() == CONFIG
    page.wait_for_selector(".preview .label-set button[data-label=Woman]")
    page.fill("textarea[name=label_config]", CONFIG.replace('<Label value="Woman" background="red"/>', ""))
    page.wait_for_function("document.querySelectorAll('.preview .label-set button').length === 1")
    page.keyboard.press("Control+s")
    dialog = page.wait_for_selector("dialog.confirm")
    assert "the label “Woman”. 1 annotation uses it" in dialog.inner_text()
    screenshot(page, "settings.png")
    page.click("dialog.confirm button[value=no]")
    page.wait_for_selector(".status:text('not saved')")
    assert site.call("GET", f"/api/projects/{site.project}")["label_config"] == CONFIG
    page.keyboard.press("Control+s")
    page.click("dialog.confirm button[value=yes]")
    page.wait_for_selector(".status:text-is('saved')")
    assert "Woman" not in site.call("GET", f"/api/projects/{site.project}")["label_config"]


def test_an_annotator_sees_no_create_and_no_settings(site, open_page):
    page = open_page("/", "ann", ANNOTATOR_PASSWORD)
    page.wait_for_selector("section.projects h2")
    assert page.locator("button.create").count() == 0
    assert "ann (annotator)" in page.locator("header.nav").inner_text()
    page.keyboard.press("n")  # no such key for an annotator
    assert page.url == site.url + "/"
    page.goto(site.url + "/projects/new")
    page.wait_for_selector("body[data-ready=true]")
    assert "not allowed for your role" in page.locator(".status.error").inner_text()
    assert page.locator("textarea").count() == 0


def test_only_a_roles_refusal_is_worded_as_one(site, open_page):
    page = open_page("/")
    said = page.evaluate("""async () => {
      const {describe} = await import('/static/pages/shell.js');
      const {ApiError} = await import('/static/player/api.js');
      return [
        describe(new ApiError(403, {error: 'forbidden', message: 'this needs the admin role'})),
        describe(new ApiError(403, {error: 'outside_media_roots', message: "'/x' is outside the media roots", path: '$.path'})),
        describe(new ApiError(403, {error: 'csrf', message: 'a cookie-authenticated write needs the X-CSRF-Token header'})),
      ];
    }""")
    assert said[0] == "not allowed for your role: this needs the admin role"
    assert said[1] == "'/x' is outside the media roots (at $.path)"
    assert said[2] == "a cookie-authenticated write needs the X-CSRF-Token header"


# reached only through the player's pointer dispatch and the drawing of regions: the preview
# has neither (no pointer events reach its controls, and it has no regions)
NOT_IN_PREVIEW = {"pointer", "scale", "toPercent", "toPixels"}


def test_the_previews_context_has_what_the_tag_modules_use():
    """The preview mounts the player's own tag modules with a context of its own: a ctx member a
    module uses that it lacks breaks the preview of every config with that tag."""
    root = Path(__file__).resolve().parent.parent
    used = set()
    for module in (root / "plugins" / "tags").glob("*.js"):
        used |= set(re.findall(r"\bctx\.(\w+)", module.read_text()))
    preview = (root / "host" / "static" / "pages" / "preview.js").read_text()
    missing = {name for name in used - NOT_IN_PREVIEW
               if not re.search(rf"(?<![\w.]){name}\s*[:(,]|get {name}\(", preview)}
    assert not missing, f"host/static/pages/preview.js's context lacks {sorted(missing)}"
