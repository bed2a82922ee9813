"""One range for every number of a task file, enforced where task JSON is read: refused with
the JSON path on the command line (exit 2) and in the host (400); interpolation and every
export stay finite for everything accepted."""

import json
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formats import run
from tracklabel.core.decoding import Video
from tracklabel.core.schema import MAX_DEGREES, MAX_FRAME, MAX_PERCENT, MAX_PIXELS
from tracklabel.core.tasks import load_tasks
from tracklabel.core.track import Track
from tracklabel.plugins.interpolators.image_guided import ImageGuided
from video_factory import encode

CONFIG = """<View>
  <Video name="video" value="$video" frameRate="25"/>
  <VideoRectangle name="box" toName="video"/>
  <Labels name="labels" toName="video"><Label value="Car"/></Labels>
</View>"""


def key(frame=1, **fields):
    return {"frame": frame, "x": 10, "y": 10, "width": 5, "height": 5, "rotation": 0,
            "enabled": True, **fields}


def tasks(sequence, frames_count=10, **region):
    value = {"framesCount": frames_count, "labels": ["Car"], "sequence": sequence}
    value.update(region.pop("value", {}))
    return [{"id": 1, "data": {"video": "v.mp4"}, "annotations": [{"result": [{
        "id": "r", "type": "videorectangle", "from_name": "box", "to_name": "video",
        "value": value, **region}]}]}]


SEQ = "$[0].annotations[0].result[0].value.sequence"
OUT_OF_RANGE = [
    ([key(frame=2**63)], f"{SEQ}[0].frame", "Expected `int` <= 2147483647, got 9223372036854775808"),
    ([key(frame=2**31)], f"{SEQ}[0].frame", "Expected `int` <= 2147483647, got 2147483648"),
    ([key(x=1e16)], f"{SEQ}[0].x", "Expected `float` <= 1000000.0, got 1e+16"),
    ([key(x=10**16)], f"{SEQ}[0].x", "Expected `int` <= 1000000, got 10000000000000000"),
    ([key(y=-1e6 - 1)], f"{SEQ}[0].y", "Expected `float` >= -1000000.0, got -1000001.0"),
    ([key(width=-0.5)], f"{SEQ}[0].width", "Expected `float` >= 0.0, got -0.5"),
    ([key(height=1e6 + 1)], f"{SEQ}[0].height", "Expected `float` <= 1000000.0, got 1000001.0"),
    ([key(rotation=1e7)], f"{SEQ}[0].rotation", "Expected `float` <= 1000000.0, got 10000000.0"),
    ([key(x=1e308), key(frame=3, x=-1e308)], f"{SEQ}[0].x", "Expected `float` <= 1000000.0, got 1e+308"),
    ([key(time=-0.04)], f"{SEQ}[0].time", "Expected `float` >= 0.0, got -0.04"),
    # a keyframe with only a time: the frame it gives must be a frame
    ([{k: v for k, v in key(time=1e300).items() if k != "frame"}], f"{SEQ}[0].time",
     "keyframe has no `frame`, and time 1e+300 at 25 fps is no frame in 1..2147483647"),
    ([{k: v for k, v in key(time=2**53).items() if k != "frame"}], f"{SEQ}[0].time",
     "keyframe has no `frame`, and time 9007199254740992 at 25 fps is no frame in 1..2147483647"),
]


def write(tmp_path, raw, name="tasks.json"):
    path = tmp_path / name
    path.write_text(json.dumps(raw))
    return path


@pytest.mark.parametrize("sequence, where, message", OUT_OF_RANGE)
def test_out_of_range_keyframes_are_refused_with_their_path(tmp_path, sequence, where, message):
    source = write(tmp_path, tasks(sequence))
    config = write(tmp_path, CONFIG, "c.xml")
    config.write_text(CONFIG)
    result = run("export", source, "--config", config, "--format", "jsonl", "--out", "-")
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: {source}: {where}: {message}\n"


