"""The labeling queue in real Chromium: an annotator labels a project's tasks one after another
with Submit and next until no task is left, a second annotator gets the task the first does not
hold, Skip, the previous and next task, the queue's keys listed by `?`, and the nav bar of the
pages on the label page and on a task's page."""

import os

import pytest

from browser_support import CONFIG, draw, screenshot, wait_regions



@pytest.fixture
def project(server):
    """A project with two video tasks."""
    project = server.call("POST", "/api/projects", {"title": "Queue", "label_config": CONFIG})["id"]
    return project, [server.video_task(project, name) for name in ("stamped.mp4", "stamped.webm")]


@pytest.fixture
def annotator(chromium, server):
    """A second user, an annotator, signed in on a page of their own."""
    made = server.call("POST", "/api/users", {"name": f"ann{os.urandom(3).hex()}", "role": "annotator"})
    context = chromium.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.signin = (made["user"]["name"], made["password"])
    yield page
    context.close()
    assert not errors, errors


def open_queue(page, server, project, task=None, signin=None):
    """Open the project's queue (a task of it with `task`), signing in when asked."""
    page.goto(f"{server.url}/projects/{project}/label" + (f"?task={task}" if task else ""))
    if signin:
        page.fill("input[name=name]", signin[0])
        page.fill("input[name=password]", signin[1])
        page.click("form.login button")


def on_task(page, task):
    """Wait for the player on `task` in the queue; its position text."""
    page.wait_for_function(f"window.tracklabel && tracklabel.player.task.id === {task} && window.__ready !== undefined",
                           timeout=30000)
    page.wait_for_selector(".queue-position")
    return page.inner_text(".queue-position")


def test_label_two_tasks_with_submit_and_next(page, server, project):
    project, (first, second) = project
    page.set_viewport_size({"width": 1440, "height": 900})
    open_queue(page, server, project)
    assert on_task(page, first) == "task 1 of 2 · 2 left"
    draw(page, 300, 200, 420, 300)
    wait_regions(page, 1)
    screenshot(page, "label.png")
    page.click("button[data-action=submit-next]")
    assert on_task(page, second) == "task 2 of 2 · 1 left"
    draw(page, 120, 100, 220, 180)
    wait_regions(page, 1)
    page.locator(".stage .overlay").hover()
    page.keyboard.press("Control+Shift+Enter")  # Submit and next by its key
    page.wait_for_selector(".queue-done:has-text('No more tasks')")
    for task in (first, second):
        (annotation,) = server.call("GET", f"/api/tasks/{task}/annotations")
        assert len(annotation["result"]) == 1
    open_queue(page, server, project, task=first)  # back to a labelled task: it is the saved one
    on_task(page, first)
    wait_regions(page, 1)
    assert page.inner_text("button[data-action=save]") == "Update"


def test_a_second_annotator_gets_the_other_task_and_skips(page, annotator, server, project):
    project, (first, second) = project
    open_queue(page, server, project)
    assert on_task(page, first) == "task 1 of 2 · 2 left"  # the admin holds the first task
    open_queue(annotator, server, project, signin=annotator.signin)
    on_task(annotator, second)
    annotator.locator(".stage .overlay").hover()
    annotator.keyboard.press("Control+Shift+S")  # Skip by its key: the first is held, none is left
    annotator.wait_for_selector(".queue-done:has-text('No more tasks')")
    draw(page, 100, 100, 200, 180)
    wait_regions(page, 1)
    page.click("button[data-action=submit-next]")  # the first is labelled and released
    assert on_task(page, second) == "task 2 of 2 · 1 left"
    open_queue(annotator, server, project)
    assert on_task(annotator, first) == "task 1 of 2 · 1 left"  # the skipped one is not offered again
    annotator.click("button[data-action=skip]")
    annotator.wait_for_selector(".queue-done:has-text('No more tasks')")
    assert server.call("GET", f"/api/tasks/{second}/annotations") == []


