"""The player polished (issue 16) in real Chromium: the Details panel refreshes after a typed
number, `boxAt` is null for a hidden region, and a typed rotation turns the box about its centre
as the rotate handle does."""

import math

import pytest

from browser_support import draw, fresh_task, go, open_task, wait_regions

DETAILS_SAY = "document.querySelector('.details .kind')?.textContent"


def drawn_box(page, server):
    """A fresh task with one box drawn at frame 1 (selected); its id."""
    open_task(page, server, fresh_task(server))
    page.click("button[data-label=Man]")
    draw(page, 200, 100, 330, 160)
    wait_regions(page, 1)
    return page.evaluate("tracklabel.regions()[0].id")


def type_detail(page, name: str, value: float):
    field = f".details input[name={name}]"
    page.fill(field, str(value))
    page.press(field, "Enter")


@pytest.mark.parametrize("name", ["width", "rotation"])
def test_details_refresh_after_a_typed_number(page, server, name):
    rid = drawn_box(page, server)
    go(page, 20)
    page.wait_for_function(f"{DETAILS_SAY} === 'interpolated'")
    type_detail(page, name, 12)
    page.wait_for_function(f"tracklabel.regions()[0].value.sequence.length === 2 && "
                           f"tracklabel.boxAt('{rid}', 20)?.keyframe === true")
    # the frame is still 20: Details says so, lists the new keyframe as the current one, and shows
    # the number typed, while the field keeps the focus for the next number
    page.wait_for_function(f"{DETAILS_SAY} === 'keyframe' && "
                           "document.querySelector(\".details .keyframes li[data-frame='20']\")?.className === 'current'",
                           timeout=5000)
    assert page.evaluate("tracklabel.frame") == 20
    assert float(page.input_value(f".details input[name={name}]")) == pytest.approx(12)
    assert page.evaluate("document.activeElement.name") == name


def test_box_at_is_null_for_a_hidden_region(page, server):
    rid = drawn_box(page, server)
    assert page.evaluate(f"tracklabel.boxAt('{rid}', 1)") is not None
    page.click(f".region[data-region='{rid}'] button[data-action=hide]")
    page.wait_for_function(f"tracklabel.player.hidden.has('{rid}')")
    assert page.evaluate(f"tracklabel.boxAt('{rid}', 1)") is None
    assert page.evaluate(f"tracklabel.boxAt('{rid}')") is None
    page.click(f".region[data-region='{rid}'] button[data-action=hide]")
    assert page.evaluate(f"tracklabel.boxAt('{rid}', 1)") is not None


def centre_px(box, size=(320, 240)):
    """The centre of a stored box (percent, rotated top-left corner, degrees) in video pixels."""
    w, h = size
    turn = math.radians(box["rotation"])
    half_w, half_h = box["width"] * w / 200, box["height"] * h / 200
    return (box["x"] * w / 100 + half_w * math.cos(turn) - half_h * math.sin(turn),
            box["y"] * h / 100 + half_w * math.sin(turn) + half_h * math.cos(turn))


@pytest.mark.parametrize("frame", [1, 60])
def test_a_typed_rotation_turns_the_box_about_its_centre(page, server, frame):
    rid = drawn_box(page, server)
    go(page, frame)
    before = page.evaluate(f"tracklabel.boxAt('{rid}', {frame})")
    type_detail(page, "rotation", 85)
    page.wait_for_function(f"tracklabel.boxAt('{rid}', {frame})?.rotation === 85")
    (key,) = [k for k in page.evaluate("tracklabel.regions()[0].value.sequence") if k["frame"] == frame]
    assert key["rotation"] == 85
    assert (key["width"], key["height"]) == pytest.approx((before["width"], before["height"]))
    assert centre_px(key) == pytest.approx(centre_px(before), abs=1e-6)
    assert (key["x"], key["y"]) != pytest.approx((before["x"], before["y"]))  # the stored corner moved
    # turning back by typing 0 puts the box where it was
    type_detail(page, "rotation", 0)
    page.wait_for_function(f"tracklabel.boxAt('{rid}', {frame})?.rotation === 0")
    after = page.evaluate(f"tracklabel.boxAt('{rid}', {frame})")
    assert (after["x"], after["y"]) == pytest.approx((before["x"], before["y"]), abs=1e-6)
