"""<VideoKeyPoint> in the player, in real Chromium against a real `tracklabel serve`: placing a
point by a click, dragging it at another frame and the host's interpolated point between, the
Details fields, locked and hidden points, lifespans, undo/redo, saving and reloading, and
tracking a moving textured object."""

import pytest

import scenes
from browser_support import (click_at, config_fixtures, drag_at, fresh_task, go, on_page, open_task, overlay_alpha,
                             wait_regions)

CONFIG = """<View>
  <Video name="video" value="$video" frameRate="25"/>
  <VideoKeyPoint name="point" toName="video"/>
  <Labels name="labels" toName="video"><Label value="Nose" background="blue"/><Label value="Hand" background="red"/></Labels>
</View>"""

# Whether region ID's point at FRAME (the current one if null) is at (X, Y) within TOLERANCE percent.
POINT_IS = """([id, frame, x, y, tolerance]) => {
  const point = tracklabel.shapeAt(id, frame ?? tracklabel.frame);
  return point !== null && Math.abs(point.x - x) <= tolerance && Math.abs(point.y - y) <= tolerance;
}"""


server, task = config_fixtures("keypoint", CONFIG)


def wait_point(page, rid, x, y, frame=None, tolerance=0.3):
    page.wait_for_function(POINT_IS, arg=[rid, frame, x, y, tolerance])


def point(page, rid, frame=None):
    return page.evaluate("([id, frame]) => tracklabel.shapeAt(id, frame ?? tracklabel.frame)", [rid, frame])


def place(page, x, y) -> str:
    """Click to place a point; the new region's id."""
    count = page.evaluate("tracklabel.regions().length")
    click_at(page, x, y)
    wait_regions(page, count + 1)
    rid = page.evaluate("tracklabel.regions().at(-1).id")
    wait_point(page, rid, x, y)
    return rid


def sequence(page, rid):
    return page.evaluate(f"tracklabel.regions().find(r => r.id === '{rid}').value.sequence")


def test_place_drag_at_another_frame_the_host_point_between_and_details(page, server, task):
    page.click("button[data-label=Nose]")
    rid = place(page, 30, 40)
    (region,) = page.evaluate("tracklabel.regions()")
    assert (region["type"], region["from_name"], region["value"]["labels"]) == ("videokeypoint", "point", ["Nose"])
    (key,) = region["value"]["sequence"]
    assert key["frame"] == 1 and key["enabled"] is True
    assert (key["x"], key["y"]) == (pytest.approx(30, abs=0.3), pytest.approx(40, abs=0.3))
    assert page.evaluate("tracklabel.player.selected") == rid
    assert point(page, rid)["keyframe"] is True and overlay_alpha(page, 30, 40) > 0

    drag_at(page, (70, 70), (80, 75))  # a drag where no point is places none
    assert len(page.evaluate("tracklabel.regions()")) == 1

    go(page, 30)
    drag_at(page, (30, 40), (60, 70))
    wait_point(page, rid, 60, 70)
    first, second = sequence(page, rid)
    assert (first["frame"], second["frame"]) == (1, 30)
    go(page, 15)
    ratio = 14 / 29
    x, y = (first["x"] + (second["x"] - first["x"]) * ratio, first["y"] + (second["y"] - first["y"]) * ratio)
    wait_point(page, rid, x, y, tolerance=1e-6)
    assert point(page, rid)["keyframe"] is False
    assert overlay_alpha(page, x, y) > 0 and overlay_alpha(page, 60, 70) == 0  # drawn where the host has it

    page.fill(".details input[name=x]", "10")  # a keyframe here, at x = 10 %
    page.press(".details input[name=x]", "Tab")
    wait_point(page, rid, 10, y, tolerance=1e-6)
    assert [k["frame"] for k in sequence(page, rid)] == [1, 15, 30]
    page.select_option(".details select.units", "pixels")
    assert float(page.input_value(".details input[name=x]")) == pytest.approx(32)  # 10 % of 320 px

    page.click("button[data-action=save]")
    page.wait_for_selector(".status:has-text('Saved')")
    (annotation,) = server.call("GET", f"/api/tasks/{task}/annotations")
    (track,) = server.call("GET", f"/api/annotations/{annotation['id']}/tracks?from=20&to=20")["regions"]
    shown = point(page, rid, 20)
    assert (track["x"][0], track["y"][0]) == (shown["x"], shown["y"])