def test_previous_and_next_task_and_the_keys_listed(page, server, project):
    project, (first, second) = project
    open_queue(page, server, project)
    on_task(page, first)
    assert page.is_disabled("button[data-action=prev-task]")
    page.click("button[data-action=next-task]")
    assert on_task(page, second) == "task 2 of 2 · 2 left"
    assert page.is_disabled("button[data-action=next-task]")
    page.locator(".stage .overlay").hover()
    page.keyboard.press("Alt+PageUp")  # the previous task by its key
    on_task(page, first)
    page.keyboard.press("?")
    page.wait_for_selector("dialog.hotkeys[open]")
    for name, combo in (("submit-next", "ctrl+shift+enter"), ("skip", "ctrl+shift+s"),
                        ("prev-task", "alt+pageup"), ("next-task", "alt+pagedown")):
        assert page.input_value(f"dialog.hotkeys input[data-action={name}]") == combo
        assert page.get_attribute(f"button[data-action={name}]", "title").endswith(f"({combo})")


def test_another_annotator_s_task_opened_by_hand_says_so(page, annotator, server, project):
    project, (first, _) = project
    open_queue(page, server, project)
    on_task(page, first)
    open_queue(annotator, server, project, task=first, signin=annotator.signin)
    on_task(annotator, first)
    annotator.wait_for_selector(".status.error:has-text('Another annotator has this task open')")
    assert annotator.inner_text(".queue-position") == f"task {first}"


def test_the_label_page_has_the_nav_of_the_pages(page, annotator, server, project):
    project, (first, _) = project
    open_queue(annotator, server, project, signin=annotator.signin)
    on_task(annotator, first)
    nav = annotator.locator("header.nav")
    assert nav.locator("a").all_inner_texts() == ["tracklabel", "Projects", "Tasks", "Import", "Export", "Label"]
    assert nav.locator("a.current").inner_text() == "Label"
    assert nav.locator("a", has_text="Tasks").get_attribute("href") == f"/projects/{project}"
    assert nav.locator(".where").inner_text() == f"Queue · task {first}"
    assert nav.locator(".user").inner_text() == f"{annotator.signin[0]} (annotator)"
    annotator.keyboard.press("?")  # the player's keys, then the nav's
    help = annotator.wait_for_selector("dialog.hotkeys[open]")
    assert help.query_selector("input[data-action=submit-next]")
    listed = dict(row.split("\t") for row in annotator.locator("dialog.hotkeys table.keys tr").all_inner_texts())
    assert listed["g t"] == "go to Tasks" and listed["g p"] == "go to Projects" and "g s" not in listed
    annotator.click("dialog.hotkeys button:has-text('Close')")
    annotator.locator(".stage .overlay").hover()
    annotator.keyboard.press("g")  # the project's tasks by their key; the page left releases the lock
    annotator.keyboard.press("t")  # (by a keepalive request, which playwright does not report)
    annotator.wait_for_url(f"**/projects/{project}")
    annotator.wait_for_selector("body[data-ready=true]")
    assert annotator.locator("header.nav a.current").inner_text() == "Tasks"
    open_queue(page, server, project)  # the annotator's lock ended when they left: the admin gets the first task
    assert on_task(page, first) == "task 1 of 2 · 2 left"


def test_a_task_s_page_has_the_nav_of_its_project(page, server, project):
    project, (first, _) = project
    page.goto(f"{server.url}/tasks/{first}")
    page.wait_for_function(f"window.tracklabel && tracklabel.player.task.id === {first}", timeout=30000)
    nav = page.locator("header.nav")
    assert nav.locator("a").all_inner_texts() == ["tracklabel", "Projects", "Tasks", "Import", "Export", "Label",
                                                  "Settings", "Members"]
    assert nav.locator("a.current").count() == 0
    assert nav.locator("a", has_text="Settings").get_attribute("href") == f"/projects/{project}/settings"
    nav.locator("button.help").click()
    page.wait_for_selector("dialog.hotkeys[open] table.keys td:has-text('g s')")
    page.click("dialog.hotkeys button:has-text('Close')")
    page.locator(".stage .overlay").hover()
    page.keyboard.press("g")
    page.keyboard.press("l")
    page.wait_for_url(f"**/projects/{project}/label")
    assert on_task(page, first) == "task 1 of 2 · 2 left"
