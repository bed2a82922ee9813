"""<VideoKeyPoint>: one tracked point per region. Interpolation, geometry, loading, bad input
(CLI exit 2, host 400, nothing stored), the host's tracks, ls-json, and tracking on a clip."""

import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from point_tags import CONFIG, FRAMES, SIZE, keypoint, make_task, moving_clip, write_tasks
from tracklabel.core.autotrack import track_region
from tracklabel.core.cli import main
from tracklabel.core.config import parse_config
from tracklabel.core.decoding import Video
from tracklabel.core.errors import ConfigError, SchemaError
from tracklabel.core.interpolate import frame_range
from tracklabel.core.tasks import load_tasks, parse_tasks
from tracklabel.core.track import Track
from tracklabel.plugins.tags.videokeypoint import PATCH_PX, KeyPointKeyframe, VideoKeyPointValue


def value(*keys):
    """A normalised value from (frame, x, y, enabled), in frame order."""
    return VideoKeyPointValue(framesCount=100, sequence=[
        KeyPointKeyframe(frame=f, x=x, y=y, enabled=e) for f, x, y, e in sorted(keys)])


def shapes_of(registry, val, frames, interpolator="linear"):
    return registry.region_tag("videokeypoint").shapes(val, np.asarray(frames), registry.interpolator(interpolator))


def test_worked_example(registry):
    """docs/frames.md's worked example, for a point."""
    columns = shapes_of(registry, value((1, 10, 50, True), (5, 20, 50, False), (8, 40, 60, True)),
                        frame_range(10)).columns()
    assert columns["visible"] == [True] * 5 + [False, False] + [True] * 3
    assert columns["x"] == pytest.approx([10, 12.5, 15, 17.5, 20, 20 + 20 / 3, 20 + 40 / 3, 40, 40, 40])
    assert columns["keyframe"] == [f in (1, 5, 8) for f in range(1, 11)]
    assert set(columns) == {"frame", "visible", "keyframe", "x", "y"}
    step = shapes_of(registry, value((1, 10, 50, True), (5, 20, 50, True)), frame_range(6), "step")
    assert step.x.tolist() == [10] * 4 + [20] * 2


coordinate = st.floats(-1, 101, allow_nan=False)
keyframes = st.lists(st.tuples(st.integers(1, 40), coordinate, coordinate, st.booleans()),
                     min_size=1, max_size=6, unique_by=lambda k: k[0]).map(sorted)


@settings(max_examples=150, deadline=None)
@given(keyframes)
def test_points_are_the_rectangles_top_left_corners(registry, keys):
    """A point moves, shows and hides as a zero-size videorectangle at the same place would."""
    frames = frame_range(keys[-1][0] + 2)
    shapes = shapes_of(registry, value(*keys), frames)
    zero = np.zeros(len(keys))
    track = Track(np.array([k[0] for k in keys]), np.array([k[1] for k in keys]), np.array([k[2] for k in keys]),
                  zero, zero, zero, np.array([k[3] for k in keys]))
    boxes = registry.interpolator("linear").boxes(track, frames)
    for name in ("visible", "keyframe", "x", "y"):
        assert getattr(shapes, name).tolist() == getattr(boxes, name).tolist(), name
    for frame, x, y, _ in keys:
        assert (shapes.x[frame - 1], shapes.y[frame - 1]) == (x, y)


def test_geometry_is_the_point(registry):
    shapes = shapes_of(registry, value((1, 10, 50, True)), [1, 2])
    assert [v.tolist() for v in shapes.bbox(200, 100)] == [[20, 20], [50, 50], [0, 0], [0, 0]]
    assert shapes.area(200, 100).tolist() == [0, 0]
    assert [p.tolist() for p in shapes.outline(200, 100)] == [[[20, 50]], [[20, 50]]]
    assert shapes.kind == "point" and not shapes.closed


def test_tasks_load_and_bad_points_are_refused_with_their_path(registry):
    config = parse_config(CONFIG, registry)
    assert config.by_name["spot"].attrs["interpolation"] == "linear"
    region = keypoint("k", [(2, 10, 20, True)])
    region["value"]["sequence"][0]["note"] = "mine"
    loaded = parse_tasks(json.dumps([{"data": {}, "annotations": [{"result": [region]}]}]), registry, config)
    point = loaded.tasks[0].annotations[0].result[0]
    assert (point.value.sequence[0].x, point.value.sequence[0].extra) == (10, {"note": "mine"})
    bad = keypoint("k", [(2, 10, 20, True), (3, -1.01, 20, True)])
    with pytest.raises(SchemaError) as error:
        load_tasks([{"data": {}, "annotations": [{"result": [bad]}]}], registry, source="t.json")
    assert [str(p) for p in error.value.problems] == [
        "t.json: $[0].annotations[0].result[0].value.sequence[1].x: Expected `float` >= -1.0, got -1.01"]
    with pytest.raises(ConfigError, match="follows boxes in the picture"):
        parse_config(CONFIG.replace('name="spot"', 'name="spot" interpolation="image-guided"'), registry)


@pytest.mark.parametrize("command", [["export", "--format", "ls-json"], ["convert", "--from", "ls-json", "--to", "jsonl"]])
def test_cli_refuses_a_point_outside_the_tolerance(tmp_path, command):
    tasks = write_tasks(tmp_path, keypoint("k", [(1, 50, 101.5, True)]))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [command[0], str(tasks), *command[1:], "--out", str(out),
                                       "--width", "320", "--height", "180", "--fps", "25"])
    assert result.exit_code == 2, result.output
    assert f"{tasks}: $[0].annotations[0].result[0].value.sequence[0].y: Expected `float` <= 101.0" in result.stderr
    assert not out.exists()