@pytest.mark.parametrize("region, where, message", [
    ({"value": {"duration": -1}}, "value.duration", "Expected `int` >= 0, got -1"),
    ({"value": {"framesCount": 2**40}}, "value.framesCount", "Expected `int` <= 10000000, got 1099511627776"),
    ({"original_width": 0}, "original_width", "Expected `int` >= 1, got 0"),
    ({"original_height": 1e7}, "original_height", "Expected `float` <= 1000000.0, got 10000000.0"),
])
def test_out_of_range_region_numbers_are_refused(tmp_path, region, where, message):
    source = write(tmp_path, tasks([key()], **region))
    result = run("export", source, "--format", "jsonl", "--out", "-")
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: {source}: $[0].annotations[0].result[0].{where}: {message}\n"


def test_a_frame_rate_out_of_range_is_not_used(tmp_path):
    """framesCount / duration of 1e-300 s is no rate: no frame is derived from `time`."""
    timed = {k: v for k, v in key(time=0.4).items() if k != "frame"}
    source = write(tmp_path, tasks([timed], value={"duration": 1e-300}))
    result = run("export", source, "--format", "jsonl", "--out", "-")
    assert result.exit_code == 2
    assert "no frame rate is known to derive it from `time`" in result.stderr


@pytest.mark.parametrize("flag, value", [("--width", "1e308"), ("--height", "2e6"), ("--fps", "1e300")])
def test_export_options_out_of_range_are_refused(tmp_path, flag, value):
    source = write(tmp_path, tasks([key()]))
    flags = {"--width": "640", "--height": "360", flag: value}
    result = run("export", source, "--format", "mot", "--out", tmp_path / "mot",
                 *[part for item in flags.items() for part in item])
    assert result.exit_code == 2
    assert "is outside" in result.stderr and flag[2:] in result.stderr


# --- everything accepted stays finite ---

finite = dict(allow_nan=False, allow_infinity=False)
percent = st.one_of(st.floats(-MAX_PERCENT, MAX_PERCENT, **finite),
                    st.integers(-int(MAX_PERCENT), int(MAX_PERCENT)))
size = st.one_of(st.floats(0, MAX_PERCENT, **finite), st.integers(0, int(MAX_PERCENT)))
degrees = st.one_of(st.floats(-MAX_DEGREES, MAX_DEGREES, **finite),
                    st.integers(-int(MAX_DEGREES), int(MAX_DEGREES)))
frame = st.one_of(st.integers(1, 40), st.integers(1, MAX_FRAME), st.sampled_from([1, MAX_FRAME - 1, MAX_FRAME]))
keyframes = st.lists(st.fixed_dictionaries({
    "frame": frame, "x": percent, "y": percent, "width": size, "height": size,
    "rotation": degrees, "enabled": st.booleans()}), min_size=1, max_size=6)


def accepted_track(registry, sequence) -> Track:
    """The keyframes as the schema accepts them, normalised as any task file is."""
    loaded = load_tasks(tasks(sequence), registry)
    return Track.from_keyframes(loaded.tasks[0].annotations[0].result[0].value.sequence)


def frames_around(track: Track, extra: list[int]) -> np.ndarray:
    near = np.concatenate([track.frame - 1, track.frame, track.frame + 1, extra])
    return np.unique(np.clip(near, 1, MAX_FRAME))


def assert_finite(boxes):
    for name in ("x", "y", "width", "height", "rotation"):
        assert np.isfinite(getattr(boxes, name)).all(), name


@pytest.mark.parametrize("name", ["linear", "step"])
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=keyframes, extra=st.lists(st.integers(1, MAX_FRAME), max_size=5))
def test_interpolation_is_finite_for_everything_accepted(registry, name, sequence, extra):
    track = accepted_track(registry, sequence)
    boxes = registry.interpolator(name).boxes(track, frames_around(track, extra))
    assert_finite(boxes)
    assert (np.abs(boxes.x) <= MAX_PERCENT).all() and (boxes.width >= 0).all()


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return encode(tmp_path_factory.mktemp("clip") / "clip.mp4", frames=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(st.fixed_dictionaries({
    "frame": st.integers(1, 12), "x": percent, "y": percent, "width": size, "height": size,
    "rotation": st.sampled_from([0, 0, 90, 1e6]), "enabled": st.booleans()}), min_size=2, max_size=4))
