"""The player's chrome (issue 16) in real Chromium: the play button keeps its width, every
transport button names its hotkey (a remapped one too) on hover and in `?`, the save state is a
badge in the control bar, and the demo's one-time login opens the player on the demo task."""

from urllib.parse import urlsplit

import pytest

from browser_support import SHAPES_CONFIG, draw, fresh_task, go, open_task, settle, wait_ready, wait_regions
from server_process import Client, Server, wait_indexed
from tracklabel.host import create_app, db
from tracklabel.host.auth import create_token
from tracklabel.host.demo import prepare_demo
from tracklabel.host.store import users as user_store

# The transport bar's buttons, each with its hotkey.
TRANSPORT = ("first", "hop-back", "prev-key", "step-back", "play", "step-forward", "next-key", "hop-forward",
             "last", "toggle-keyframe", "toggle-interpolation", "track-backward", "track-forward", "save")

# The boxes of the play button and of everything after it in its bar.
FROM_PLAY = """() => {
  const play = document.querySelector('button[data-action=play]'), all = [...play.parentElement.children];
  return all.slice(all.indexOf(play)).map(e => {
    const r = e.getBoundingClientRect();
    return [e.dataset.action || e.className || e.tagName, r.x, r.y, r.width, r.height];
  });
}"""


def test_playing_moves_no_control(page, server):
    open_task(page, server, fresh_task(server))
    paused = page.evaluate(FROM_PLAY)
    page.click("button[data-action=play]")
    # measured as soon as the button shows pause (the clip may end and pause it again later)
    playing = page.wait_for_function(f"document.querySelector('button[data-action=play]').textContent === '❚❚' "
                                     f"&& ({FROM_PLAY})()").json_value()
    assert playing == paused


def title_combo(page, name):
    return page.evaluate(f"[document.querySelector('button[data-action={name}]').title, "
                         f"tracklabel.player.hotkeys.actions.get('{name}')?.combo]")


def test_transport_buttons_show_their_hotkeys_on_hover_and_in_help(page, server):
    open_task(page, server, fresh_task(server))
    for name in TRANSPORT:
        title, combo = title_combo(page, name)
        assert combo and title.endswith(f"({combo})"), (name, title, combo)
    page.keyboard.press("?")
    page.wait_for_selector("dialog.hotkeys[open]")
    for name in TRANSPORT:
        assert page.input_value(f"dialog.hotkeys input[data-action={name}]") == title_combo(page, name)[1]
    assert page.inner_text("dialog.hotkeys th").strip() == "Video"  # the transport comes first, under a heading
    page.locator("dialog.hotkeys input[data-action=last]").click()
    page.keyboard.press("Alt+e")  # remapped: the title follows
    assert title_combo(page, "last") == ["last frame (alt+e)", "alt+e"]
    page.click("dialog.hotkeys button")
    page.locator(".stage .overlay").hover()
    page.keyboard.press("Alt+e")
    assert settle(page, 90) == 90
    page.keyboard.press("Home")  # the first frame's key
    assert settle(page, 1) == 1


BADGE = ".save-state"


def badge(page, state: str) -> str:
    """Wait for the save badge in `state`; its text."""
    page.wait_for_selector(f"{BADGE}[data-state={state}]")
    return page.inner_text(BADGE)


def test_the_save_state_is_a_badge_in_the_control_bar(page, server):
    task = fresh_task(server)
    open_task(page, server, task)
    assert badge(page, "new") == "Not submitted"
    assert page.locator(f".controls {BADGE}").count() == 1  # beside Submit, not under the timeline
    draw(page, 100, 100, 200, 200)
    wait_regions(page, 1)
    assert badge(page, "unsaved") == "Unsaved changes"
    page.click("button[data-action=save]")
    assert badge(page, "saved") == "Saved"
    go(page, 10)
    draw(page, 120, 120, 140, 130)  # an edit: unsaved again
    page.wait_for_function("tracklabel.regions()[0].value.sequence.length === 2")
    assert badge(page, "unsaved") == "Unsaved changes"
    page.locator(".stage .overlay").hover()
    page.keyboard.press("Control+Enter")
    assert badge(page, "saved") == "Saved"
    # someone else saves meanwhile: the next save fails with a 409, said in red in the badge
    (annotation,) = server.call("GET", f"/api/tasks/{task}/annotations")
    server.call("PUT", f"/api/annotations/{annotation['id']}", {"result": [], "version": annotation["version"]})
    go(page, 20)
    draw(page, 130, 125, 150, 135)
    page.wait_for_function("tracklabel.regions()[0].value.sequence.length === 3")
    page.click("button[data-action=save]")
    assert badge(page, "failed") == "Not saved"
    assert page.get_attribute(BADGE, "title") == f"Not saved: version {annotation['version'] + 1} is on the host"
    assert page.evaluate(f"getComputedStyle(document.querySelector('{BADGE}')).color") == "rgb(255, 119, 119)"
    page.click("dialog.conflict button:has-text('Reload theirs')")
    assert badge(page, "saved") == "Saved"
    page.wait_for_function("tracklabel.regions().length === 0")
    draw(page, 100, 100, 200, 200)  # the failure stays until the next change; after it, unsaved
    wait_regions(page, 1)
    assert badge(page, "unsaved") == "Unsaved changes"


# Where the bars under the video are: the view bar's height, the transport's and the timeline's top.
BARS = """() => [document.querySelector('.view-controls').getBoundingClientRect().height,
                 document.querySelector('.view-controls + .controls').getBoundingClientRect().y,
                 document.querySelector('.timeline-canvas').getBoundingClientRect().y]"""


