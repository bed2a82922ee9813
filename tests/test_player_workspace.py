"""The player's workspace in real Chromium: panels, canvas zoom and filters, hotkeys, undo/redo,
the minimap and timeline zoom, many regions."""

import math

import pytest

from browser_support import draw, fresh_task, go, open_task, wait_ready, wait_regions


@pytest.fixture
def task_page(page, server):
    task = fresh_task(server)
    open_task(page, server, task)
    page.task = task
    return page


def region_ids(page):
    return page.evaluate("tracklabel.regions().map(r => r.id)")


def test_panels_group_filter_hide_lock_delete(task_page, server):
    page = task_page
    page.click("button[data-label=Man]")
    draw(page, 200, 100, 260, 160)
    wait_regions(page, 1)  # drawn and selected
    page.click("button[data-label=Woman]")  # relabels the selected region, and labels the next
    page.click(".stage .overlay", position={"x": 600, "y": 400}, modifiers=[])  # deselect
    draw(page, 400, 300, 480, 380)
    wait_regions(page, 2)
    first, second = region_ids(page)
    page.check(".group-by-label")
    assert page.locator(".regions .group").all_inner_texts() == ["Woman (2)"]
    page.select_option(".region-filter", "Woman")
    assert page.locator(".regions .region").count() == 2
    page.select_option(".region-filter", "")
    page.click(f".region[data-region='{first}'] button[data-action=hide]")
    assert page.evaluate(f"tracklabel.player.hidden.has('{first}')")
    page.click(f".region[data-region='{first}'] button[data-action=hide]")
    page.click(f".region[data-region='{second}'] button[data-action=lock]")
    before = page.evaluate("tracklabel.regions()[1].value.sequence[0].x")
    draw(page, 440, 340, 520, 380)  # dragging a locked box does nothing (an edit starts on release)
    assert page.evaluate("tracklabel.regions()[1].value.sequence[0].x") == before
    page.click(f".region[data-region='{second}'] button[data-action=lock]")
    page.click(f".region[data-region='{first}'] button[data-action=delete]")
    page.wait_for_function("tracklabel.regions().length === 1")


def test_details_units_keyframes_and_lifespan(task_page):
    page = task_page
    draw(page, 200, 100, 260, 160)
    wait_regions(page, 1)
    page.select_option(".details .units", "pixels")
    width_px = float(page.input_value(".details input[name=width]"))
    width_pct = page.evaluate("tracklabel.regions()[0].value.sequence[0].width")
    assert width_px == pytest.approx(width_pct / 100 * 320, abs=1e-3)  # the clip is 320 px wide
    go(page, 20)
    page.fill(".details input[name=x]", "100")
    page.press(".details input[name=x]", "Tab")
    page.wait_for_function("tracklabel.regions()[0].value.sequence.length === 2")
    assert page.evaluate("tracklabel.regions()[0].value.sequence[1].x") == pytest.approx(100 / 320 * 100)
    page.select_option(".details .units", "percent")
    assert page.locator(".keyframes li").count() == 2
    page.click(".keyframes li[data-frame='1'] button:has-text('frame 1')")
    page.wait_for_function("tracklabel.frame === 1")
    page.uncheck(".keyframes li[data-frame='1'] input.enabled")  # cut the lifespan after frame 1
    page.wait_for_function("tracklabel.boxAt(tracklabel.regions()[0].id, 10) === null")
    page.click(".keyframes li[data-frame='20'] button:has-text('×')")
    page.wait_for_function("tracklabel.regions()[0].value.sequence.length === 1")


def test_panels_collapse_resize_move_and_are_remembered(task_page, server):
    page = task_page
    page.click(".panel-regions summary")
    assert not page.evaluate("document.querySelector('.panel-regions').open")
    handle = page.locator(".resize-handle").bounding_box()
    page.mouse.move(handle["x"] + 2, handle["y"] + 50)
    page.mouse.down()
    page.mouse.move(handle["x"] - 98, handle["y"] + 50, steps=5)
    page.mouse.up()
    assert page.evaluate("tracklabel.player.panels.layout.width") == 400  # 300 + 100 px dragged
    handle = page.locator(".resize-handle").bounding_box()
    page.mouse.move(handle["x"] + 2, handle["y"] + 50)
    page.mouse.down()
    page.mouse.move(50, handle["y"] + 50, steps=5)  # dropped on the left third: the panels move there
    page.mouse.up()
    assert page.evaluate("document.querySelector('.side').dataset.side") == "left"
    page.reload()
    wait_ready(page)
    assert page.evaluate("document.querySelector('.side').dataset.side") == "left"
    assert not page.evaluate("document.querySelector('.panel-regions').open")
    side = page.evaluate("document.querySelector('.side').getBoundingClientRect().left")
    main = page.evaluate("document.querySelector('.main').getBoundingClientRect().left")
    assert side < main