def test_image_guided_falls_back_to_finite_boxes(registry, clip, sequence):
    """Boxes off the frame or degenerate leave the trackers out: the linear fallback is finite."""
    track = accepted_track(registry, sequence)
    video = Video(clip, registry.decoder("pyav"))
    try:
        assert_finite(ImageGuided().boxes(track, np.arange(1, 13), video=video))
    finally:
        video.close()


EXTREMES = [key(1, x=-MAX_PERCENT, y=MAX_PERCENT, width=MAX_PERCENT, height=MAX_PERCENT, rotation=MAX_DEGREES),
            key(3, x=MAX_PERCENT, y=-MAX_PERCENT, width=0, height=MAX_PERCENT, rotation=-MAX_DEGREES),
            key(5, x=0.5, y=0.5, width=MAX_PERCENT, height=0, rotation=0.5, enabled=False),
            key(MAX_FRAME, x=MAX_PERCENT, y=MAX_PERCENT, width=MAX_PERCENT, height=MAX_PERCENT)]
NOT_FINITE = re.compile(rb"nan|inf|null|e\+", re.IGNORECASE)


@pytest.mark.parametrize("size", [("--width", "10000", "--height", "10000"), ()])
@pytest.mark.parametrize("format_name", ["jsonl", "ls-json", "ls-frames", "mot", "cvat-video",
                                         "yolo", "yolo-obb", "coco-vid"])
def test_every_export_of_accepted_extremes_is_finite(tmp_path, format_name, size):
    """1e6 percent of a 10000 px frame, and of the largest frame a region may name."""
    region = {} if size else {"original_width": MAX_PIXELS, "original_height": MAX_PIXELS}
    source = write(tmp_path, tasks(EXTREMES, frames_count=6, **region))
    config = tmp_path / "c.xml"
    config.write_text(CONFIG)
    out = tmp_path / "out"
    result = run("export", source, "--config", config, "--format", format_name, "--out", out, *size)
    assert result.exit_code == 0, result.output
    files = [p for p in out.rglob("*") if p.is_file()] if out.is_dir() else [out]
    assert files
    for path in files:
        assert not NOT_FINITE.search(path.read_bytes()), path


# --- the host refuses the same at the door ---

HOST_REGION = {"id": "r", "type": "videorectangle", "from_name": "box", "to_name": "video"}


def host_region(sequence):
    return {**HOST_REGION, "value": {"framesCount": 10, "labels": ["Man"], "sequence": sequence}}


@pytest.fixture
def task(admin, project):
    response = admin.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": "a.mp4"}}])
    assert response.status_code == 201, response.json
    return response.json["tasks"][0]


@pytest.mark.parametrize("sequence, where, message", OUT_OF_RANGE)
def test_host_import_refuses_out_of_range_with_the_path(admin, project, sequence, where, message):
    body = [{"data": {"video": "a.mp4"}, "annotations": [{"result": [host_region(sequence)]}]}]
    response = admin.post(f"/api/projects/{project}/tasks", json=body)
    assert response.status_code == 400, response.json
    assert (response.json["path"], response.json["message"]) == (where, message)
    assert admin.get(f"/api/projects/{project}/tasks").json == []


@pytest.mark.parametrize("sequence, where, message", OUT_OF_RANGE)
def test_host_annotation_and_tracks_refuse_out_of_range(annotator, task, sequence, where, message):
    path = where.replace("$[0].annotations[0].result", "$.result")
    for url in (f"/api/tasks/{task}/annotations", f"/api/tasks/{task}/tracks"):
        response = annotator.post(url, json={"result": [host_region(sequence)]})
        assert response.status_code == 400, (url, response.json)
        assert (response.json["path"], response.json["message"]) == (path, message)
    assert annotator.get(f"/api/tasks/{task}/annotations").json == []


@pytest.mark.parametrize("text", [b"Infinity", b"NaN", b"1e400"])
def test_host_refuses_non_finite_json_numbers(annotator, task, text):
    body = json.dumps({"result": [host_region([key(x="X")])]}).encode().replace(b'"X"', text)
    response = annotator.post(f"/api/tasks/{task}/annotations", data=body, content_type="application/json")
    assert response.status_code == 400 and response.json["path"].startswith("$")
