"""Every kind on one video, in real Chromium against a real `tracklabel serve`: boxes, polygons,
key points and timeline labels together; which shape a click picks where they overlap; keyframe
toggles, duplicates and edits racing the host's answers."""

from browser_support import SHAPES_CONFIG, click_at, config_fixtures, drag_at, go, on_page, wait_regions

CONFIG = SHAPES_CONFIG.replace("  <Labels ", """  <TimelineLabels name="acts" toName="video"><Label value="Run" background="green"/></TimelineLabels>
  <Labels """)

# Holds the host's answer to the next POST .../tracks until `deliverHeld()` is called.
HOLD_NEXT_TRACKS = """() => {
  const api = tracklabel.player.api, request = api.request.bind(api);
  let deliver, holding = true;
  const gate = new Promise(resolve => { deliver = resolve; });
  api.request = (m, url, ...rest) => {
    const answer = request(m, url, ...rest);
    if (!holding || m !== "POST" || !url.split("?")[0].endsWith("/tracks")) return answer;
    holding = false;
    return gate.then(() => answer);
  };
  window.deliverHeld = deliver;
}"""


server, task = config_fixtures("mixed", CONFIG)


def tool(page, name):
    page.click(f"button[data-action=tool]:has-text('{name}')")


def region(page, rid):
    return page.evaluate(f"tracklabel.regions().find(r => r.id === '{rid}')")


def newest(page, count):
    """After an edit that made region number COUNT: its id, once the host's shapes of every
    keyframed region have arrived."""
    wait_regions(page, count)
    return page.evaluate("tracklabel.regions().at(-1).id")


def shape_near(page, rid, field, expected, tolerance=0.3):
    page.wait_for_function("""([id, field, expected, tolerance]) => {
      const shape = tracklabel.shapeAt(id);
      return shape !== null && JSON.stringify(shape[field]).length > 0 &&
        [expected].flat(2).every((v, i) => Math.abs([shape[field]].flat(2)[i] - v) <= tolerance);
    }""", arg=[rid, field, expected, tolerance])


def polygon(page, points) -> str:
    """Draw a polygon with the polygon tool (closed with Enter); its id."""
    count = page.evaluate("tracklabel.regions().length")
    tool(page, "poly")
    for x, y in points:
        click_at(page, x, y)
    page.keyboard.press("Enter")
    rid = newest(page, count + 1)
    shape_near(page, rid, "points", points)
    return rid


def test_a_click_picks_the_shape_on_top_and_the_selected_shape_first(page, task):
    """A point dragged into a box is clicked and dragged again (drawn on top of the box); the
    selected polygon's point inside a box is dragged, not the box; the selected box's corner
    under a polygon resizes the box."""
    drag_at(page, (20, 20), (60, 60))  # the rectangle is the first drawing tool
    box = newest(page, 1)
    tool(page, "point")
    click_at(page, 90, 90)
    point = newest(page, 2)
    drag_at(page, (90, 90), (50, 50))  # into the box
    shape_near(page, point, "x", 50)
    click_at(page, 5, 95)  # nothing there: a new point with the point tool
    newest(page, 3)
    click_at(page, 50, 50)
    assert page.evaluate("tracklabel.player.selected") == point
    drag_at(page, (50, 50), (40, 45))
    shape_near(page, point, "x", 40)
    shape_near(page, point, "y", 45)

    triangle = [[5, 5], [30, 30], [5, 40]]  # its second point inside the box
    poly = polygon(page, triangle)
    assert page.evaluate("tracklabel.player.selected") == poly
    drag_at(page, (30, 30), (35, 25))
    shape_near(page, poly, "points", [[5, 5], [35, 25], [5, 40]])
    shape_near(page, box, "x", 20)  # the box stays

    click_at(page, 50, 30)  # the box alone: selected
    assert page.evaluate("tracklabel.player.selected") == box
    drag_at(page, (20, 20), (10, 15))  # its corner, under the polygon drawn above it
    shape_near(page, box, "x", 10)
    shape_near(page, box, "width", 50)
    shape_near(page, poly, "points", [[5, 5], [35, 25], [5, 40]])