def test_zoom_pan_and_filters(task_page):
    page = task_page
    draw(page, 200, 100, 260, 160)
    wait_regions(page, 1)
    rid = region_ids(page)[0]
    on_screen = f"tracklabel.player.toPixels(tracklabel.boxAt('{rid}', 1))"
    before = page.evaluate(on_screen)
    page.click("button[data-action=zoom-in]")
    after = page.evaluate(on_screen)
    assert after["width"] == pytest.approx(before["width"] * 1.25)
    page.click("button[data-action=zoom-100]")
    assert page.evaluate("tracklabel.player.viewport.rect().width") == pytest.approx(320)
    page.click("button[data-action=zoom-fit]")
    assert page.evaluate(on_screen) == pytest.approx(before)
    stage = page.locator(".stage .overlay").bounding_box()
    point = {"x": before["x"], "y": before["y"]}  # the box's corner stays under the pointer
    page.mouse.move(stage["x"] + point["x"], stage["y"] + point["y"])
    page.keyboard.down("Shift")
    page.mouse.wheel(0, -100)
    page.wait_for_function(f"{on_screen}.width > {before['width'] * 1.1}")
    page.keyboard.up("Shift")
    zoomed = page.evaluate(on_screen)
    assert (zoomed["x"], zoomed["y"]) == pytest.approx((before["x"], before["y"]), abs=0.5)
    page.mouse.move(stage["x"] + 300, stage["y"] + 300)
    page.keyboard.down("Shift")
    page.mouse.down()
    page.mouse.move(stage["x"] + 350, stage["y"] + 320, steps=4)
    page.mouse.up()
    page.keyboard.up("Shift")
    panned = page.evaluate(on_screen)
    assert (panned["x"] - zoomed["x"], panned["y"] - zoomed["y"]) == pytest.approx((50, 20), abs=0.5)
    assert len(region_ids(page)) == 1  # panning drew nothing
    page.fill("input.brightness", "1.5")
    page.dispatch_event("input.brightness", "input")
    assert "brightness(1.5)" in page.evaluate("document.querySelector('.stage video').style.filter")


def test_hotkeys_undo_redo_duplicate_and_help(task_page):
    page = task_page
    page.locator(".stage .overlay").hover()
    page.keyboard.press("1")  # the label's hotkey (Man)
    draw(page, 200, 100, 260, 160)
    wait_regions(page, 1)
    assert page.evaluate("tracklabel.regions()[0].value.labels") == ["Man"]
    page.keyboard.press("Control+d")
    wait_regions(page, 2)
    page.keyboard.press("Control+z")
    wait_regions(page, 1)
    page.keyboard.press("Control+Shift+z")
    wait_regions(page, 2)
    page.keyboard.press("Backspace")
    wait_regions(page, 1)
    page.keyboard.press("Control+z")
    wait_regions(page, 2)
    rid = region_ids(page)[0]
    page.evaluate(f"tracklabel.selectRegion('{rid}')")
    page.keyboard.press("Alt+h")
    assert page.evaluate(f"tracklabel.player.hidden.has('{rid}')")
    page.keyboard.press("Alt+l")
    assert page.evaluate(f"tracklabel.player.locked.has('{rid}')")
    page.keyboard.press("Alt+l")
    go(page, 10)
    page.keyboard.press("Alt+k")
    page.wait_for_function("tracklabel.regions()[0].value.sequence.length === 2")
    page.keyboard.press("Alt+i")
    page.wait_for_function("tracklabel.regions()[0].value.sequence[1].enabled === false")
    for _ in range(2):
        page.keyboard.press("Control+z")
    page.wait_for_function("tracklabel.regions()[0].value.sequence.length === 1")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".status:has-text('Saved')")
    page.keyboard.press("?")
    page.wait_for_selector("dialog.hotkeys[open]")
    assert "one frame forward" in page.inner_text("dialog.hotkeys")
    field = page.locator("dialog.hotkeys input[data-action=step-forward]")
    field.click()
    page.keyboard.press("Alt+n")  # remap "one frame forward" to alt+n
    page.click("dialog.hotkeys button")
    page.locator(".stage .overlay").hover()
    page.keyboard.press("Alt+n")
    page.wait_for_function("tracklabel.frame === 11")
    page.reload()
    wait_ready(page)
    assert page.evaluate("tracklabel.player.hotkeys.actions.get('step-forward').combo") == "alt+n"


