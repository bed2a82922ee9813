"""<VideoPolygon> in the player, in real Chromium against a real `tracklabel serve`: drawing by
clicks, dragging a point at another frame and the host's interpolated shape between, adding and
deleting points, moving the whole shape, locked and hidden regions, lifespans, undo/redo, saving
and reloading, and tracking a moving textured object."""

import pytest

import scenes
from browser_support import (click_at, config_fixtures, drag_at, fresh_task, go, on_page, open_task, overlay_alpha,
                             wait_regions)

CONFIG = """<View>
  <Video name="video" value="$video" frameRate="25"/>
  <VideoPolygon name="poly" toName="video"/>
  <Labels name="labels" toName="video"><Label value="Man" background="blue"/><Label value="Woman" background="red"/></Labels>
</View>"""
TRIANGLE = [[20, 20], [60, 20], [60, 60]]

# Whether region ID's shape at FRAME (the current one if null) has the points EXPECTED, each
# coordinate within TOLERANCE percent.
SHAPE_IS = """([id, frame, expected, tolerance]) => {
  const shape = tracklabel.shapeAt(id, frame ?? tracklabel.frame);
  return shape !== null && shape.points.length === expected.length && shape.points.every(
    (p, i) => Math.abs(p[0] - expected[i][0]) <= tolerance && Math.abs(p[1] - expected[i][1]) <= tolerance);
}"""


server, task = config_fixtures("polygon", CONFIG)


def wait_points(page, rid, expected, frame=None, tolerance=0.3):
    page.wait_for_function(SHAPE_IS, arg=[rid, frame, expected, tolerance])


def shape(page, rid, frame=None):
    return page.evaluate("([id, frame]) => tracklabel.shapeAt(id, frame ?? tracklabel.frame)", [rid, frame])


def draw_polygon(page, points, close="first") -> str:
    """Click the points, close on the first one (or with Enter); the new region's id."""
    count = page.evaluate("tracklabel.regions().length")
    for x, y in points:
        click_at(page, x, y)
    if close == "first":
        click_at(page, *points[0])
    else:
        page.keyboard.press("Enter")
    wait_regions(page, count + 1)
    rid = page.evaluate("tracklabel.regions().at(-1).id")
    wait_points(page, rid, points)
    return rid


def flat(points):
    return [value for point in points for value in point]


def sequence(page, rid):
    return page.evaluate(f"tracklabel.regions().find(r => r.id === '{rid}').value.sequence")


def test_draw_by_clicks_closing_on_the_first_point_or_enter_and_escape_cancels(page, task):
    page.click("button[data-label=Man]")
    rid = draw_polygon(page, TRIANGLE)
    (region,) = page.evaluate("tracklabel.regions()")
    assert (region["type"], region["from_name"], region["to_name"]) == ("videopolygon", "poly", "video")
    assert region["value"]["closed"] is True and region["value"]["labels"] == ["Man"]
    (key,) = region["value"]["sequence"]
    assert key["frame"] == 1 and key["enabled"] is True
    assert flat(key["points"]) == pytest.approx(flat(TRIANGLE), abs=0.3)
    assert shape(page, rid)["keyframe"] is True
    assert page.evaluate("tracklabel.player.selected") == rid
    assert overlay_alpha(page, 50, 25) > 0 and overlay_alpha(page, 30, 50) == 0  # filled inside only

    square = [[70, 70], [90, 70], [90, 90], [70, 90]]
    draw_polygon(page, square, close="enter")
    click_at(page, 5, 80)
    click_at(page, 15, 80)
    page.mouse.move(*on_page(page, 15, 95))  # a line from the last point to the pointer
    assert any(overlay_alpha(page, 15, y) for y in range(83, 93))
    page.keyboard.press("Enter")  # two points are not a polygon: it says so and keeps drawing
    page.wait_for_selector(".status.error:has-text('at least 3 points')")
    page.keyboard.press("Escape")  # dropped
    last = draw_polygon(page, [[5, 90], [15, 90], [15, 98]], close="enter")
    assert len(shape(page, last)["points"]) == 3  # none of the dropped clicks
    assert len(page.evaluate("tracklabel.regions()")) == 3


