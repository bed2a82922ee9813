"""The Import and Tasks pages in Chromium against a real `tracklabel serve`: two generated videos
uploaded at once (each with its progress bar; a file that is not a video and a duplicate refused
with their own message), a Label Studio export with predictions (counted as predictions) and a
JSON file that is not tasks (nothing imported); the table watching the videos' indexing finish
(thumbnails, frames, rate, timing); an upload retried by itself after a lost connection, then by
the Retry key; filter, sort, select (keys, shift-click) and delete, and the selection handed to
Export. Screenshots at 1440x900 go to tests/artifacts/import.png and tasks.png."""

import json
from pathlib import Path

import pytest

import video_factory
from browser_support import CONFIG, PlayerServer, screenshot, signed_in
from server_process import add_user

SLOW = 90000  # ms: indexing on a busy machine


def region(rid, frames=40):
    return {"id": rid, "type": "videorectangle", "from_name": "box", "to_name": "video",
            "value": {"labels": ["Man"], "framesCount": frames, "sequence": [
                {"frame": 1, "x": 10, "y": 10, "width": 20, "height": 20, "rotation": 0, "enabled": True},
                {"frame": 9, "x": 30, "y": 10, "width": 20, "height": 20, "rotation": 0, "enabled": False}]}}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A host, a project, and the files a user would pick: two videos, a text file named .mp4,
    a Label Studio export with predictions, a JSON file that is not tasks, and one not JSON."""
    server = PlayerServer(tmp_path_factory.mktemp("tasks-pages"))
    files = tmp_path_factory.mktemp("picked")
    server.files = {
        "street.mp4": video_factory.encode(files / "street.mp4", frames=40, size=(320, 240)),
        "market.mp4": video_factory.variable_rate(files / "market.mp4", frames=30),
        "notes.mp4": files / "notes.mp4",
        "export.json": files / "export.json",
        "people.json": files / "people.json",
        "broken.json": files / "broken.json",
    }
    server.files["notes.mp4"].write_text("meeting notes, not a video\n" * 50)
    export = [{"id": 501, "data": {"video": "https://example.com/a.mp4"},
               "predictions": [{"model_version": "m1", "result": [region("p1")]},
                               {"model_version": "m2", "result": [region("p2")]}]},
              {"id": 502, "data": {"video": "https://example.com/b.mp4"},
               "annotations": [{"id": 9, "result": [region("a1")]}],
               "predictions": [{"model_version": "m1", "result": [region("p3")]}]}]
    server.files["export.json"].write_text(json.dumps(export))
    server.files["people.json"].write_text(json.dumps({"people": ["ann", "bob"]}))
    server.files["broken.json"].write_text('[{"data": ')
    server.project = server.call("POST", "/api/projects", {"title": "Street", "label_config": CONFIG})["id"]
    yield server
    server.stop()


def wait_rows(page, count):
    page.wait_for_function(f"document.querySelectorAll('table.tasks tbody tr').length === {count}")


def loaded(page, filter="all", sort="id", page_number=1):
    """Wait for the list of that filter, sort (its column, "-" before it for descending) and page."""
    page.wait_for_selector(f".tasks-page[data-loaded='{filter} {sort} {page_number}']")


def column(page, name):
    return page.locator(f"table.tasks tbody td.{name}").all_inner_texts()


def test_upload_two_videos_import_an_export_and_watch_the_indexing(chromium, site):
    page = signed_in(chromium, site.url, f"/projects/{site.project}/import")
    files = site.files
    page.set_input_files("input.videos", [str(files["street.mp4"]), str(files["market.mp4"]), str(files["notes.mp4"])])
    page.wait_for_selector("li.video[data-state=failed]")
    page.wait_for_function("document.querySelectorAll('li.video[data-state=done]').length === 2", timeout=SLOW)
    failed = page.locator("li.video[data-state=failed] .message").inner_text()
    assert failed.startswith("notes.mp4: ") and "not a video" in failed
    assert page.locator("li.video[data-state=failed] button.retry").is_hidden()  # refused, not lost
    assert page.locator("li.video[data-state=done] progress").evaluate_all("bars => bars.map(b => b.value)") == [1, 1]

    page.set_input_files("input.videos", [str(files["street.mp4"])])  # again: a duplicate
    page.wait_for_function("document.querySelectorAll('li.video[data-state=failed]').length === 2")
    duplicate = page.locator("li.video[data-state=failed] .message").nth(1).inner_text()
    assert duplicate.startswith("street.mp4: ") and "already task" in duplicate

    page.evaluate("""document.querySelector('input.json').addEventListener('click', event => {
      window.picking = true;
      event.preventDefault();  // no native dialog: the files are set below
    })""")
    page.keyboard.press("j")  # the JSON files' picker
    page.wait_for_function("window.picking === true")
    page.set_input_files("input.json", [str(files["export.json"]), str(files["people.json"]), str(files["broken.json"])])
    page.wait_for_function("document.querySelectorAll('li.json:not([data-state=importing])').length === 3")
    done = page.locator("li.json[data-state=done]")
    assert done.get_attribute("data-predictions") == "3"
    assert "2 tasks imported, with 1 annotation and 3 predictions" in done.inner_text()
    assert done.locator("table.predictions td.count").all_inner_texts() == ["2 predictions", "1 prediction"]
    refusals = page.locator("li.json[data-state=failed] .message").all_inner_texts()
    assert refusals[0].startswith("people.json: ") and refusals[0].endswith("nothing was imported from it")
    assert refusals[1].startswith("broken.json: not JSON")
    screenshot(page, "import.png")

    page.keyboard.press("g")
    page.keyboard.press("t")  # to Tasks
    page.wait_for_selector(".tasks-page[data-loaded]")
    wait_rows(page, 4)
    # the two videos' indexing finishes in the table (it polls while a job runs)
    page.wait_for_function("document.querySelectorAll('table.tasks tr.indexed').length === 2", timeout=SLOW)
    page.wait_for_function("[...document.querySelectorAll('table.tasks img.thumb')]"
                           ".every(img => img.complete && img.naturalWidth === 192)", timeout=SLOW)
    names = page.locator("table.tasks td.name a").all_inner_texts()  # the uploads ran side by side
    assert sorted(names[:2]) == ["market.mp4", "street.mp4"] and names[2:] == ["a.mp4", "b.mp4"]
    facts = {name: [column(page, c)[i] for c in ("frames", "timing", "fps", "duration", "jobs")]
             for i, name in enumerate(names)}
    assert facts["street.mp4"] == ["40", "constant", "25 fps", "0:01.6", "indexed"]
    assert facts["market.mp4"][:2] == ["30", "variable"]
    warned = page.locator("table.tasks tr.warned")  # the config's frameRate is not the variable rate's
    assert warned.count() == 1 and warned.locator("td.name a").inner_text() == "market.mp4"
    assert "frameRate=25" in warned.locator(".warning").get_attribute("title")
    assert column(page, "predictions") == ["", "", "2", "1"]
    assert column(page, "annotations") == ["0", "0", "0", "1"] and column(page, "authors")[3] == "imported"
    screenshot(page, "tasks.png")
    assert not page.errors, page.errors
    page.context.close()


def test_an_upload_is_retried_by_itself_then_by_the_retry_key(chromium, site):
    page = signed_in(chromium, site.url, f"/projects/{site.project}/import")
    clip = video_factory.encode(Path(site.files["street.mp4"]).parent / "bridge.mp4", frames=20)
    lost = {"count": 0, "limit": 1}

    def flaky(route):
        if route.request.method == "POST" and lost["count"] < lost["limit"]:
            lost["count"] += 1
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/projects/*/tasks", flaky)
    page.evaluate("""document.querySelector('input.videos').addEventListener('click', event => {
      window.picking = true;
      event.preventDefault();  // no native dialog: the files are set below
    })""")
    page.keyboard.press("u")  # the videos' picker
    page.wait_for_function("window.picking === true")
    page.set_input_files("input.videos", [str(clip)])
    page.wait_for_selector("li.video[data-state=done]", timeout=SLOW)
    assert lost["count"] == 1 and "after 1 retry" in page.locator("li.video[data-state=done]").inner_text()

    other = video_factory.encode(clip.parent / "tunnel.mp4", frames=21)
    lost.update(count=0, limit=3)  # the first try and both automatic ones are lost
    page.set_input_files("input.videos", [str(other)])
    page.wait_for_selector("li.video[data-state=failed]", timeout=SLOW)
    message = page.locator("li.video[data-state=failed] .message").inner_text()
    assert message == "tunnel.mp4: the connection was lost (tried 3 times)" and lost["count"] == 3
    assert page.locator("li.video[data-state=failed] button.retry").is_visible()
    page.keyboard.press("r")  # the connection is back
    page.wait_for_function("document.querySelectorAll('li.video[data-state=done]').length === 2", timeout=SLOW)

    video_factory.encode(site.media / "river.mp4", frames=22)
    page.keyboard.press("t")  # the paths box
    page.keyboard.type("river.mp4\n../../etc/passwd\n\nriver.mp4")
    page.keyboard.press("Control+Enter")
    page.wait_for_function("document.querySelectorAll('li.path[data-state]').length === 3", timeout=SLOW)
    messages = page.locator("li.path .message").all_inner_texts()
    assert messages[0].startswith("→ task ")
    assert messages[1] == "'../../etc/passwd' is outside the media roots"
    assert messages[2].startswith("river.mp4: the same video is already task ")
    assert not page.errors, page.errors
    page.context.close()


def test_an_annotator_gets_the_hosts_refusals(chromium, site):
    add_user(site.process.data, "maria", "annotator", "maria-password")
    page = signed_in(chromium, site.url, f"/projects/{site.project}/import", "maria", "maria-password")
    assert "needs an admin" in page.locator(".status").inner_text()
    page.set_input_files("input.videos", [str(site.files["notes.mp4"])])
    page.wait_for_selector("li.video[data-state=failed]")
    assert page.locator("li.video .message").inner_text().startswith("notes.mp4: not allowed for your role")
    page.goto(f"{site.url}/projects/{site.project}")
    page.wait_for_selector(".tasks-page[data-loaded]")
    assert page.locator("button.delete").is_hidden()
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("Shift+D")
    page.locator("dialog.confirm button[value=yes]").click()
    page.wait_for_function("document.querySelector('.status').textContent.startsWith('not allowed for your role')")
    assert site.call("GET", f"/api/projects/{site.project}/task-list")["total"] >= 4  # nothing deleted
    assert not page.errors, page.errors
    page.context.close()


def test_filter_sort_select_delete_and_export_the_selection(chromium, site):
    project = site.call("POST", "/api/projects", {"title": "Sorting", "label_config": CONFIG})["id"]
    tasks = site.call("POST", f"/api/projects/{project}/tasks",
                      [{"data": {"video": f"https://example.com/v{i}.mp4"}} for i in range(6)])["tasks"]
    for task, count in ((tasks[1], 1), (tasks[3], 2), (tasks[4], 1)):
        for n in range(count):
            site.call("POST", f"/api/tasks/{task}/annotations", {"result": [region(f"r{n}")]})
    page = signed_in(chromium, site.url, f"/projects/{project}")
    wait_rows(page, 6)
    assert column(page, "id") == [str(t) for t in tasks]

    page.keyboard.press("2")  # not annotated
    loaded(page, "not_annotated")
    assert column(page, "id") == [str(t) for t in (tasks[0], tasks[2], tasks[5])]
    assert "filter=not_annotated" in page.url
    page.keyboard.press("3")  # mine
    loaded(page, "mine")
    assert column(page, "authors") == ["admin", "admin (2)", "admin"]
    page.keyboard.press("1")
    loaded(page)
    page.keyboard.press("s")  # by last update
    page.keyboard.press("s")  # by annotations
    page.wait_for_function("new URLSearchParams(location.search).get('sort') === 'annotations'")
    page.keyboard.press("r")  # descending
    page.wait_for_function("new URLSearchParams(location.search).get('sort') === '-annotations'")
    page.wait_for_function(f"document.querySelector('table.tasks tbody td.id').textContent === '{tasks[3]}'")
    assert column(page, "annotations") == ["2", "1", "1", "0", "0", "0"]
    page.select_option("select.sort", "id")
    page.wait_for_function("new URLSearchParams(location.search).get('sort') === '-id'")
    page.keyboard.press("r")  # back to ascending ids, for the selection below
    page.wait_for_function(f"document.querySelector('table.tasks tbody td.id').textContent === '{tasks[0]}'")

    page.keyboard.press("j")
    page.keyboard.press("x")  # the first task
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("Shift+X")  # ... to the third
    assert page.locator(".selection").inner_text() == "3 selected (esc clears)"
    boxes = page.locator("table.tasks input.pick")
    boxes.nth(4).click()
    boxes.nth(5).click(modifiers=["Shift"])  # the fifth to the sixth
    picked = page.locator("table.tasks tr.picked td.id").all_inner_texts()
    assert picked == [str(t) for t in tasks[:3] + tasks[4:]]
    boxes.nth(4).click()  # off again: now the anchor
    boxes.nth(2).click(modifiers=["Shift"])  # the third to the fifth, as the anchor is: off
    picked = page.locator("table.tasks tr.picked td.id").all_inner_texts()
    assert picked == [str(t) for t in tasks[:2] + tasks[5:]]
    page.keyboard.press("Escape")
    assert page.locator("table.tasks tr.picked").count() == 0

    page.keyboard.press("j")  # from the third row (the last one clicked) to the fourth
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("Shift+D")
    dialog = page.locator("dialog.confirm")
    assert "Delete 2 tasks" in dialog.inner_text()
    dialog.locator("button[value=yes]").click()
    wait_rows(page, 4)
    assert column(page, "id") == [str(t) for t in (tasks[0], tasks[1], tasks[2], tasks[5])]
    assert page.locator(".status").inner_text() == "deleted 2 tasks"
    listed = site.call("GET", f"/api/projects/{project}/task-list")
    assert listed["total"] == 4

    page.locator("select.per-page").select_option("25")
    page.keyboard.press("a")  # all on the page
    assert page.locator(".selection").inner_text() == "4 selected (esc clears)"
    page.keyboard.press("e")
    page.wait_for_url(f"**/projects/{project}/export?tasks={tasks[0]},{tasks[1]},{tasks[2]},{tasks[5]}")
    assert not page.errors, page.errors
    page.context.close()


def test_pages_of_tasks(chromium, site):
    project = site.call("POST", "/api/projects", {"title": "Paged", "label_config": CONFIG})["id"]
    tasks = site.call("POST", f"/api/projects/{project}/tasks",
                      [{"data": {"video": f"https://example.com/p{i}.mp4"}} for i in range(5)])["tasks"]
    page = signed_in(chromium, site.url, f"/projects/{project}?per_page=2")
    wait_rows(page, 2)
    assert page.locator(".page-of").inner_text() == "page 1 of 3 · 5 tasks"
    page.keyboard.press("n")
    page.wait_for_function(f"document.querySelector('table.tasks tbody td.id').textContent === '{tasks[2]}'")
    page.keyboard.press("n")
    wait_rows(page, 1)
    assert page.locator("button.next").is_disabled()
    page.reload()  # the page is in the address
    page.wait_for_selector("body[data-ready=true]")
    wait_rows(page, 1)
    assert column(page, "id") == [str(tasks[4])]
    page.keyboard.press("p")
    wait_rows(page, 2)
    assert not page.errors, page.errors
    page.context.close()


# Holds the answers to task-list questions sorted by last update inside the page until
# window.releaseHeld() (then window.heldDone once the page has handled them).
HOLD_UPDATED = """() => {
  const real = window.fetch, held = [];
  window.heldDone = false;
  window.releaseHeld = () => held.splice(0).forEach(release => release());
  window.fetch = async (url, init) => {
    const response = await real(url, init);
    if (!String(url).includes("sort=updated")) return response;
    await new Promise(resolve => held.push(resolve));
    setTimeout(() => { window.heldDone = true; }, 0);  // after the page's code awaiting it has run
    return response;
  };
}"""


def test_a_late_answer_to_an_earlier_sort_does_not_replace_the_list(chromium, site):
    project = site.call("POST", "/api/projects", {"title": "Late", "label_config": CONFIG})["id"]
    tasks = site.call("POST", f"/api/projects/{project}/tasks",
                      [{"data": {"video": f"https://example.com/late{i}.mp4"}} for i in range(3)])["tasks"]
    for n in range(2):
        site.call("POST", f"/api/tasks/{tasks[0]}/annotations", {"result": [region(f"r{n}")]})
    site.call("POST", f"/api/tasks/{tasks[2]}/annotations", {"result": [region("r")]})
    page = signed_in(chromium, site.url, f"/projects/{project}")
    wait_rows(page, 3)
    page.evaluate(HOLD_UPDATED)
    page.keyboard.press("s")  # by last update: its answer is held
    page.keyboard.press("s")  # by annotations
    page.keyboard.press("r")  # descending
    loaded(page, sort="-annotations")
    assert column(page, "id") == [str(t) for t in (tasks[0], tasks[2], tasks[1])]
    page.evaluate("window.releaseHeld()")
    page.wait_for_function("window.heldDone")
    assert column(page, "id") == [str(t) for t in (tasks[0], tasks[2], tasks[1])]
    assert "sort=-annotations" in page.url
