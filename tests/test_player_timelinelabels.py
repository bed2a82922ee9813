"""<TimelineLabels> in real Chromium against a real `tracklabel serve`: a row per label under the
timeline; drag a range on a row, drag its end, delete it and undo; hold a label's hotkey while
the video plays to record a range; Submit stores the frames the rows show."""

import pytest

from browser_support import go, open_task

CONFIG = """<View>
  <Video name="video" value="$video" frameRate="25"/>
  <TimelineLabels name="actions" toName="video">
    <Label value="Run" background="#944BFF" hotkey="r"/>
    <Label value="Walk" background="#98C84E" hotkey="w"/>
  </TimelineLabels>
  <VideoRectangle name="box" toName="video"/>
  <Labels name="labels" toName="video"><Label value="Man" background="blue" hotkey="1"/></Labels>
</View>"""
ROW = 20  # px, the module's row height
ROWS = {"Run": 0, "Walk": 1}


@pytest.fixture
def task(server):
    project = server.call("POST", "/api/projects", {"title": "Actions", "label_config": CONFIG})["id"]
    return server.video_task(project, "stamped.mp4")


def row_point(page, label, frame, edge=False):
    """Page coordinates on a label's row: the middle of a frame, or (edge) the frame's start edge.
    The timeline shows every frame at first (start 1, span framesCount)."""
    box = page.locator("canvas.timeline-labels[data-name=actions]").bounding_box()
    count = page.evaluate("tracklabel.framesCount")
    x = box["x"] + (frame - 1 + (0 if edge else 0.5)) / count * box["width"]
    return x, box["y"] + ROWS[label] * ROW + ROW / 2


def drag(page, start, end, steps=6):
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=steps)
    page.mouse.up()


def ranges(page):
    return page.evaluate("tracklabel.regions().filter(r => r.type === 'timelinelabels')"
                         ".map(r => [r.value.timelinelabels, r.value.ranges])")


def wait_ranges(page, count):
    page.wait_for_function("tracklabel.regions().filter(r => r.type === 'timelinelabels').length"
                           f" === {count}")


def test_drag_a_range_change_its_end_delete_it_and_undo(page, server, task):
    open_task(page, server, task)
    drag(page, row_point(page, "Walk", 10), row_point(page, "Walk", 30))
    wait_ranges(page, 1)
    assert ranges(page) == [[["Walk"], [{"start": 10, "end": 30}]]]

    drag(page, row_point(page, "Walk", 31, edge=True), row_point(page, "Walk", 41, edge=True))
    page.wait_for_function("tracklabel.regions()[0].value.ranges[0].end === 40")
    assert ranges(page) == [[["Walk"], [{"start": 10, "end": 40}]]]

    page.keyboard.press("Backspace")  # the new range is selected
    wait_ranges(page, 0)
    page.keyboard.press("Control+z")
    wait_ranges(page, 1)
    assert ranges(page) == [[["Walk"], [{"start": 10, "end": 40}]]]

    region = page.evaluate("tracklabel.regions()[0].id")
    page.click(f".region[data-region='{region}'] button[data-action=delete]")
    wait_ranges(page, 0)
    page.click("button[data-action=undo]")
    wait_ranges(page, 1)
    page.click(f".region[data-region='{region}'] .name")
    page.click(".timeline-label-set button[data-action=delete-range]")
    wait_ranges(page, 0)
    page.click("button[data-action=undo]")
    wait_ranges(page, 1)

    page.click("button[data-action=save]")
    page.wait_for_selector(".status:has-text('Saved')")
    (annotation,) = server.call("GET", f"/api/tasks/{task}/annotations")
    (stored,) = annotation["result"]
    assert stored["type"] == "timelinelabels" and stored["from_name"] == "actions"
    assert stored["value"] == {"ranges": [{"start": 10, "end": 40}], "timelinelabels": ["Walk"]}


def test_hold_a_hotkey_while_playing_to_record_a_range(page, server, task):
    open_task(page, server, task)
    assert go(page, 5) == 5
    page.keyboard.down("r")
    page.click("button[data-action=play]")
    page.wait_for_function("tracklabel.frame > 20")
    page.keyboard.up("r")
    wait_ranges(page, 1)
    page.click("button[data-action=play]")  # pause
    page.wait_for_function("tracklabel.player.video.paused")
    shown = page.evaluate("tracklabel.frame")
    ((labels, [recorded]),) = ranges(page)
    assert labels == ["Run"] and recorded["start"] == 5
    assert 20 < recorded["end"] <= shown

    page.click("button[data-action=save]")
    page.wait_for_selector(".status:has-text('Saved')")
    (annotation,) = server.call("GET", f"/api/tasks/{task}/annotations")
    assert [r["value"]["ranges"] for r in annotation["result"]] == [[recorded]]


def test_a_click_marks_one_frame_and_a_label_button_relabels_and_says_so(page, server, task):
    open_task(page, server, task)
    page.mouse.click(*row_point(page, "Run", 50))
    wait_ranges(page, 1)
    assert ranges(page) == [[["Run"], [{"start": 50, "end": 50}]]]
    page.click(".timeline-label-set button[data-label=Walk]")
    page.wait_for_function("tracklabel.regions()[0].value.timelinelabels[0] === 'Walk'")
    page.wait_for_selector(".status:text-is('#1 Run relabelled Walk — ctrl+z undoes')")
    page.keyboard.press("Control+z")
    page.wait_for_function("tracklabel.regions()[0].value.timelinelabels[0] === 'Run'")
    page.keyboard.press("Control+Shift+Z")
    page.wait_for_function("tracklabel.regions()[0].value.timelinelabels[0] === 'Walk'")
