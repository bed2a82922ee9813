"""The player polished (issue 16) in real Chromium: the Details panel refreshes after a typed
number, `boxAt` is null for a hidden region, and a typed rotation turns the box about its centre
as the rotate handle does. Details is patched in place: a redraw keeps the focused field and its
selection, a number goes to the region and frame it was typed for, the nodes (an open label
picker) stay while playing, and the keyframe list's frame column fits the video's frame count."""

import math

import pytest

import video_factory
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


# ---- the Details panel is patched in place, never rebuilt under the annotator's hands ----

FIELD = ".details input[name=width]"


@pytest.mark.parametrize("redraw", ["tracklabel.player.render()", "tracklabel.player.store.emit('tracks')"])
def test_a_redraw_keeps_the_focused_fields_selection_so_typing_replaces_the_number(page, server, redraw):
    rid = drawn_box(page, server)
    before = page.evaluate(f"tracklabel.boxAt('{rid}', 1).width")
    # what page.fill does (focus, select the text, type), with a redraw (the host's answer to an
    # earlier edit arriving) between the select and the typing
    page.evaluate(f"""() => {{
      const field = document.querySelector('{FIELD}');
      field.kept = true;
      field.focus();
      field.select();
      {redraw};
    }}""")
    page.keyboard.type("5")
    page.keyboard.press("Tab")
    page.wait_for_function(f"tracklabel.boxAt('{rid}', 1)?.width !== {before}")
    assert page.evaluate(f"tracklabel.boxAt('{rid}', 1).width") == 5
    assert page.evaluate(f"document.querySelector('{FIELD}').kept") is True  # the same field, patched


def test_a_typed_number_goes_to_the_region_it_was_typed_for(page, server):
    first = drawn_box(page, server)
    draw(page, 400, 250, 480, 320)
    wait_regions(page, 2)
    second = page.evaluate(f"tracklabel.regions().find(r => r.id !== '{first}').id")
    page.wait_for_function(f"tracklabel.player.selected === '{second}' && tracklabel.boxAt('{second}', 1)")
    widths = page.evaluate(f"[tracklabel.boxAt('{first}', 1).width, tracklabel.boxAt('{second}', 1).width]")
    page.fill(FIELD, "3")  # not entered: clicking the other box on the video commits it
    overlay = page.locator(".stage .overlay").bounding_box()
    page.mouse.click(overlay["x"] + 265, overlay["y"] + 130)  # inside the first box
    page.wait_for_function(f"tracklabel.boxAt('{second}', 1)?.width === 3")
    assert page.evaluate("tracklabel.player.selected") == first
    assert page.evaluate(f"tracklabel.boxAt('{first}', 1).width") == widths[0]


def test_a_typed_number_is_kept_and_a_keyframes_jump_button_still_jumps(page, server):
    rid = drawn_box(page, server)
    go(page, 20)
    page.wait_for_function(f"{DETAILS_SAY} === 'interpolated'")
    page.fill(FIELD, "12")  # not entered: the click on "frame 1" commits it
    page.click(".details .keyframes li[data-frame='1'] button")
    page.wait_for_function(f"tracklabel.boxAt('{rid}', 20)?.width === 12")
    page.wait_for_function("tracklabel.frame === 1")  # the click was not lost to a rebuilt list


def column_width(page):
    """The keyframe list's first column (the jump buttons'), in px, a digit's width in the row's
    font (tabular), and whether the first row's button is cut."""
    return page.evaluate("""() => {
      const row = document.querySelector('.details .keyframes li'), jump = row.querySelector('button');
      const digit = row.appendChild(Object.assign(document.createElement('span'), {textContent: '0'}));
      digit.style.position = 'absolute';  // out of the grid: as wide as its text
      const width = digit.getBoundingClientRect().width;
      digit.remove();
      return [parseFloat(getComputedStyle(row).gridTemplateColumns), width, jump.scrollWidth > jump.clientWidth];
    }""")


@pytest.fixture(scope="module")
def thousand_frames(server):
    """A video of 1000 frames on the host (frame numbers of up to 4 digits); its name."""
    video_factory.encode(server.media / "thousand.mp4", frames=1000, size=(64, 48), options={"g": "250"})
    return "thousand.mp4"


def test_the_keyframe_lists_frame_column_fits_the_videos_frame_count(page, server, thousand_frames):
    # frame numbers of 2 digits (90 frames), then 4 (1000): the column grows by 2 digits and fits
    # "frame 1000"; a 6-digit count (an hour at 30 fps) grows it the same way (a 100000-frame
    # video is too slow to make here)
    drawn_box(page, server)
    short, digit, cut = column_width(page)
    assert not cut
    open_task(page, server, fresh_task(server, video=thousand_frames))
    page.click("button[data-label=Man]")
    draw(page, 200, 100, 330, 160)
    wait_regions(page, 1)
    go(page, 1000)
    page.click("button[data-action=toggle-keyframe]")
    page.wait_for_selector(".details .keyframes li[data-frame='1000']")
    long, _, _ = column_width(page)
    assert long - short == pytest.approx(2 * digit, abs=0.5)
    assert not page.evaluate("(b => b.scrollWidth > b.clientWidth)("
                             "document.querySelector(\".details .keyframes li[data-frame='1000'] button\"))")


def test_details_keep_their_nodes_while_playing_so_an_open_label_picker_stays(page, server):
    drawn_box(page, server)
    page.evaluate("""() => {
      for (const node of document.querySelectorAll('.details select, .details input')) node.kept = true;
      document.querySelector('.details select.label-picker').focus();
      tracklabel.player.clock.toggle();
    }""")
    page.wait_for_function("tracklabel.frame >= 11")
    page.evaluate("tracklabel.player.clock.toggle()")
    kept = page.evaluate("""() => [...document.querySelectorAll('.details select, .details input')].map(n => n.kept === true)""")
    assert kept and all(kept), kept
    assert page.evaluate("document.activeElement.matches('.details select.label-picker')")
