"""<VideoPolygon>: interpolation (properties with hypothesis), geometry, loading, bad input
(CLI exit 2, host 400, nothing stored), the host's tracks, ls-json, and tracking on a clip."""

import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from point_tags import CONFIG, FRAMES, SIZE, make_task, moving_clip, polygon, write_tasks
from tracklabel.core.autotrack import track_region
from tracklabel.core.cli import main
from tracklabel.core.config import parse_config
from tracklabel.core.decoding import Video
from tracklabel.core.errors import ConfigError, SchemaError
from tracklabel.core.geometry import iou
from tracklabel.core.interpolate import Interpolator, frame_range
from tracklabel.core.tasks import load_tasks, parse_tasks
from tracklabel.core.track import Boxes, Track, lifespan
from tracklabel.plugins.tags.videopolygon import (PolygonKeyframe, VideoPolygonValue, matched,
                                                  merged_positions, outline_positions)

SQUARE = [[10, 10], [20, 10], [20, 20], [10, 20]]
TRIANGLE = [[30, 10], [40, 20], [30, 20]]


def value(*keys):
    """A normalised value from (frame, points, enabled), in frame order."""
    return VideoPolygonValue(framesCount=100, sequence=[
        PolygonKeyframe(frame=f, points=p, enabled=e) for f, p, e in sorted(keys, key=lambda k: k[0])])


def shapes_of(registry, val, frames, interpolator="linear"):
    return registry.region_tag("videopolygon").shapes(val, np.asarray(frames), registry.interpolator(interpolator))


def box_lifespan(keys, frames):
    """What a videorectangle with keyframes on the same frames shows (visible, keyframe)."""
    track = Track(*(np.array(v) for v in (
        [k[0] for k in keys], [0.0] * len(keys), [0.0] * len(keys), [1.0] * len(keys), [1.0] * len(keys),
        [0.0] * len(keys), [k[2] for k in keys])))
    _, exact, visible = lifespan(track, frames)
    return visible, exact


def distance_to_outline(points, outline):
    """Each point's distance to the closed outline (its edges as segments)."""
    a = np.asarray(outline, dtype=np.float64)
    b = np.roll(a, -1, axis=0)
    p = np.asarray(points, dtype=np.float64)[:, None, :]
    edge = b - a
    length = np.maximum((edge ** 2).sum(axis=1), 1e-300)
    t = np.clip(((p - a) * edge).sum(axis=2) / length, 0.0, 1.0)
    nearest = a + t[..., None] * edge
    return np.sqrt(((p - nearest) ** 2).sum(axis=2)).min(axis=1)


# --- worked examples ---

def test_equal_counts_move_each_point_linearly(registry):
    moved = [[x + 10, y + 20] for x, y in SQUARE]
    shapes = shapes_of(registry, value((1, SQUARE, True), (5, moved, True)), frame_range(6))
    assert shapes.points[2].tolist() == [[x + 5, y + 10] for x, y in SQUARE]
    assert shapes.points[0].tolist() == SQUARE and shapes.points[4].tolist() == moved
    assert shapes.points[5].tolist() == moved  # held after the last keyframe
    assert shapes.keyframe.tolist() == [True, False, False, False, True, False]


def test_different_counts_are_resampled_and_keyframes_stay_exact(registry):
    shapes = shapes_of(registry, value((1, SQUARE, True), (3, TRIANGLE, True)), frame_range(3))
    assert shapes.points[0].tolist() == SQUARE and shapes.points[2].tolist() == TRIANGLE
    first, second = matched(np.array(SQUARE, float), np.array(TRIANGLE, float))
    assert len(shapes.points[1]) == len(first) == len(second) == 6  # 0, 1/4 .. and the triangle's
    assert np.allclose(shapes.points[1], (first + second) / 2)


