"""The player's drawing, polished (issue 16), read from the pixels of its canvases in real
Chromium: automatic keyframes and lifespan ends look different on the timeline, the diamonds at
the first and last frame are whole, box captions stay upright, timeline rows and captions name
each region (`#2 Man`), locked regions look locked, and the zoom of the video and the timeline's
span are shown."""

import base64
import math

import numpy as np
import pytest

import video_factory
from browser_support import CONFIG as BOX_CONFIG, SHAPES_CONFIG as CONFIG, PlayerServer, fresh_task, go, open_task, wait_regions

BLUE, RED = (0, 0, 255), (255, 85, 85)  # the label's colour; a lifespan end's
ROW_TOP, ROW = 18, 22  # px: the timeline's frame numbers above its rows; a row's height
TYPES = {"box": "videorectangle", "poly": "videopolygon", "point": "videokeypoint"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = PlayerServer(tmp_path_factory.mktemp("canvas"))
    video_factory.encode(server.media / "stamped.mp4", frames=90, size=(320, 240), options={"g": "30", "bf": "2"})
    video_factory.encode(server.media / "long.mp4", frames=400, size=(160, 120), options={"g": "50"})
    server.call("POST", "/api/projects", {"title": "Canvas", "label_config": BOX_CONFIG})
    yield server
    server.stop()


def key(frame, enabled=True, auto=False, **shape):
    return {"frame": frame, "enabled": enabled, **shape, **({"auto": True} if auto else {})}


def region(rid, name, frames, *keys):
    """A result item of the tag `name` (box, poly, point) labelled Man."""
    return {"id": rid, "type": TYPES[name], "from_name": name, "to_name": "video",
            "value": {"framesCount": frames, "labels": ["Man"], "sequence": list(keys),
                      **({"closed": True} if name == "poly" else {})}}


def rect(x, y, w, h, rotation=0):
    return {"x": x, "y": y, "width": w, "height": h, "rotation": rotation}


def opened(page, server, regions, video="stamped.mp4"):
    """A fresh task whose annotation holds `regions`, open in the player with their shapes."""
    task = fresh_task(server, CONFIG, video)
    if regions:
        server.call("POST", f"/api/tasks/{task}/annotations", {"result": regions})
    open_task(page, server, task)
    wait_regions(page, len(regions))


class Picture:
    """The RGBA pixels of a rectangle of a canvas (CSS pixels; the tests' pages have one device
    pixel per CSS pixel)."""

    def __init__(self, page, selector, left, top, width, height):
        left, top, width, height = (round(v) for v in (left, top, width, height))
        self.left, self.top, self.width, self.height = left, top, width, height
        encoded = page.evaluate("""([selector, left, top, width, height]) => {
          const canvas = document.querySelector(selector);
          if (canvas.width !== canvas.clientWidth) throw new Error('a device pixel ratio other than 1');
          const bytes = canvas.getContext('2d').getImageData(left, top, width, height).data;
          let text = '';
          for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
          return btoa(text);
        }""", [selector, left, top, width, height])
        self.pixels = np.frombuffer(base64.b64decode(encoded), np.uint8).reshape(height, width, 4).astype(int)

    def at(self, x, y):
        """The pixel holding the point (x, y) of the canvas."""
        return tuple(self.pixels[math.floor(y) - self.top, math.floor(x) - self.left])

    def alphas(self, x0, x1, y0, y1):
        """The opacity of the pixels wholly inside the rectangle from (x0, y0) to (x1, y1)."""
        return self.pixels[math.ceil(y0) - self.top:math.floor(y1) - self.top,
                           math.ceil(x0) - self.left:math.floor(x1) - self.left, 3]

    def differences(self, other):
        """How many pixels differ from those of `other` (by more than a quarter in a channel)."""
        return int((np.abs(self.pixels - other.pixels).max(axis=2) > 64).sum())


def near(pixel, colour, tolerance=60):
    """An opaque pixel of about this colour."""
    return pixel[3] > 200 and all(abs(a - b) <= tolerance for a, b in zip(pixel, colour))


def stroked(pixel, colour):
    """A pixel of a line of this colour (a 1.5 px line is not wholly opaque on any pixel)."""
    return pixel[3] > 150 and near((*pixel[:3], 255), colour)


def overlay(page):
    size = page.evaluate("[document.querySelector('.stage .overlay').clientWidth, "
                         "document.querySelector('.stage .overlay').clientHeight]")
    return Picture(page, ".stage .overlay", 0, 0, *size)


def timeline_row(page, row):
    width = page.evaluate("tracklabel.player.timeline.width")
    return Picture(page, ".timeline-canvas", 0, ROW_TOP + row * ROW, width, ROW)


def x_of(page, frame):
    """Where a keyframe's diamond is centred on the timeline: on the playhead at that frame."""
    return page.evaluate(f"tracklabel.player.timeline.xOf({frame})") + 1


# Which of `candidates` the text at `anchor` (its baseline's left end, give or take 4 px) of a
# canvas reads: each is written in `font` at every offset and compared with the pixels shown.
READS = """([selector, [x, y], font, candidates]) => {
  const width = 160, height = 26, left = Math.round(x) - 8, top = Math.round(y) - 18;
  const shown = document.querySelector(selector).getContext('2d').getImageData(left, top, width, height).data;
  const scratch = new OffscreenCanvas(width, height).getContext('2d', {willReadFrequently: true});
  scratch.font = font;
  const distance = text => {
    let best = Infinity;
    for (let dy = -4; dy <= 4; dy++) for (let dx = -4; dx <= 4; dx++) {
      scratch.clearRect(0, 0, width, height);
      scratch.fillText(text, x - left + dx, y - top + dy);
      const drawn = scratch.getImageData(0, 0, width, height).data;
      let sum = 0;
      for (let i = 3; i < drawn.length; i += 4) sum += Math.abs(drawn[i] - shown[i]);
      best = Math.min(best, sum);
    }
    return best;
  };
  const distances = candidates.map(distance);
  return candidates[distances.indexOf(Math.min(...distances))];
}"""


def reads(page, selector, anchor, font, candidates):
    return page.evaluate(READS, [selector, anchor, font, candidates])


def test_auto_keyframes_and_lifespan_ends_look_different_on_the_timeline(page, server):
    box = rect(10, 10, 20, 20)
    opened(page, server, [region("a", "box", 90, key(10, **box), key(20, auto=True, **box),
                                 key(40, enabled=False, auto=True, **box), key(50, **box),
                                 key(70, enabled=False, **box))])
    go(page, 85)  # the playhead away from the diamonds
    row = timeline_row(page, 0)
    filled, closed = {}, {}
    for frame in (10, 20, 40, 50, 70):
        x = x_of(page, frame)
        # filled: the diamond's middle column is of the label's colour (hollow: its tips only)
        filled[frame] = sum(near(row.at(x, y), BLUE) for y in range(ROW_TOP, ROW_TOP + ROW)) >= 7
        # a lifespan end: a red bar closing the lifespan, most of the row high, beside its diamond
        closed[frame] = any(sum(near(row.at(column, y), RED) for y in range(ROW_TOP, ROW_TOP + ROW)) >= 12
                            for column in range(round(x) - 2, round(x) + 12))
    assert filled == {10: True, 20: False, 40: False, 50: True, 70: True}  # the tracker's are hollow
    assert closed == {10: False, 20: False, 40: True, 50: False, 70: True}


def diamond_width(row, x0, x1, y):
    """The widest run of the label's colour between x0 and x1 on the line y."""
    widest = run = 0
    for x in range(max(0, round(x0)), min(row.width, round(x1))):
        run = run + 1 if near(row.at(x, y), BLUE) else 0
        widest = max(widest, run)
    return widest


def test_the_diamonds_at_the_first_and_last_frame_are_whole(page, server):
    box = rect(10, 10, 20, 20)
    opened(page, server, [region("a", "box", 400, key(1, **box), key(200, **box), key(400, **box))], "long.mp4")
    go(page, 100)
    row = timeline_row(page, 0)
    width = page.evaluate("tracklabel.player.timeline.width")
    middle = x_of(page, 200)
    # the line through the diamonds' middle: each widest run is a whole diamond
    y = ROW_TOP + max(range(ROW), key=lambda dy: diamond_width(row, middle - 12, middle + 12, ROW_TOP + dy))
    whole = diamond_width(row, middle - 12, middle + 12, y)
    assert whole >= 7
    assert diamond_width(row, 0, 20, y) == pytest.approx(whole, abs=1)
    assert diamond_width(row, width - 20, width, y) == pytest.approx(whole, abs=1)


def test_a_box_caption_stays_upright_when_the_box_turns(page, server):
    # the same box turned half round about its centre at frame 10 (its stored corner moves to the
    # opposite one): it covers the same pixels, and its caption reads as at frame 1
    opened(page, server, [region("a", "box", 90, key(1, **rect(30, 40, 30, 20)),
                                 key(10, **rect(60, 60, 30, 20, rotation=180)))])
    upright = overlay(page)
    go(page, 10)
    turned = overlay(page)
    assert turned.differences(upright) < 20
    # and it is drawn: its edges in the label's colour, its caption above its top left
    for x, y in ((45, 40), (45, 60), (30, 50), (60, 50)):  # the middle of each edge
        at = page.evaluate(f"tracklabel.player.toPixels({{x: {x}, y: {y}}})")
        assert any(stroked(turned.at(at["x"] + dx, at["y"] + dy), BLUE)
                   for dx in range(-2, 3) for dy in range(-2, 3)), (x, y)
    corner = page.evaluate("tracklabel.player.toPixels({x: 30, y: 40})")
    assert reads(page, ".stage .overlay", (corner["x"] + 2, corner["y"] - 4), "12px sans-serif",
                 ["#1 Man", "Man", ""]) == "#1 Man"


def test_timeline_rows_and_captions_name_each_region(page, server):
    opened(page, server, [region("a", "box", 90, key(1, **rect(10, 10, 20, 15))),
                          region("b", "box", 90, key(1, **rect(50, 10, 20, 15))),
                          region("c", "poly", 90, key(1, points=[[20, 50], [35, 70], [10, 75]])),
                          region("d", "point", 90, key(1, x=70, y=60))])
    go(page, 45)
    names = ["#1 Man", "#2 Man", "#3 Man", "#4 Man"]
    assert page.evaluate("tracklabel.regions().map(r => tracklabel.player.nameOf(r))") == names
    candidates = [*names, "Man"]
    # the timeline's rows: the name beside the label's colour, and under the pointer with the frame
    canvas = page.locator(".timeline-canvas").bounding_box()
    for row, name in enumerate(names):
        top = ROW_TOP + row * ROW
        assert near(timeline_row(page, row).at(7, top + 6), BLUE)
        assert reads(page, ".timeline-canvas", (14, top + 10), "10px sans-serif", candidates) == name
        page.mouse.move(canvas["x"] + canvas["width"] / 2, canvas["y"] + top + ROW / 2)
        page.wait_for_function(f"document.querySelector('.timeline-hover').textContent.endsWith({name!r})")
    # the captions on the video
    corner = page.evaluate("tracklabel.player.toPixels({x: 10, y: 10})")
    assert reads(page, ".stage .overlay", (corner["x"] + 2, corner["y"] - 4), "12px sans-serif", candidates) == "#1 Man"
    corner = page.evaluate("tracklabel.player.toPixels({x: 50, y: 10})")
    assert reads(page, ".stage .overlay", (corner["x"] + 2, corner["y"] - 4), "12px sans-serif", candidates) == "#2 Man"
    top = page.evaluate("tracklabel.player.toPixels({x: 20, y: 50})")
    assert reads(page, ".stage .overlay", (top["x"] + 2, top["y"] - 6), "12px sans-serif", candidates) == "#3 Man"
    point = page.evaluate("tracklabel.player.toPixels({x: 70, y: 60})")
    assert reads(page, ".stage .overlay", (point["x"] + 9, point["y"] - 7), "12px sans-serif", candidates) == "#4 Man"


# Each kind's region: a keyframe, where its caption begins (the baseline's left end: a point in
# percent and an offset in px) and where its handles are (a point in percent and a rectangle in
# px about it wholly inside a handle and clear of the shape's lines).
LOCKABLE = {
    "box": (key(1, **rect(20, 40, 40, 30)), (20, 40), (2, -4),
            [((20, 40), (-3, -1.5, -3, -1.5)), ((60, 70), (1.5, 3, 1.5, 3)), ((40, 40), (-1, 1, -23, -21))]),
    "poly": (key(1, points=[[40, 40], [70, 80], [20, 80]]), (40, 40), (2, -6), [((70, 80), (-1, 1, 2, 4))]),
    "point": (key(1, x=50, y=50), (50, 50), (9, -7), []),
}


def caption_end(page, anchor):
    """The right end of what is drawn on the caption's line (its glyphs' upper part)."""
    x, y = anchor
    strip = Picture(page, ".stage .overlay", x - 2, y - 12, 220, 6)
    (drawn,) = np.nonzero((strip.pixels[:, :, 3] > 100).any(axis=0))
    return strip.left + int(drawn.max())


@pytest.mark.parametrize("name", LOCKABLE)
def test_a_locked_region_shows_no_handles_and_a_lock(page, server, name):
    keyframe, at, offset, handles = LOCKABLE[name]
    opened(page, server, [region("a", name, 90, keyframe)])
    page.evaluate("tracklabel.selectRegion('a')")
    corner = page.evaluate(f"tracklabel.player.toPixels({{x: {at[0]}, y: {at[1]}}})")
    anchor = (corner["x"] + offset[0], corner["y"] + offset[1])

    def handle_pixels():
        """The most opaque pixel of each handle's rectangle."""
        picture = overlay(page)
        spots = [page.evaluate(f"tracklabel.player.toPixels({{x: {x}, y: {y}}})") for (x, y), _ in handles]
        return [picture.alphas(s["x"] + x0, s["x"] + x1, s["y"] + y0, s["y"] + y1).max()
                for s, (_, (x0, x1, y0, y1)) in zip(spots, handles)]

    assert all(alpha > 200 for alpha in handle_pixels())
    unlocked = caption_end(page, anchor)
    page.click(".region[data-region=a] button[data-action=lock]")
    page.wait_for_function("tracklabel.player.locked.has('a') && tracklabel.player.selected === 'a'")
    assert all(alpha < 20 for alpha in handle_pixels())
    assert caption_end(page, anchor) >= unlocked + 8  # a lock mark after the name


def test_the_zoom_of_the_video_and_the_timeline_span_are_shown(page, server):
    opened(page, server, [])
    badge, span = ".view-controls .zoom-level", ".timeline-head .timeline-span"
    shown = "Math.round(tracklabel.player.view().width / tracklabel.player.video.videoWidth * 100) + '%'"
    page.wait_for_function(f"document.querySelector({badge!r})?.textContent === {shown}")
    fit = page.text_content(badge)
    assert fit != "100%"  # 320 px of video on a wider stage
    assert "fit" in page.get_attribute(badge, "title")
    page.click("button[data-action=zoom-in]")
    page.wait_for_function(f"tracklabel.player.viewport.zoom === 1.25 && "
                           f"document.querySelector({badge!r}).textContent === {shown}")
    page.click("button[data-action=zoom-100]")
    page.wait_for_function(f"document.querySelector({badge!r}).textContent === '100%'")
    page.click(badge)  # back to fit
    page.wait_for_function(f"tracklabel.player.viewport.zoom === 1 && document.querySelector({badge!r}).textContent === {fit!r}")

    assert page.text_content(span) == "frames 1–90 of 90"
    page.click("button[data-action=timeline-zoom-in]")
    page.wait_for_function(f"document.querySelector({span!r}).textContent === 'frames 1–72 of 90'")