def test_minimap_timeline_zoom_and_many_rows(task_page, server):
    page = task_page
    regions = [{"id": f"r{i}", "type": "videorectangle", "from_name": "box", "to_name": "video",
                "value": {"framesCount": 90, "labels": ["Man"], "sequence": [
                    {"frame": 1 + i, "x": 1, "y": 1, "width": 5, "height": 5, "enabled": True},
                    {"frame": 60 + i, "x": 50, "y": 50, "width": 5, "height": 5, "enabled": False}]}}
               for i in range(30)]
    server.call("POST", f"/api/tasks/{page.task}/annotations", {"result": regions})
    open_task(page, server, page.task)
    rows = page.evaluate("document.querySelector('.timeline-canvas').getBoundingClientRect().height")
    assert rows == pytest.approx(18 + 22 * 12)  # 12 rows drawn, not 30
    canvas = page.locator(".timeline-canvas").bounding_box()
    page.mouse.move(canvas["x"] + 100, canvas["y"] + 100)
    page.mouse.wheel(0, 100)
    page.wait_for_function("tracklabel.player.timeline.top === 1")
    page.click("button[data-action=timeline-zoom-in]")
    assert page.evaluate("tracklabel.player.timeline.span") == 72
    minimap = page.locator(".minimap").bounding_box()
    page.mouse.click(minimap["x"] + minimap["width"] * 0.9, minimap["y"] + 10)
    start = page.evaluate("tracklabel.player.timeline.start")
    assert start == 90 - 72 + 1  # panned to the end
    page.mouse.click(canvas["x"] + 5, canvas["y"] + 5)  # a click on the timeline scrubs there
    page.wait_for_function(f"tracklabel.frame === {start}")


def test_play_pause_and_collapse_the_timeline(task_page):
    page = task_page
    page.locator(".stage .overlay").hover()
    page.keyboard.press("Alt+Space")
    page.wait_for_function("!document.querySelector('.stage video').paused")
    page.wait_for_function("tracklabel.frame > 5")  # it plays, and the readout follows
    page.click("button[data-action=play]")
    page.wait_for_function("document.querySelector('.stage video').paused")
    frame, readout = page.evaluate("[tracklabel.frame, document.querySelector('.frame-input').value]")
    assert readout == str(frame)
    page.click("button[data-action=collapse-timeline]")
    assert page.evaluate("document.querySelector('.timeline').hidden")
    page.click("button[data-action=collapse-timeline]")
    assert not page.evaluate("document.querySelector('.timeline').hidden")


def test_resize_by_a_corner_and_rotate_by_the_handle(task_page):
    page = task_page
    draw(page, 300, 200, 400, 260)
    wait_regions(page, 1)
    rid = region_ids(page)[0]
    on_screen = f"tracklabel.player.toPixels(tracklabel.boxAt('{rid}', 1))"
    box = page.evaluate(on_screen)
    draw(page, box["x"] + box["width"], box["y"] + box["height"],
         box["x"] + box["width"] + 40, box["y"] + box["height"] + 20)  # the bottom-right corner
    page.wait_for_function(f"Math.abs({on_screen}.width - {box['width'] + 40}) < 1")
    resized = page.evaluate(on_screen)
    assert (resized["x"], resized["y"], resized["height"]) == pytest.approx(
        (box["x"], box["y"], box["height"] + 20), abs=1)
    centre = (resized["x"] + resized["width"] / 2, resized["y"] + resized["height"] / 2)
    handle = (centre[0], resized["y"] - 22)  # the handle above the top edge
    draw(page, handle[0], handle[1], centre[0] + 200, centre[1])  # drag it to the right: 90°
    page.wait_for_function(f"Math.abs({on_screen}.rotation - 90) < 1")
    turned = page.evaluate(on_screen)
    # turned about its centre on screen; stored as the rotated top-left corner and the angle
    rad = math.radians(turned["rotation"])
    cx = turned["x"] + (turned["width"] * math.cos(rad) - turned["height"] * math.sin(rad)) / 2
    cy = turned["y"] + (turned["width"] * math.sin(rad) + turned["height"] * math.cos(rad)) / 2
    assert (cx, cy) == pytest.approx(centre, abs=1)
    stored = page.evaluate("tracklabel.regions()[0].value.sequence[0].rotation")
    assert stored == pytest.approx(90, abs=1)
