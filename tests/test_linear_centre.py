"""`linear-centre`: centre, size and angle linear between keyframes (CVAT's rule for rotated
boxes), in Label Studio's stored form, with `linear`'s lifespan rules."""

import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from box_keyframes import keyframes
from host_support import settle
from scenes import make_scene, write_video
from tracklabel.core.cli import main
from tracklabel.core.geometry import corners, to_pixels
from tracklabel.core.interpolate import frame_range, progress
from tracklabel.core.schema import BoxKeyframe
from tracklabel.core.track import Track, norm_angle

SIZES = [None, (640, 360), (360, 640), (1920, 1080), (100, 100)]



def centres(x, y, width, height, rotation, size):
    """The box's centre in pixels (the mean of its corners), size None counting as 100 x 100."""
    w, h = size or (100, 100)
    xs, ys = corners(*to_pixels(np.asarray(x), np.asarray(y), np.asarray(width), np.asarray(height), w, h),
                     np.asarray(rotation))
    return xs.mean(axis=-1), ys.mean(axis=-1)


def centre_boxes(registry, track, frames, size):
    interpolator = registry.interpolator("linear-centre")
    return interpolator.boxes(track, frames) if size is None else interpolator.boxes(track, frames, size=size)


def no_half_turn(keys):
    """Half a turn between keyframes goes either way round (float noise picks one)."""
    for s, e in zip(keys, keys[1:]):
        assume(abs(abs(norm_angle(e.rotation - s.rotation)) - 180) > 1e-6)


def test_registered_as_a_builtin(registry):
    from tracklabel.plugins import DEFAULT_PLUGINS

    assert "tracklabel.plugins.interpolators.linear_centre" in DEFAULT_PLUGINS
    assert registry.interpolator("linear-centre").name == "linear-centre"
    assert not registry.interpolator("linear-centre").needs_video
    assert registry.interpolator("linear-centre").needs_size  # the frame's size is passed


@settings(max_examples=200, deadline=None)
@given(keyframes, st.sampled_from(SIZES))
def test_keyframes_come_back_exactly_and_are_held_after_the_last(registry, keys, size):
    last = keys[-1].frame + 3
    boxes = centre_boxes(registry, Track.from_keyframes(keys), frame_range(last), size)
    for k in keys:
        i = k.frame - 1
        assert boxes.visible[i] and boxes.keyframe[i]
        assert (boxes.x[i], boxes.y[i], boxes.width[i], boxes.height[i], boxes.rotation[i]) == (
            k.x, k.y, k.width, k.height, k.rotation)
    k = keys[-1]
    for i in range(k.frame, last):
        assert (boxes.x[i], boxes.y[i], boxes.width[i], boxes.height[i], boxes.rotation[i]) == (
            k.x, k.y, k.width, k.height, k.rotation)