def _turn(points):
    """The sign of the outline's signed area: which way round it turns."""
    x, y = np.asarray(points, float).T
    return np.sign(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def test_resampling_turns_both_outlines_the_same_way_and_keeps_repeated_points():
    square = np.array(SQUARE, float)
    backwards = np.array(TRIANGLE[::-1], float)
    assert _turn(square) != _turn(backwards)
    first, second = matched(square, backwards)
    assert _turn(first) == _turn(second) and second[0].tolist() == backwards[0].tolist()
    repeated = np.array([[10, 10], [10, 10], [20, 10], [20, 20]], float)
    first, second = matched(repeated, np.array(TRIANGLE, float))
    assert len(first) == len(second) >= 5 and first[:2].tolist() == [[10, 10], [10, 10]]


def test_step_holds_each_keyframe(registry):
    shapes = shapes_of(registry, value((1, SQUARE, True), (4, TRIANGLE, True)), frame_range(5), "step")
    assert [p.tolist() for p in shapes.points] == [SQUARE] * 3 + [TRIANGLE] * 2


class Squared(Interpolator):
    """A plugin interpolator: x, y, width and height go the square of the way between keyframes."""

    name = "squared"

    def boxes(self, track, frames):
        idx, exact, visible = lifespan(track, frames)
        start = np.maximum(idx, 0)
        end = np.minimum(start + 1, len(track) - 1)
        span = np.maximum(track.frame[end] - track.frame[start], 1)
        weight = np.where(idx >= 0, (frames - track.frame[start]) / span, 0.0) ** 2
        moved = [v[start] + (v[end] - v[start]) * weight for v in (track.x, track.y, track.width, track.height)]
        return Boxes(frames, visible, exact, *moved, track.rotation[start])


def test_the_regions_interpolator_sets_how_far_points_go(registry):
    moved = [[x + 40, y] for x, y in SQUARE]
    shapes = registry.region_tag("videopolygon").shapes(value((1, SQUARE, True), (5, moved, True)),
                                                        frame_range(5), Squared())
    assert np.allclose(shapes.points[2], np.array(SQUARE) + [10, 0])  # (2/4)² of 40


# --- properties ---

coordinate = st.one_of(st.integers(-1, 101), st.floats(-1, 101, allow_nan=False))
outline = st.lists(st.tuples(coordinate, coordinate).map(list), min_size=3, max_size=7)
keyframes = st.lists(st.tuples(st.integers(1, 40), outline, st.booleans()),
                     min_size=1, max_size=6, unique_by=lambda k: k[0]).map(sorted)


@settings(max_examples=150, deadline=None)
@given(keyframes)
def test_every_keyframe_shows_its_points_exactly_and_the_lifespan_is_the_rectangles(registry, keys):
    frames = frame_range(keys[-1][0] + 3)
    shapes = shapes_of(registry, value(*keys), frames)
    for frame, points, _ in keys:
        assert shapes.keyframe[frame - 1] and shapes.visible[frame - 1]
        assert shapes.points[frame - 1].tolist() == np.asarray(points, float).tolist()
    visible, exact = box_lifespan(keys, frames)
    assert shapes.visible.tolist() == visible.tolist() and shapes.keyframe.tolist() == exact.tolist()
    for name in ("linear", "step"):
        other = shapes_of(registry, value(*keys), frames[::-1], name)  # any frame order
        assert other.visible.tolist() == visible[::-1].tolist()


@settings(max_examples=150, deadline=None)
@given(keyframes)
def test_between_keyframes_points_move_along_their_segments(registry, keys):
    shapes = shapes_of(registry, value(*keys), frame_range(keys[-1][0]))
    for (f0, a, _), (f1, b, _) in zip(keys, keys[1:]):
        a, b = np.asarray(a, float), np.asarray(b, float)
        first, second = matched(a, b)
        if len(a) == len(b):
            assert (first is a) and (second is b)
        else:
            positions = merged_positions(outline_positions(a), outline_positions(b))
            assert len(first) == len(second) == len(positions) >= max(len(a), len(b))
            assert len(positions) <= len(a) + len(b) - 1  # both have a vertex at 0
            for original, resampled in ((a, first), (b, second)):  # each traces its own outline
                assert distance_to_outline(resampled, original).max() <= 1e-9
                kept = [(resampled == vertex).all(axis=1).sum() for vertex in original]
                assert all(n >= list(original.tolist()).count(v) for n, v in zip(kept, original.tolist()))
        for f in range(f0 + 1, f1):
            r = (f - f0) / (f1 - f0)
            got = shapes.points[f - 1]
            assert got.shape == first.shape
            assert np.allclose(got, first + (second - first) * r, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(keyframes, st.sampled_from([(640, 480), (1920, 1080), (100, 100)]))
def test_bbox_and_area_agree_with_the_outline(registry, keys, size):
    shapes = shapes_of(registry, value(*keys), frame_range(keys[-1][0] + 1)).only_visible()
    left, top, width, height = shapes.bbox(*size)
    area = shapes.area(*size)
    for i, points in enumerate(shapes.outline(*size)):
        assert np.allclose(points, shapes.points[i] * [size[0] / 100, size[1] / 100])
        assert (left[i], top[i]) == pytest.approx(points.min(axis=0).tolist())
        assert (left[i] + width[i], top[i] + height[i]) == pytest.approx(points.max(axis=0).tolist())
        x, y = points[:, 0], points[:, 1]
        shoelace = abs(sum(x[j] * y[j - len(x) + 1] - x[j - len(x) + 1] * y[j] for j in range(len(x)))) / 2
        assert area[i] == pytest.approx(shoelace, rel=1e-9, abs=1e-6)


def test_columns_give_the_points_per_frame(registry):
    columns = shapes_of(registry, value((2, SQUARE, False)), [1, 2, 3]).columns()
    assert columns == {"frame": [1, 2, 3], "visible": [False, True, False],
                       "keyframe": [False, True, False], "points": [SQUARE] * 3}


# --- the config and loading ---

def test_config_reads_its_attributes_and_refuses_an_interpolator_that_needs_the_video(registry):
    config = parse_config(CONFIG, registry)
    assert config.by_name["outline"].attrs["interpolation"] == "linear"
    with pytest.raises(ConfigError, match='interpolation "image-guided" follows boxes in the picture'):
        parse_config(CONFIG.replace('name="outline"', 'name="outline" interpolation="image-guided"'), registry)
    with pytest.raises(ConfigError, match='interpolation "nope" is not registered'):
        parse_config(CONFIG.replace('name="outline"', 'name="outline" interpolation="nope"'), registry)


def test_tasks_load_with_the_registry(registry):
    region = polygon("p", [(3, SQUARE, True), (1, TRIANGLE, True)], extra="kept")
    region["value"]["sequence"][0]["note"] = "mine"
    tasks = parse_tasks(json.dumps([{"data": {"video": "v.mp4"}, "annotations": [{"result": [region]}]}]),
                        registry, parse_config(CONFIG, registry))
    loaded = tasks.tasks[0].annotations[0].result[0]
    assert [k.frame for k in loaded.value.sequence] == [1, 3]  # sorted, with a warning
    assert loaded.value.sequence[1].extra == {"note": "mine"} and loaded.value.extra == {"extra": "kept"}
    assert registry.region_tag("videopolygon").labels(loaded.value) == ["Car"]
    assert any("out of order" in str(w) for w in tasks.warnings)


BAD = [
    (polygon("p", [(1, SQUARE[:2], True)]), "$[0].annotations[0].result[0].value.sequence[0].points",
     "Expected `array` of length >= 3"),
    (polygon("p", [(1, SQUARE, True), (4, [[10, 10], [20, 101.5], [5, 5]], True)]),
     "$[0].annotations[0].result[0].value.sequence[1].points[1][1]", "<= 101.0, got 101.5"),
    (polygon("p", [(1, [[-1.5, 10], [20, 10], [5, 5]], True)]),
     "$[0].annotations[0].result[0].value.sequence[0].points[0][0]", ">= -1.0, got -1.5"),
    (polygon("p", [(1, [[1, 10, 3], [20, 10], [5, 5]], True)]),
     "$[0].annotations[0].result[0].value.sequence[0].points[0]", "length <= 2"),
    (polygon("p", [(1, SQUARE, True)], closed=False), "$[0].annotations[0].result[0].value.closed",
     "`closed` must be true"),
]


@pytest.mark.parametrize("region, where, message", BAD, ids=["two points", "past 101", "below -1", "3d", "open"])
def test_bad_polygons_are_refused_with_their_path(registry, region, where, message):
    with pytest.raises(SchemaError) as error:
        load_tasks([{"data": {"video": "v.mp4"}, "annotations": [{"result": [region]}]}], registry, source="t.json")
    (problem,) = error.value.problems
    assert problem.where == f"t.json: {where}" and message in problem.message


def test_points_up_to_the_tolerance_outside_the_frame_pass(registry):
    region = polygon("p", [(1, [[-1, -1], [101, -1.0], [100.5, 101]], True)])
    load_tasks([{"data": {"video": "v.mp4"}, "annotations": [{"result": [region]}]}], registry)


@pytest.mark.parametrize("command", [["export", "--format", "ls-json"], ["convert", "--from", "ls-json", "--to", "jsonl"]])
@pytest.mark.parametrize("region, where, message", BAD[:2] + BAD[4:], ids=["two points", "past 101", "open"])
def test_cli_refuses_bad_polygons_with_exit_2_and_writes_nothing(tmp_path, command, region, where, message):
    tasks = write_tasks(tmp_path, region)
    out = tmp_path / "out"
    args = [command[0], str(tasks), *command[1:], "--out", str(out), "--width", "320", "--height", "180",
            "--fps", "25"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert f"{tasks}: {where}: " in result.stderr and message in result.stderr
    assert not out.exists()


def test_ls_json_keeps_polygons_exactly(tmp_path):
    region = polygon("p", [(1, SQUARE, True), (4, [[10.25, 10], [20, 10.5], [15, 30]], False),
                           (7, TRIANGLE, True)], duration=0.4, unknown={"a": [1]})
    for key in region["value"]["sequence"]:
        key["time"] = key["frame"] / 25
    region["value"]["sequence"][1]["auto"] = True
    region["meta"] = {"text": ["note"]}
    tasks = write_tasks(tmp_path, region)
    result = CliRunner().invoke(main, ["export", str(tasks), "--format", "ls-json", "--out", str(tmp_path / "o.json")])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "o.json").read_text()) == json.loads(tasks.read_text())


# --- the host ---

@pytest.fixture
def task(admin):
    return make_task(admin)


@pytest.mark.parametrize("region, where, message", BAD[:2] + BAD[4:], ids=["two points", "past 101", "open"])
def test_host_refuses_bad_polygons_with_400_and_stores_nothing(annotator, task, region, where, message):
    response = annotator.post(f"/api/tasks/{task}/annotations", json={"result": [region]})
    assert response.status_code == 400, response.json
    assert response.json["path"] == where.replace("$[0].annotations[0]", "$")
    assert message in response.json["message"]
    assert annotator.get(f"/api/tasks/{task}/annotations").json == []


def test_host_tracks_give_polygon_points(annotator, task):
    moved = [[x + 10, y] for x, y in SQUARE]
    body = {"result": [polygon("p", [(2, SQUARE, True), (4, moved, False)])]}
    response = annotator.post(f"/api/tasks/{task}/tracks?to=6", json=body)
    assert response.status_code == 200, response.json
    (track,) = response.json["regions"]
    assert (track["id"], track["type"], track["label"]) == ("p", "videopolygon", "Car")
    assert track["frame"] == [2, 3, 4] and track["keyframe"] == [True, False, True]
    assert track["points"] == [SQUARE, [[x + 5, y] for x, y in SQUARE], moved]
    saved = annotator.post(f"/api/tasks/{task}/annotations", json=body)
    assert saved.status_code == 201, saved.json
    assert annotator.get(f"/api/annotations/{saved.json['id']}/tracks").json["regions"] == [track]


# --- tracking ---

def test_track_box_is_cut_to_the_frame_and_tracked_points_stay_within_the_tolerance(registry):
    tag = registry.region_tag("videopolygon")
    edge = shapes_of(registry, value((1, [[-1, 10], [30, 10], [30, 50]], True)), [1])
    assert tag.track_box(edge, 320, 180) == (0.0, 10.0, 30.0, 40.0)
    moved = tag.tracked_keyframe({"points": [[0, 10], [30, 10], [30, 50]]}, (0, 10, 30, 40), (80, 20, 60, 40))
    assert moved == {"points": [[80, 20], [101, 20], [101, 60]]}  # twice as wide: 140 is cut to 101



@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return moving_clip(tmp_path_factory.mktemp("clip"))


def diamond(box):
    """A polygon on the object: the midpoints of its box's sides, in percent."""
    x, y, w, h = box
    points = [[x + w / 2, y], [x + w, y + h / 2], [x + w / 2, y + h], [x, y + h / 2]]
    return (np.array(points) * [100 / SIZE[0], 100 / SIZE[1]]).tolist()


def tracked_boxes(registry, sequence, frames):
    """The polygon's bounding boxes (px) at these frames, from its keyframes."""
    region = polygon("p", [(k["frame"], k["points"], k["enabled"]) for k in sequence], FRAMES)
    loaded = load_tasks([{"data": {"video": "clip.mp4"}, "annotations": [{"result": [region]}]}], registry)
    shapes = shapes_of(registry, loaded.tasks[0].annotations[0].result[0].value, frames)
    assert shapes.visible.all()
    return np.stack(shapes.bbox(*SIZE), axis=1)


def test_tracking_moves_the_polygon_with_the_object(registry, clip):
    scene, path = clip
    region = polygon("p", [(1, diamond(scene.boxes[0]), True)], FRAMES)
    loaded = load_tasks([{"data": {"video": "clip.mp4"}, "annotations": [{"result": [region]}]}], registry)
    with Video(path, registry.decoder("pyav")) as video:
        result = track_region(video, loaded.tasks[0].annotations[0].result[0], registry.region_tag("videopolygon"),
                              1, registry.tracker("csrt")(), registry.interpolator("linear"), fps=25)
    assert result.lost_at is None and result.frames[-1] == FRAMES
    assert result.sequence[0] == region["value"]["sequence"][0]
    assert all(k["auto"] and len(k["points"]) == 4 for k in result.sequence[1:])
    frames = np.arange(1, FRAMES + 1)
    assert iou(tracked_boxes(registry, result.sequence, frames), scene.boxes[frames - 1]).min() >= 0.6


def test_cli_tracks_a_polygon(tmp_path, registry, clip):
    scene, path = clip
    (tmp_path / "clip.mp4").write_bytes(path.read_bytes())
    tasks = write_tasks(tmp_path, polygon("p", [(10, diamond(scene.boxes[9]), True)], FRAMES))
    out = tmp_path / "out.json"
    result = CliRunner().invoke(main, ["track", str(tasks), "--region", "p", "--from", "10", "--tracker", "csrt",
                                       "--out", str(out), "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    sequence = json.loads(out.read_text())[0]["annotations"][0]["result"][0]["value"]["sequence"]
    assert len(sequence) > 1 and sequence[-1]["frame"] == FRAMES
    frames = np.arange(10, FRAMES + 1)
    assert iou(tracked_boxes(registry, sequence, frames), scene.boxes[frames - 1]).min() >= 0.6