# The badge's box, and whether its text is cut.
BADGE_BOX = f"""() => {{
  const badge = document.querySelector('{BADGE}'), r = badge.getBoundingClientRect();
  return [r.x, r.y, r.width, r.height, badge.scrollWidth > badge.clientWidth];
}}"""


def test_a_failed_save_moves_no_bar(page, server):
    task = fresh_task(server, SHAPES_CONFIG)  # three tool buttons leave the badge little room
    stored = server.call("POST", f"/api/tasks/{task}/annotations", {"result": []})
    open_task(page, server, task)
    assert page.locator(".view-controls button[data-action=tool]").count() == 3
    assert badge(page, "saved") == "Saved"
    bars, box = page.evaluate(BARS), page.evaluate(BADGE_BOX)
    assert not box[-1]
    # someone else saves meanwhile: Update fails with a 409
    server.call("PUT", f"/api/annotations/{stored['id']}", {"result": [], "version": stored["version"]})
    page.click("button[data-action=save]")
    badge(page, "failed")
    assert page.evaluate(BARS) == bars
    assert page.evaluate(BADGE_BOX) == box
    reason = f"Not saved: version {stored['version'] + 1} is on the host"
    assert page.inner_text(BADGE) == "Not saved"  # a short word in the bar; the reason in its title
    assert page.get_attribute(BADGE, "title") == reason
    assert page.inner_text(".status") == reason  # and over the video
    page.click("dialog.conflict button:has-text('Reload theirs')")
    assert badge(page, "saved") == "Saved"
    draw(page, 100, 100, 200, 200)  # the longest word: the same slot, whole
    assert badge(page, "unsaved") == "Unsaved changes"
    assert page.evaluate(BARS) == bars
    assert page.evaluate(BADGE_BOX) == box


# Hold the answer to the next save (the host has stored it) until `releaseSave()`.
HOLD_NEXT_SAVE = """() => {
  const real = window.fetch, held = [];
  window.holding = () => held.length;
  window.releaseSave = () => held.splice(0).forEach(release => release());
  let hold = true;
  window.fetch = async (url, init) => {
    const response = await real(url, init);
    if (!hold || !/\\/annotations(\\/\\d+)?$/.test(url) || !["POST", "PUT"].includes(init?.method)) return response;
    hold = false;
    await new Promise(resolve => held.push(resolve));
    return response;
  };
}"""


def save_twice(page, regions):
    """Save, and while its answer is held draw a box and save again; wait until both are done."""
    page.evaluate(HOLD_NEXT_SAVE)
    page.click("button[data-action=save]")
    page.wait_for_function("window.holding() === 1")
    draw(page, 60 + 30 * regions, 60, 80 + 30 * regions, 80)
    wait_regions(page, regions + 1)
    page.click("button[data-action=save]")
    page.evaluate("window.releaseSave()")
    page.wait_for_selector(f"{BADGE}:not([data-state=saving])")


def test_a_save_asked_for_while_one_is_under_way_waits_for_it(page, server):
    task = fresh_task(server)
    open_task(page, server, task)
    draw(page, 20, 20, 40, 40)
    wait_regions(page, 1)
    save_twice(page, 1)  # Submit twice: one annotation, then an Update of it
    assert badge(page, "saved") == "Saved"
    (annotation,) = server.call("GET", f"/api/tasks/{task}/annotations")
    assert len(annotation["result"]) == 2
    save_twice(page, 2)  # Update twice: the second sends the version the first stored, no conflict
    assert badge(page, "saved") == "Saved"
    assert page.locator("dialog.conflict").count() == 0
    (annotation,) = server.call("GET", f"/api/tasks/{task}/annotations")
    assert len(annotation["result"]) == 3
    assert page.evaluate("tracklabel.player.store.annotation.version") == annotation["version"]
    # someone else saves meanwhile: the first fails, and the one asked for after it is not sent
    server.call("PUT", f"/api/annotations/{annotation['id']}", {"result": [], "version": annotation["version"]})
    save_twice(page, 3)
    assert badge(page, "failed") == "Not saved"
    assert page.locator("dialog.conflict").count() == 1  # one question, not one per save
    assert server.call("GET", f"/api/tasks/{task}/annotations")[0]["result"] == []


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's data as `tracklabel serve --demo` makes it (project, clip, admin, the login
    link it prints), served by a real `tracklabel serve`, with the demo clip indexed."""
    data = tmp_path_factory.mktemp("demo") / "data"
    app = create_app({"DATA_DIR": str(data), "WORKERS": 0})  # the server runs the index job
    with app.app_context():
        link = prepare_demo()
        with db.write() as conn:
            token = create_token(conn, user_store.id_by_name(conn, "admin"))
    app.extensions["tracklabel.engine"].dispose()
    server = Server(data)
    client = Client(server.port, token)
    (project,) = client.request("GET", "/api/projects")[2]
    (task,) = [t["id"] for t in client.request("GET", f"/api/projects/{project['id']}/tasks")[2]]
    wait_indexed(client, task)
    yield server, link, task
    client.close()
    server.stop()


def test_the_demo_login_link_opens_the_player_on_the_demo_task(chromium, demo):
    server, link, task = demo
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(server.url + link)  # signed in by the link alone, no form
        wait_ready(page)
        assert urlsplit(page.url).path == f"/tasks/{task}"
        assert page.evaluate("tracklabel.player.task.id") == task
        # the page's icon is linked and decodes
        href = page.get_attribute("link[rel=icon]", "href")
        assert page.evaluate("async href => { const image = new Image(); image.src = href; await image.decode(); "
                             "return image.naturalWidth > 0; }", href)
    finally:
        context.close()