@settings(max_examples=200, deadline=None)
@given(keyframes, st.sampled_from(SIZES))
def test_the_centre_moves_linearly_between_keyframes(registry, keys, size):
    no_half_turn(keys)
    boxes = centre_boxes(registry, Track.from_keyframes(keys), frame_range(keys[-1].frame), size)
    cx, cy = centres(boxes.x, boxes.y, boxes.width, boxes.height, boxes.rotation, size)
    for s, e in zip(keys, keys[1:]):
        (sx, ex), (sy, ey) = centres([s.x, e.x], [s.y, e.y], [s.width, e.width], [s.height, e.height],
                                     [s.rotation, e.rotation], size)
        inside = np.arange(s.frame, e.frame + 1) - 1
        r = (boxes.frame[inside] - s.frame) / (e.frame - s.frame)
        # on the line from the start's centre to the end's, as far along as the time is
        assert cx[inside] == pytest.approx(sx + (ex - sx) * r, abs=1e-6)
        assert cy[inside] == pytest.approx(sy + (ey - sy) * r, abs=1e-6)
        # collinear and evenly spaced: every frame's step the same
        if len(inside) > 2:
            assert np.diff(cx[inside]) == pytest.approx(np.full(len(inside) - 1, (ex - sx) / (e.frame - s.frame)), abs=1e-6)
            assert np.diff(cy[inside]) == pytest.approx(np.full(len(inside) - 1, (ey - sy) / (e.frame - s.frame)), abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(keyframes, st.integers(1, 70), st.sampled_from(SIZES))
def test_size_rotation_and_lifespan_are_linears(registry, keys, frames_count, size):
    """Width and height linear, rotation the shortest way round, and the lifespan (enabled
    false ends it, nothing before the first keyframe): what `linear` gives, to the bit."""
    t = Track.from_keyframes(keys)
    frames = frame_range(frames_count)
    linear = registry.interpolator("linear").boxes(t, frames)
    centre = centre_boxes(registry, t, frames, size)
    for field in ("frame", "visible", "keyframe", "width", "height", "rotation"):
        assert np.array_equal(getattr(centre, field), getattr(linear, field)), field


@settings(max_examples=200, deadline=None)
@given(keyframes, st.integers(1, 70), st.sampled_from(SIZES))
def test_unrotated_boxes_move_as_under_linear(registry, keys, frames_count, size):
    keys = [BoxKeyframe(frame=k.frame, x=k.x, y=k.y, width=k.width, height=k.height, rotation=0.0,
                        enabled=k.enabled) for k in keys]
    t = Track.from_keyframes(keys)
    frames = frame_range(frames_count)
    linear = registry.interpolator("linear").boxes(t, frames)
    centre = centre_boxes(registry, t, frames, size)
    assert np.array_equal(centre.visible, linear.visible) and np.array_equal(centre.keyframe, linear.keyframe)
    assert (centre.rotation == 0).all()
    assert centre.x == pytest.approx(linear.x, abs=1e-9, nan_ok=True)
    assert centre.y == pytest.approx(linear.y, abs=1e-9, nan_ok=True)


@settings(max_examples=50, deadline=None)
@given(keyframes, st.permutations(list(range(-3, 75))))
def test_any_frame_order_gives_the_same_boxes(registry, keys, order):
    t = Track.from_keyframes(keys)
    frames = np.array(order)
    interpolator = registry.interpolator("linear-centre")
    shuffled, ascending = interpolator.boxes(t, frames), interpolator.boxes(t, np.sort(frames))
    rank = np.argsort(np.argsort(frames))
    for field in ("x", "y", "width", "height", "rotation", "visible", "keyframe"):
        assert np.array_equal(getattr(shuffled, field), getattr(ascending, field)[rank]), field


def test_worked_example_lifespan(registry):
    keys = [BoxKeyframe(frame=f, x=x, y=5.0, width=10.0, height=20.0, rotation=0.0, enabled=on)
            for f, x, on in ((1, 10.0, True), (5, 20.0, False), (8, 40.0, True))]
    boxes = registry.interpolator("linear-centre").boxes(Track.from_keyframes(keys), frame_range(10))
    shown = {int(f): float(x) for f, x, v in zip(boxes.frame, boxes.x, boxes.visible) if v}
    assert shown == pytest.approx({1: 10.0, 2: 12.5, 3: 15.0, 4: 17.5, 5: 20.0, 8: 40.0, 9: 40.0, 10: 40.0})


def test_the_issues_86_degree_turn(registry):
    """A 64 x 48 px box on a 640 x 360 frame turns 86 degrees about its centre while the centre
    moves 100 px right: `linear` (corner, size, angle apart) is ~11 px off the centre's line at
    the middle; `linear-centre` keeps the centre on it."""
    size = (640, 360)
    w, h = 64 / 6.4, 48 / 3.6  # percent

    def corner(cx, cy, rotation):
        dx, dy = centres([0.0], [0.0], [w], [h], [rotation], size)  # corner to centre, px
        return (cx - dx[0]) / 6.4, (cy - dy[0]) / 3.6

    keys = [BoxKeyframe(frame=f, x=x, y=y, width=w, height=h, rotation=r, enabled=True)
            for f, (x, y), r in ((1, corner(200.0, 180.0, 0.0), 0.0), (11, corner(300.0, 180.0, 86.0), 86.0))]
    t = Track.from_keyframes(keys)
    middle = np.array([6])
    lin = registry.interpolator("linear").boxes(t, middle)
    cen = registry.interpolator("linear-centre").boxes(t, middle, size=size)
    lx, ly = centres(lin.x, lin.y, lin.width, lin.height, lin.rotation, size)
    cx, cy = centres(cen.x, cen.y, cen.width, cen.height, cen.rotation, size)
    assert np.hypot(lx[0] - 250.0, ly[0] - 180.0) == pytest.approx(40 * (1 - np.cos(np.radians(43))), abs=1e-9)
    assert 10.5 < np.hypot(lx[0] - 250.0, ly[0] - 180.0) < 11.5
    assert (cx[0], cy[0]) == pytest.approx((250.0, 180.0), abs=1e-9)
    assert (cen.width[0], cen.height[0], cen.rotation[0]) == pytest.approx((w, h, 43.0))


def test_a_rotated_box_on_a_square_frame(registry):
    """A 20 x 10 box turning 0 -> 90 about its centre (50, 50): the corner goes round it."""
    keys = [BoxKeyframe(frame=1, x=40.0, y=45.0, width=20.0, height=10.0, rotation=0.0, enabled=True),
            BoxKeyframe(frame=3, x=55.0, y=40.0, width=20.0, height=10.0, rotation=90.0, enabled=True)]
    boxes = registry.interpolator("linear-centre").boxes(Track.from_keyframes(keys), frame_range(3))
    half = np.hypot(10.0, 5.0)
    angle = np.radians(45.0) + np.arctan2(5.0, 10.0)  # the half diagonal turned 45 degrees
    assert (boxes.x[1], boxes.y[1]) == pytest.approx((50.0 - half * np.cos(angle), 50.0 - half * np.sin(angle)))
    assert boxes.rotation[1] == 45.0


def test_empty_track_and_progress(registry):
    interpolator = registry.interpolator("linear-centre")
    assert not interpolator.boxes(Track.from_keyframes([]), frame_range(5)).visible.any()
    frame, enabled = np.array([2, 6, 9]), np.array([True, False, True])
    _, fraction, _, _ = progress(interpolator, frame, enabled, np.arange(1, 12))
    assert fraction == pytest.approx([0, 0, 0.25, 0.5, 0.75, 0, 1 / 3, 2 / 3, 0, 0, 0])


# --- chosen by a config: `config check` and an export through the command line ---

def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


TURN = [
    {"frame": 1, "x": 40, "y": 45, "width": 20, "height": 10, "rotation": 0, "enabled": True},
    {"frame": 3, "x": 55, "y": 40, "width": 20, "height": 10, "rotation": 90, "enabled": True},
]


def linear_centre_export(tmp_path, *options, **region_fields):
    """`tracklabel export --format jsonl` of one turning box under a config choosing
    linear-centre: the click result."""
    config = tmp_path / "c.xml"
    config.write_text('<View><Video name="video" value="$video"/>'
                      '<VideoRectangle name="box" toName="video" interpolation="linear-centre"/></View>')
    result = run("config", "check", config)
    assert result.exit_code == 0, result.output
    region = {"id": "r", "type": "videorectangle", "from_name": "box", "to_name": "video", **region_fields,
              "value": {"sequence": TURN, "labels": ["Man"], "framesCount": 3}}
    tasks = tmp_path / "t.json"
    tasks.write_text(json.dumps([{"id": 1, "data": {"video": "v.mp4"}, "annotations": [{"result": [region]}]}]))
    return CliRunner().invoke(main, ["export", str(tasks), "--config", str(config), "--format", "jsonl",
                                     "--out", "-", *options])


@pytest.mark.parametrize("given", ["region", "options"])
def test_a_config_chooses_it_and_the_export_uses_it_at_the_frames_size(tmp_path, registry, given):
    """The frame's size comes from the region (Label Studio's original_width and _height) or
    from --width and --height, and the centre is the one on screen at that size."""
    if given == "region":
        result = linear_centre_export(tmp_path, original_width=640, original_height=360)
    else:
        result = linear_centre_export(tmp_path, "--width", "640", "--height", "360")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    keys = Track.from_keyframes([BoxKeyframe(**k) for k in TURN])
    expected = registry.interpolator("linear-centre").boxes(keys, frame_range(3), size=(640, 360))
    square = registry.interpolator("linear-centre").boxes(keys, frame_range(3))
    linear = registry.interpolator("linear").boxes(keys, frame_range(3))
    assert [row["x"] for row in rows] == pytest.approx(expected.x.tolist())
    assert [row["y"] for row in rows] == pytest.approx(expected.y.tolist())
    assert abs(rows[1]["x"] - linear.x[1]) > 1  # not linear's corner
    assert abs(rows[1]["y"] - square.y[1]) > 1  # nor the centre of a square frame


def test_an_export_without_the_frames_size_says_what_to_pass(tmp_path):
    result = linear_centre_export(tmp_path)
    assert result.exit_code == 2, result.output
    assert "task 1" in result.output and "'linear-centre' needs the video's width and height" in result.output
    assert "--width and --height" in result.output


@pytest.fixture
def turning_task(admin, tmp_path):
    """A task of a linear-centre project whose video is 320 x 180."""
    config = ('<View><Labels name="label" toName="video"><Label value="Man"/></Labels>'
              '<Video name="video" value="$video"/>'
              '<VideoRectangle name="box" toName="video" interpolation="linear-centre"/></View>')
    project = admin.post("/api/projects", json={"title": "Turns", "label_config": config}).json["id"]
    (tmp_path / "media").mkdir()
    write_video(make_scene(10, (320, 180)), tmp_path / "media" / "clip.mp4")
    task = admin.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": "clip.mp4"}}]).json["tasks"][0]
    settle(admin, task)
    return project, task


def turning_region(**fields):
    return {"id": "r", "type": "videorectangle", "from_name": "box", "to_name": "video", **fields,
            "value": {"sequence": TURN, "labels": ["Man"], "framesCount": 3}}


def test_the_host_shapes_it_at_the_videos_size(admin, turning_task, registry):
    """The player's boxes (the tracks route) turn about the centre on screen of the task's
    320 x 180 video."""
    _, task = turning_task
    response = admin.post(f"/api/tasks/{task}/tracks", json={"result": [turning_region()]})
    assert response.status_code == 200, response.json
    (track,) = response.json["regions"]
    keys = Track.from_keyframes([BoxKeyframe(**k) for k in TURN])
    expected = registry.interpolator("linear-centre").boxes(keys, frame_range(3), size=(320, 180))
    assert track["x"] == pytest.approx(expected.x.tolist()) and track["y"] == pytest.approx(expected.y.tolist())


def test_the_players_boxes_and_the_hosts_export_take_the_size_alike(admin, turning_task, registry):
    """A region that says its own frame size (Label Studio's original_width and _height, here
    400 x 400 on a 320 x 180 video) is shaped at it both in the player and in the export."""
    project, task = turning_task
    annotation = admin.post(f"/api/tasks/{task}/annotations",
                            json={"result": [turning_region(original_width=400, original_height=400)]}).json["id"]
    (track,) = admin.get(f"/api/annotations/{annotation}/tracks").json["regions"]
    rows = [json.loads(line) for line in admin.get(f"/api/projects/{project}/export?format=jsonl").data.splitlines()]
    keys = Track.from_keyframes([BoxKeyframe(**k) for k in TURN])
    expected = registry.interpolator("linear-centre").boxes(keys, frame_range(3), size=(400, 400))
    assert track["x"] == pytest.approx(expected.x.tolist()) and track["y"] == pytest.approx(expected.y.tolist())
    assert [row["x"] for row in rows] == pytest.approx(track["x"]) and [row["y"] for row in rows] == pytest.approx(track["y"])