def test_ls_json_keeps_points_exactly(tmp_path):
    region = keypoint("k", [(1, 10, 20.5, True), (9, 100.5, -0.5, False)])
    for key in region["value"]["sequence"]:
        key["time"] = key["frame"] / 25
    region["value"]["sequence"][0]["extra"] = [1, 2]
    region["value"]["duration"] = 0.4
    tasks = write_tasks(tmp_path, region)
    result = CliRunner().invoke(main, ["export", str(tasks), "--format", "ls-json", "--out", str(tmp_path / "o.json")])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "o.json").read_text()) == json.loads(tasks.read_text())


# --- the host ---

@pytest.fixture
def task(admin):
    return make_task(admin)


def test_host_refuses_a_bad_point_with_400_and_stores_nothing(annotator, task):
    response = annotator.post(f"/api/tasks/{task}/annotations",
                              json={"result": [keypoint("k", [(1, 50, 20, True), (3, 102, 20, True)])]})
    assert response.status_code == 400, response.json
    assert response.json["path"] == "$.result[0].value.sequence[1].x"
    assert annotator.get(f"/api/tasks/{task}/annotations").json == []


def test_host_tracks_give_point_columns(annotator, task):
    body = {"result": [keypoint("k", [(1, 10, 20, True), (3, 20, 30, True)])]}
    response = annotator.post(f"/api/tasks/{task}/tracks?to=4", json=body)
    assert response.status_code == 200, response.json
    (track,) = response.json["regions"]
    assert (track["id"], track["type"], track["label"]) == ("k", "videokeypoint", "Wheel")
    assert track["frame"] == [1, 2, 3, 4] and track["keyframe"] == [True, False, True, False]
    assert (track["x"], track["y"]) == ([10, 15, 20, 20], [20, 25, 30, 30])


# --- tracking ---

@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return moving_clip(tmp_path_factory.mktemp("clip"))


def centre(box):
    """The centre of a px box, in percent."""
    x, y, w, h = (float(v) for v in box)
    return [(x + w / 2) * 100 / SIZE[0], (y + h / 2) * 100 / SIZE[1]]


def tracked_points(registry, sequence, frames):
    """(n, 2) percent points at these frames from the region's keyframes."""
    region = keypoint("k", [(k["frame"], k["x"], k["y"], k["enabled"]) for k in sequence], FRAMES)
    loaded = load_tasks([{"data": {}, "annotations": [{"result": [region]}]}], registry)
    shapes = shapes_of(registry, loaded.tasks[0].annotations[0].result[0].value, frames)
    assert shapes.visible.all()
    return np.stack([shapes.x, shapes.y], axis=1)


def pixel_error(points, scene, frames):
    truth = np.array([centre(b) for b in scene.boxes[frames - 1]])
    return np.hypot(*((points - truth) * [SIZE[0] / 100, SIZE[1] / 100]).T)


def test_track_box_is_a_textured_patch_inside_the_frame(registry):
    tag = registry.region_tag("videokeypoint")
    middle = tag.track_box(shapes_of(registry, value((1, 50, 50, True)), [1]), 320, 180)
    assert middle == pytest.approx((50 - 100 * 12 / 320, 50 - 100 * 12 / 180, 100 * PATCH_PX / 320, 100 * PATCH_PX / 180))
    corner = tag.track_box(shapes_of(registry, value((1, 100, 0, True)), [1]), 1920, 1080)
    assert corner == pytest.approx((100 - 100 * 54 / 1920, 0, 100 * 54 / 1920, 5))  # 5 % of 1080 px
    moved = tag.tracked_keyframe({"x": 100, "y": 0}, corner, (corner[0] - 10, 3, corner[2], corner[3]))
    assert moved == pytest.approx({"x": 90, "y": 3})


def test_tracking_moves_the_point_with_the_object(registry, clip):
    scene, path = clip
    region = keypoint("k", [(1, *centre(scene.boxes[0]), True)], FRAMES)
    loaded = load_tasks([{"data": {}, "annotations": [{"result": [region]}]}], registry)
    with Video(path, registry.decoder("pyav")) as video:
        result = track_region(video, loaded.tasks[0].annotations[0].result[0], registry.region_tag("videokeypoint"),
                              1, registry.tracker("kcf")(), registry.interpolator("linear"), fps=25)
    assert result.lost_at is None and result.frames[-1] == FRAMES
    assert result.sequence[0] == region["value"]["sequence"][0]
    assert all(k["auto"] and set(k) >= {"x", "y"} for k in result.sequence[1:])
    frames = np.arange(1, FRAMES + 1)
    assert pixel_error(tracked_points(registry, result.sequence, frames), scene, frames).max() <= 6


def test_cli_tracks_a_point(tmp_path, registry, clip):
    scene, path = clip
    (tmp_path / "clip.mp4").write_bytes(path.read_bytes())
    tasks = write_tasks(tmp_path, keypoint("k", [(20, *centre(scene.boxes[19]), True)], FRAMES))
    out = tmp_path / "out.json"
    result = CliRunner().invoke(main, ["track", str(tasks), "--region", "k", "--from", "20", "--backward",
                                       "--out", str(out), "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    sequence = json.loads(out.read_text())[0]["annotations"][0]["result"][0]["value"]["sequence"]
    assert sequence[0]["frame"] == 1 and sequence[-1]["frame"] == 20
    frames = np.arange(1, 21)
    assert pixel_error(tracked_points(registry, sequence, frames), scene, frames).max() <= 6