def test_the_only_keyframe_is_not_toggled_away(page, task):
    """alt+k adds a keyframe on a polygon at a frame without one and removes it again; on the
    region's only keyframe it is refused (a region without keyframes is no shape)."""
    poly = polygon(page, [[10, 10], [40, 10], [40, 40]])
    go(page, 20)
    page.keyboard.press("Alt+k")
    page.wait_for_function("tracklabel.regions()[0].value.sequence.length === 2")
    assert region(page, poly)["value"]["sequence"][1]["points"] == region(page, poly)["value"]["sequence"][0]["points"]
    page.keyboard.press("Alt+k")
    page.wait_for_function("tracklabel.regions()[0].value.sequence.length === 1")
    go(page, 1)
    page.keyboard.press("Alt+k")
    page.wait_for_selector(".status.error:has-text('at least one keyframe')")
    assert len(region(page, poly)["value"]["sequence"]) == 1
    page.click("button[data-action=undo]")  # the refusal left no step to undo: the removal at 20 is undone
    page.wait_for_function("tracklabel.regions()[0].value.sequence.length === 2")


def test_a_drag_begun_while_the_last_edit_is_on_its_way_is_kept(page, task):
    """The host answers an edit late: a drag begun meanwhile is not dropped when that answer
    comes, and a click elsewhere meanwhile does not save the box's move a second time."""
    drag_at(page, (60, 60), (90, 90))
    box = newest(page, 1)
    poly = polygon(page, [[10, 10], [40, 10], [40, 40]])
    edits = page.evaluate("tracklabel.player.store.undoStack.length")
    page.evaluate(HOLD_NEXT_TRACKS)
    drag_at(page, (40, 40), (50, 50))  # its answer is held
    page.mouse.move(*on_page(page, 10, 10))
    page.mouse.down()
    page.mouse.move(*on_page(page, 5, 20), steps=4)
    page.evaluate("window.deliverHeld()")
    page.wait_for_function("""id => {
      const p = tracklabel.boxAt(id).points[2];
      return Math.abs(p[0] - 50) < 0.3 && Math.abs(p[1] - 50) < 0.3;
    }""", arg=poly)
    page.mouse.up()
    shape_near(page, poly, "points", [[5, 20], [40, 10], [50, 50]])
    assert page.evaluate("tracklabel.player.store.undoStack.length") == edits + 2

    click_at(page, 75, 75)
    page.evaluate(HOLD_NEXT_TRACKS)
    drag_at(page, (75, 75), (70, 70))  # the box's move: its answer is held
    click_at(page, 25, 20)  # the polygon, meanwhile
    page.evaluate("window.deliverHeld()")
    shape_near(page, box, "x", 55)
    assert page.evaluate("tracklabel.player.selected") == poly
    assert page.evaluate("tracklabel.player.store.undoStack.length") == edits + 3


def test_every_kind_survives_a_reload_as_a_draft_and_after_saving(page, server, task):
    drag_at(page, (60, 60), (90, 90))
    newest(page, 1)
    polygon(page, [[10, 10], [40, 10], [40, 40]])
    tool(page, "point")
    click_at(page, 80, 20)
    newest(page, 3)
    page.click(".timeline-label-set button[data-label=Run]")  # marks the frame shown
    newest(page, 4)
    made = page.evaluate("tracklabel.regions()")
    page.reload()
    page.wait_for_function("window.tracklabel && window.__ready !== undefined", timeout=30000)
    newest(page, 4)
    assert page.evaluate("tracklabel.regions()") == made
    assert "Restored" in page.inner_text(".status")
    assert all(page.evaluate(f"tracklabel.shapeAt('{r['id']}') !== null") for r in made[:3])
    page.click("button[data-action=save]")
    page.wait_for_selector(".status:has-text('Saved')")
    page.reload()
    page.wait_for_function("window.tracklabel && window.__ready !== undefined", timeout=30000)
    assert page.evaluate("tracklabel.regions()") == made
    assert all(page.evaluate(f"tracklabel.shapeAt('{r['id']}') !== null") for r in made[:3])