def test_drag_a_point_at_another_frame_and_the_host_shape_between(page, server, task):
    rid = draw_polygon(page, TRIANGLE)
    go(page, 30)
    wait_points(page, rid, TRIANGLE)  # held after the only keyframe
    assert shape(page, rid)["keyframe"] is False
    drag_at(page, (60, 60), (70, 80))
    moved = [[20, 20], [60, 20], [70, 80]]
    wait_points(page, rid, moved)
    first, second = sequence(page, rid)
    assert (first["frame"], second["frame"], second["enabled"]) == (1, 30, True)
    assert flat(first["points"]) == pytest.approx(flat(TRIANGLE), abs=0.3)

    go(page, 15)
    ratio = 14 / 29
    between = [[p + (q - p) * ratio for p, q in zip(start, end)]
               for start, end in zip(first["points"], second["points"])]
    wait_points(page, rid, between, tolerance=1e-6)
    assert shape(page, rid)["keyframe"] is False
    assert overlay_alpha(page, *between[2]) > 0  # the point's handle is drawn where the host put it
    assert overlay_alpha(page, 70, 80) == 0  # not where the next keyframe has it

    page.click("button[data-action=save]")
    page.wait_for_selector(".status:has-text('Saved')")
    (annotation,) = server.call("GET", f"/api/tasks/{task}/annotations")
    (track,) = server.call("GET", f"/api/annotations/{annotation['id']}/tracks?from=15&to=15")["regions"]
    assert track["points"][0] == shape(page, rid, 15)["points"]


def test_add_and_delete_points(page, task):
    rid = draw_polygon(page, TRIANGLE)
    click_at(page, 40, 20, alt=True)  # on the top edge: a point there
    wait_points(page, rid, [[20, 20], [40, 20], [60, 20], [60, 60]])
    click_at(page, 40, 20, alt=True)  # on that point: gone again
    wait_points(page, rid, TRIANGLE)
    click_at(page, 20, 20, alt=True)  # a triangle keeps its three
    page.wait_for_selector(".status.error:has-text('keeps at least 3 points')")
    assert flat(sequence(page, rid)[0]["points"]) == pytest.approx(flat(TRIANGLE), abs=0.3)

    click_at(page, 60, 40, alt=True)  # on the right edge
    wait_points(page, rid, [[20, 20], [60, 20], [60, 40], [60, 60]])
    click_at(page, 60, 40)  # selects that point: the Details panel shows it
    page.wait_for_selector(".details label:has-text('point 3 x')")
    page.fill(".details input[name=point-x]", "50")
    page.press(".details input[name=point-x]", "Tab")
    wait_points(page, rid, [[20, 20], [60, 20], [50, 40], [60, 60]])
    page.fill(".details input[name=y]", "30")  # the bounding box's top: the whole shape moves
    page.press(".details input[name=y]", "Tab")
    wait_points(page, rid, [[20, 30], [60, 30], [50, 50], [60, 70]])
    page.fill(".details input[name=width]", "20")  # scaled about the left edge
    page.press(".details input[name=width]", "Tab")
    wait_points(page, rid, [[20, 30], [40, 30], [35, 50], [40, 70]])
    page.fill(".details input[name=width]", "-5")
    page.press(".details input[name=width]", "Tab")
    page.wait_for_selector(".status.error:has-text('width must be positive')")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("Delete")  # the selected point
    wait_points(page, rid, [[20, 30], [40, 30], [40, 70]])
    assert len(sequence(page, rid)) == 1  # every edit at frame 1 rewrote its keyframe


def test_move_the_whole_shape_within_the_frame_and_locked_or_hidden_regions(page, task):
    rid = draw_polygon(page, TRIANGLE)
    drag_at(page, (50, 30), (60, 35))
    shifted = [[30, 25], [70, 25], [70, 65]]
    wait_points(page, rid, shifted)
    drag_at(page, (60, 35), (95, 35))  # 35% right, but only 30% is left of the frame
    wait_points(page, rid, [[60, 25], [100, 25], [100, 65]])
    at_edge = sequence(page, rid)

    page.click(f".region[data-region='{rid}'] button[data-action=lock]")
    page.mouse.move(*on_page(page, 90, 35))
    page.mouse.down()
    page.mouse.move(*on_page(page, 70, 40), steps=6)
    assert overlay_alpha(page, 99, 30) > 0  # a locked region is selected, not moved
    page.mouse.up()
    click_at(page, 100, 65, alt=True)
    click_at(page, 80, 25, alt=True)
    assert sequence(page, rid) == at_edge
    page.click(f".region[data-region='{rid}'] button[data-action=lock]")

    page.click(f".region[data-region='{rid}'] button[data-action=hide]")
    assert overlay_alpha(page, 90, 35) == 0  # not drawn
    click_at(page, 90, 35)  # where the hidden polygon is: a new one begins instead
    assert page.evaluate("tracklabel.player.selected") is None
    page.keyboard.press("Escape")
    page.click(f".region[data-region='{rid}'] button[data-action=hide]")
    wait_points(page, rid, [[60, 25], [100, 25], [100, 65]])