def test_locked_and_hidden_points(page, task):
    rid = place(page, 50, 50)
    page.click(f".region[data-region='{rid}'] button[data-action=lock]")
    page.mouse.move(*on_page(page, 50, 50))
    page.mouse.down()
    page.mouse.move(*on_page(page, 70, 60), steps=6)
    assert overlay_alpha(page, 50, 50) > 0 and overlay_alpha(page, 70, 60) == 0  # a locked point is not moved
    page.mouse.up()
    assert len(sequence(page, rid)) == 1 and sequence(page, rid)[0]["x"] == pytest.approx(50, abs=0.3)
    assert len(page.evaluate("tracklabel.regions()")) == 1
    page.click(f".region[data-region='{rid}'] button[data-action=lock]")
    page.click(f".region[data-region='{rid}'] button[data-action=hide]")
    assert overlay_alpha(page, 50, 50) == 0  # not drawn
    other = place(page, 50, 50)  # where the hidden point is: a new one
    assert other != rid


def test_lifespan_undo_redo_submit_and_reload(page, server, task):
    rid = place(page, 20, 20)
    go(page, 40)
    drag_at(page, (20, 20), (60, 20))
    wait_point(page, rid, 60, 20)
    go(page, 20)
    page.click("button[data-action=toggle-interpolation]")  # cut after frame 1
    page.wait_for_function(f"tracklabel.shapeAt('{rid}', 20) === null")
    wait_point(page, rid, 20, 20, frame=1)
    wait_point(page, rid, 60, 20, frame=40)
    page.click("button[data-action=undo]")
    page.wait_for_function(f"tracklabel.shapeAt('{rid}', 20) !== null")
    page.click("button[data-action=redo]")
    page.wait_for_function(f"tracklabel.shapeAt('{rid}', 20) === null")
    page.click("button[data-action=undo]")
    page.click("button[data-action=undo]")  # the drag at 40
    page.wait_for_function("tracklabel.regions()[0].value.sequence.length === 1")
    wait_point(page, rid, 20, 20, frame=40)
    page.click("button[data-action=redo]")
    wait_point(page, rid, 60, 20, frame=40)
    halfway = point(page, rid, 20)

    page.click("button[data-action=save]")
    page.wait_for_selector(".status:has-text('Saved')")
    (annotation,) = server.call("GET", f"/api/tasks/{task}/annotations")
    (saved,) = annotation["result"]
    assert saved["type"] == "videokeypoint"
    assert [(k["frame"], k["enabled"]) for k in saved["value"]["sequence"]] == [(1, True), (40, True)]
    page.reload()
    page.wait_for_function("window.tracklabel && tracklabel.regions().length === 1", timeout=30000)
    assert page.evaluate("tracklabel.regions()[0]") == saved
    wait_point(page, rid, halfway["x"], halfway["y"], frame=20, tolerance=1e-9)


def test_track_forward_moves_the_point_with_the_object(page, server):
    scene = scenes.make_scene(frames=60, size=(320, 180), seed=3, scale=(1.0, 1.2))
    scenes.write_video(scene, server.media / "scene.mp4")
    open_task(page, server, fresh_task(server, CONFIG, "scene.mp4"))
    x, y, w, h = scene.boxes[0]
    rid = place(page, (x + w / 2) / 3.2, (y + h / 2) / 1.8)
    page.click("button[data-action=track-forward]")
    page.wait_for_selector(".status:has-text('Tracked')", timeout=60000)
    keys = sequence(page, rid)
    assert keys[0]["frame"] == 1 and any(k.get("auto") for k in keys[1:])
    go(page, 40)
    shown = point(page, rid)
    tx, ty, tw, th = scene.boxes[39]
    assert abs(shown["x"] * 3.2 - (tx + tw / 2)) < tw / 3 and abs(shown["y"] * 1.8 - (ty + th / 2)) < th / 3
    page.click("button[data-action=undo]")
    page.wait_for_function("tracklabel.regions()[0].value.sequence.length === 1")


def test_points_and_polygons_in_one_config_with_tool_buttons(page, server):
    config = CONFIG.replace('<VideoKeyPoint name="point" toName="video"/>',
                            '<VideoPolygon name="poly" toName="video"/><VideoKeyPoint name="point" toName="video"/>')
    open_task(page, server, fresh_task(server, config))
    assert page.locator("button[data-action=tool]").all_inner_texts() == ["⬠ poly", "• point"]
    page.click("button[data-action=tool]:has-text('point')")
    rid = place(page, 30, 30)
    page.click("button[data-action=tool]:has-text('poly')")
    for x, y in [[50, 50], [70, 50], [70, 70]]:
        click_at(page, x, y)
    page.keyboard.press("Enter")
    wait_regions(page, 2)
    polygon = page.evaluate("tracklabel.regions()[1]")
    assert polygon["type"] == "videopolygon" and len(polygon["value"]["sequence"][0]["points"]) == 3
    click_at(page, 30, 30)  # the point is selected, not a new polygon begun
    assert page.evaluate("tracklabel.player.selected") == rid
    drag_at(page, (30, 30), (40, 20))
    wait_point(page, rid, 40, 20)
    assert len(page.evaluate("tracklabel.regions()")) == 2