def test_lifespan_undo_redo_submit_and_reload(page, server, task):
    rid = draw_polygon(page, TRIANGLE)
    go(page, 40)
    drag_at(page, (50, 30), (60, 30))
    moved = [[30, 20], [70, 20], [70, 60]]
    wait_points(page, rid, moved)
    go(page, 20)
    page.click("button[data-action=toggle-interpolation]")  # cut after frame 1
    page.wait_for_function(f"tracklabel.shapeAt('{rid}', 20) === null")
    wait_points(page, rid, TRIANGLE, frame=1)  # the keyframe itself stays
    wait_points(page, rid, moved, frame=40)  # and the next one starts again
    page.click("button[data-action=undo]")
    page.wait_for_function(f"tracklabel.shapeAt('{rid}', 20) !== null")
    page.click("button[data-action=redo]")
    page.wait_for_function(f"tracklabel.shapeAt('{rid}', 20) === null")
    page.click("button[data-action=undo]")
    page.click("button[data-action=undo]")  # the move at 40
    page.wait_for_function("tracklabel.regions()[0].value.sequence.length === 1")
    wait_points(page, rid, TRIANGLE, frame=40)
    page.click("button[data-action=redo]")
    wait_points(page, rid, moved, frame=40)
    halfway = shape(page, rid, 20)["points"]

    page.click("button[data-action=save]")
    page.wait_for_selector(".status:has-text('Saved')")
    (annotation,) = server.call("GET", f"/api/tasks/{task}/annotations")
    (saved,) = annotation["result"]
    assert saved["type"] == "videopolygon" and saved["value"]["closed"] is True
    assert [k["frame"] for k in saved["value"]["sequence"]] == [1, 40]
    assert flat(saved["value"]["sequence"][1]["points"]) == pytest.approx(flat(moved), abs=0.3)
    page.reload()
    page.wait_for_function("window.tracklabel && tracklabel.regions().length === 1", timeout=30000)
    assert page.evaluate("tracklabel.regions()[0]") == saved
    wait_points(page, rid, halfway, frame=20, tolerance=1e-9)
    assert "Restored" not in page.inner_text(".status")


def test_track_forward_moves_the_polygon_with_the_object(page, server):
    scene = scenes.make_scene(frames=60, size=(320, 180), seed=3, scale=(1.0, 1.2))
    scenes.write_video(scene, server.media / "scene.mp4")
    open_task(page, server, fresh_task(server, CONFIG, "scene.mp4"))
    x, y, w, h = scene.boxes[0]
    left, top, right, bottom = x / 3.2, y / 1.8, (x + w) / 3.2, (y + h) / 1.8
    rid = draw_polygon(page, [[left, top], [right, top], [right, bottom], [left, bottom]])
    page.click("button[data-action=track-forward]")
    page.wait_for_selector(".status:has-text('Tracked')", timeout=60000)
    keys = sequence(page, rid)
    assert keys[0]["frame"] == 1 and any(k.get("auto") for k in keys[1:])
    go(page, 40)
    points = shape(page, rid)["points"]
    assert len(points) == 4
    xs, ys = [p[0] * 3.2 for p in points], [p[1] * 1.8 for p in points]
    got = (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
    truth = scene.boxes[39]
    left, top = max(got[0], truth[0]), max(got[1], truth[1])
    right, bottom = min(got[0] + got[2], truth[0] + truth[2]), min(got[1] + got[3], truth[1] + truth[3])
    inter = max(0, right - left) * max(0, bottom - top)
    assert inter / (got[2] * got[3] + truth[2] * truth[3] - inter) > 0.5
    page.click("button[data-action=undo]")
    page.wait_for_function("tracklabel.regions()[0].value.sequence.length === 1")


MIXED = """<View>
  <Video name="video" value="$video" frameRate="25"/>
  <TimelineLabels name="acts" toName="video"><Label value="Run" background="green"/></TimelineLabels>
  <VideoRectangle name="box" toName="video"/>
  <VideoPolygon name="poly" toName="video"/>
  <Labels name="labels" toName="video"><Label value="Man" background="blue"/></Labels>
</View>"""


def test_a_polygon_being_drawn_takes_clicks_on_a_box_and_labels_come_from_every_set(page, server):
    """With <VideoRectangle> registered first, a polygon's next point may fall inside a box; with
    <TimelineLabels> before <Labels>, new shapes still get the label chosen in <Labels>."""
    open_task(page, server, fresh_task(server, MIXED))
    page.click("button[data-label=Man]")
    drag_at(page, (30, 30), (50, 50))  # the rectangle is the first drawing tool
    wait_regions(page, 1)
    (box,) = page.evaluate("tracklabel.regions()")
    assert box["type"] == "videorectangle" and box["value"]["labels"] == ["Man"]
    page.click("button[data-action=tool]:has-text('poly')")
    rid = draw_polygon(page, [[10, 70], [40, 40], [70, 70]])  # the second point is inside the box
    region = page.evaluate(f"tracklabel.regions().find(r => r.id === '{rid}')")
    assert region["type"] == "videopolygon" and region["value"]["labels"] == ["Man"]
    assert len(page.evaluate("tracklabel.regions()")) == 2
