"""Automatic tracking on generated clips with exact ground truth: trackers follow the object
where it is visible and declare loss behind an occluder; the engine writes few auto keyframes
that reproduce every tracked box, never touches manual keyframes, and refuses bad input."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from scenes import make_scene, write_video
from tracklabel.core.autotrack import track_region
from tracklabel.core.cli import main
from tracklabel.core.decoding import Video
from tracklabel.core.errors import InputError, PluginError
from tracklabel.core.geometry import iou, to_percent
from tracklabel.core.keyframes import merge, reduce_keyframes
from tracklabel.core.plugins import load_registry
from tracklabel.core.tasks import load_tasks
from tracklabel.core.track import Track

FRAMES = 90
SIZE = (320, 180)


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    """name -> (scene, video path): a small scale change behind a pillar (KCF keeps a fixed
    size), and a strong one in the open (for the scale-aware CSRT)."""
    folder = tmp_path_factory.mktemp("clips")
    scenes = {"pillar": make_scene(FRAMES, SIZE, seed=1, scale=(1.0, 1.15), pillar=(0.6, 0.85)),
              "growing": make_scene(FRAMES, SIZE, seed=2, scale=(1.0, 1.3))}
    return {name: (scene, write_video(scene, folder / f"{name}.mp4", lossless=True)) for name, scene in scenes.items()}


def percent(box):
    return dict(zip(("x", "y", "width", "height"), (float(v) for v in to_percent(*box, *SIZE))))


def keyframe(frame, box, enabled=True, **extra):
    return {"frame": frame, **percent(box), "rotation": 0, "enabled": enabled, **extra}


def region_of(registry, sequence, region_id="r1"):
    task = {"data": {"video": "clip.mp4"}, "annotations": [{"result": [
        {"id": region_id, "type": "videorectangle", "from_name": "box", "to_name": "video",
         "value": {"framesCount": FRAMES, "labels": ["Car"], "sequence": sequence}}]}]}
    return load_tasks([task], registry).tasks[0].annotations[0].result[0]


def run(registry, clip, sequence, start, tracker="kcf", **kwargs):
    scene, path = clip
    with Video(path, registry.decoder("pyav")) as video:
        return track_region(video, region_of(registry, sequence), registry.region_tag("videorectangle"), start, registry.tracker(tracker)(),
                            registry.interpolator("linear"), fps=25, **kwargs)


def truth_percent(scene, frames):
    return np.array([list(percent(scene.boxes[f - 1]).values()) for f in frames])


def test_register_trackers_gives_the_builtins(registry):
    """The builtins' register_trackers registers OpenCV's four, by name."""
    assert set(registry.trackers) >= {"kcf", "csrt", "mosse", "mil"}
    assert registry.owners["trackers", "kcf"] == "tracklabel.plugins.trackers.kcf"
    with pytest.raises(PluginError, match="no tracker 'nope'"):
        registry.tracker("nope")


@pytest.mark.parametrize(("tracker", "clip"), [("kcf", "pillar"), ("csrt", "pillar"), ("csrt", "growing")])
def test_tracked_boxes_follow_the_object_where_it_is_visible(registry, clips, tracker, clip):
    scene, _ = clips[clip]
    result = run(registry, clips[clip], [keyframe(3, scene.boxes[2])], 3, tracker)
    shown = scene.visible[result.frames - 1]
    assert iou(result.boxes[shown], truth_percent(scene, result.frames[shown])).min() >= 0.7
    assert result.tracked >= (np.flatnonzero(~scene.visible)[0] - 3 if clip == "pillar" else FRAMES - 3)


@pytest.mark.parametrize("tracker", ["kcf", "csrt", "mosse", "mil"])
def test_loss_is_declared_behind_the_occluder_and_ends_the_lifespan(registry, clips, tracker):
    scene, _ = clips["pillar"]
    hidden = np.flatnonzero(~scene.visible)
    fully = next(f for f in hidden if (scene.boxes[f, 0] >= 0.6 * SIZE[0]))  # wholly behind the pillar
    result = run(registry, clips["pillar"], [keyframe(3, scene.boxes[2])], 3, tracker)
    assert result.lost_at is not None and result.lost_at <= fully + 1 + 3
    last = result.sequence[-1]
    assert last["enabled"] is False and last["auto"] is True
    assert last["frame"] == (result.lost_at - 1 if result.tracked else result.lost_at)  # not the manual start
    boxes = registry.interpolator("linear").boxes(Track.from_keyframes(region_of(registry, result.sequence).value.sequence),
                                                  np.arange(1, FRAMES + 1))
    assert not boxes.visible[last["frame"]:].any()  # nothing shown after the lifespan's end


def test_few_keyframes_reproduce_every_tracked_box(registry, clips):
    scene, _ = clips["growing"]
    result = run(registry, clips["growing"], [keyframe(1, scene.boxes[0])], 1, "csrt", tolerance=0.9)
    assert result.lost_at is None and result.frames[-1] == FRAMES
    auto = [k for k in result.sequence if k.get("auto")]
    assert 2 <= len(auto) <= FRAMES // 5
    track = Track.from_keyframes(region_of(registry, result.sequence).value.sequence)
    boxes = registry.interpolator("linear").boxes(track, result.frames)
    shown = np.stack([boxes.x, boxes.y, boxes.width, boxes.height], axis=1)
    assert iou(shown, result.boxes).min() >= 0.9
    assert result.sequence[-1]["frame"] == FRAMES and result.sequence[-1]["enabled"] is True


def test_reduction_keeps_the_ends_and_drops_what_interpolation_gives(registry):
    frames = np.arange(10, 31)
    straight = np.stack([frames * 1.0, frames * 0.5, np.full(21, 10.0), np.full(21, 8.0)], axis=1)
    linear = registry.interpolator("linear")
    assert reduce_keyframes(frames, straight, linear) == [0, 20]
    bent = straight.copy()
    bent[10:, 1] = bent[10, 1] - (frames[10:] - frames[10]) * 2.0  # turns at frame 20
    assert reduce_keyframes(frames, bent, linear) == [0, 10, 20]
    assert reduce_keyframes(frames[:1], straight[:1], linear) == [0]


def test_retracking_replaces_only_auto_keyframes_in_the_span(registry, clips):
    scene, _ = clips["growing"]
    manual = [keyframe(5, scene.boxes[4], meta="mine"), keyframe(40, scene.boxes[39] + [2, 0, 0, 0]),
              keyframe(70, scene.boxes[69])]
    stale = [keyframe(f, scene.boxes[0], auto=True) for f in (12, 25, 39, 55)]
    result = run(registry, clips["growing"], manual + stale, 5, "csrt")
    assert result.span == (5, 40) and result.frames[-1] == 39
    by_frame = {k["frame"]: k for k in result.sequence}
    for key in manual:
        assert by_frame[key["frame"]] == key  # untouched, unknown keys and all
    assert by_frame[55]["x"] == stale[-1]["x"]  # outside the span
    assert all(by_frame[f].get("x") != stale[0]["x"] for f in (12, 25, 39) if f in by_frame)
    assert all(k.get("auto") for k in result.sequence if 5 < k["frame"] < 40)

    back = run(registry, clips["growing"], result.sequence, 70, "csrt", backward=True)
    assert back.span == (40, 70) and back.frames[0] == 41
    assert [k for k in back.sequence if k["frame"] <= 40] == [k for k in result.sequence if k["frame"] <= 40]
    assert {k["frame"]: k for k in back.sequence}[70] == manual[2]
    shown = scene.visible[back.frames - 1]
    assert iou(back.boxes[shown], truth_percent(scene, back.frames[shown])).min() >= 0.7


def test_an_explicit_stop_ends_on_a_new_keyframe(registry, clips):
    scene, _ = clips["growing"]
    result = run(registry, clips["growing"], [keyframe(10, scene.boxes[9])], 10, stop=30)
    assert result.span == (10, 30) and result.frames[-1] == 30
    assert result.sequence[-1]["frame"] == 30 and result.sequence[-1]["enabled"] is True


def test_merge_keeps_manual_keyframes_on_their_frames():
    sequence = [{"frame": 1, "x": 1}, {"frame": 3, "x": 3, "auto": True}, {"frame": 5, "x": 5}]
    new = [{"frame": 1, "x": 9, "auto": True}, {"frame": 4, "x": 4, "auto": True}, {"frame": 5, "x": 9, "auto": True}]
    assert merge(sequence, new, 1, 5) == [{"frame": 1, "x": 1}, {"frame": 4, "x": 4, "auto": True}, {"frame": 5, "x": 5}]


@pytest.mark.parametrize(("sequence", "start", "kwargs", "message"), [
    ([keyframe(10, (50, 50, 30, 30))], 5, {}, "no shape at frame 5"),
    ([keyframe(10, (400, 50, 30, 30))], 10, {}, "no visible part"),
    ([keyframe(10, (50, 50, 30, 30))], 10, {"stop": 4}, "stop frame 4 is before start frame 10"),
    ([keyframe(10, (50, 50, 30, 30))], 10, {"stop": 40, "backward": True}, "stop frame 40 is after"),
    ([keyframe(10, (50, 50, 30, 30))], 95, {}, "outside the video's frames"),
    ([keyframe(10, (50, 50, 30, 30), enabled=False)], 10, {}, "lifespan ends at frame 10"),
    ([{**keyframe(10, (50, 50, 30, 30)), "rotation": 30}], 10, {}, "rotated"),
])
def test_bad_input_is_refused(registry, clips, sequence, start, kwargs, message):
    with pytest.raises(InputError, match=message):
        run(registry, clips["pillar"], sequence, start, **kwargs)


@pytest.fixture
def task_file(tmp_path, clips):
    scene, path = clips["pillar"]
    (tmp_path / "clip.mp4").write_bytes(path.read_bytes())
    tasks = [{"id": 1, "data": {"video": "clip.mp4"}, "annotations": [{"result": [
        {"id": "car", "type": "videorectangle", "from_name": "box", "to_name": "video",
         "value": {"framesCount": FRAMES, "labels": ["Car"], "sequence": [keyframe(3, scene.boxes[2])]}},
        {"id": "other", "type": "choices", "value": {"choices": ["x"]}}]}]}]
    (tmp_path / "tasks.json").write_text(json.dumps(tasks))
    return tmp_path / "tasks.json"


def cli(*args):
    return CliRunner().invoke(main, ["track", *map(str, args)])


def test_cli_tracks_a_region_and_writes_the_task_file(task_file, tmp_path):
    out = tmp_path / "out.json"
    result = cli(task_file, "--region", "car", "--from", 3, "--out", out, "--data-dir", tmp_path / "data")
    assert result.exit_code == 0, result.output
    assert "lost at frame" in result.stderr
    written = json.loads(out.read_text())
    before = json.loads(task_file.read_text())
    sequence = written[0]["annotations"][0]["result"][0]["value"]["sequence"]
    assert sequence[0] == before[0]["annotations"][0]["result"][0]["value"]["sequence"][0]
    assert len(sequence) > 2 and all(k["auto"] for k in sequence[1:]) and sequence[-1]["enabled"] is False
    written[0]["annotations"][0]["result"][0]["value"]["sequence"] = sequence[:1]
    assert written == before  # nothing else changed


@pytest.mark.parametrize(("args", "message"), [
    (["--region", "car", "--from", 1], "no shape at frame 1"),
    (["--region", "car", "--from", 3, "--to", 2], "stop frame 2 is before start frame 3"),
    (["--region", "car", "--from", 3, "--tracker", "nope"], "no tracker 'nope'"),
    (["--region", "nope", "--from", 3], "no region with id 'nope'"),
    (["--region", "car", "--from", 3, "--video", "tasks.json"], "tasks.json"),
])
def test_cli_bad_input_exits_2_and_writes_nothing(task_file, tmp_path, args, message):
    out = tmp_path / "out.json"
    video = ["--video", tmp_path / args[-1]] if args[-2] == "--video" else []
    result = cli(task_file, *(args[:-2] if video else args), *video, "--out", out, "--data-dir", tmp_path / "data")
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not out.exists()


CONFIG = """<View>
  <Video name="video" value="$video" frameRate="25"/>
  <VideoRectangle name="box" toName="video" interpolation="image-guided"/>
  <Labels name="labels" toName="video"><Label value="Car"/></Labels>
</View>"""


def guided_task(tmp_path, scene, frames):
    tasks = [{"id": 4, "data": {"video": "clip.mp4"}, "annotations": [{"result": [
        {"id": "car", "type": "videorectangle", "from_name": "box", "to_name": "video",
         "value": {"framesCount": FRAMES, "labels": ["Car"],
                   "sequence": [keyframe(f, scene.boxes[f - 1]) for f in frames]}}]}]}]
    (tmp_path / "tasks.json").write_text(json.dumps(tasks))
    (tmp_path / "config.xml").write_text(CONFIG)
    return tmp_path / "tasks.json"


def exported_boxes(path):
    """(frames, (n, 4) percent boxes) of the one region of an ls-frames export."""
    sequence = json.loads(path.read_text())[0]["annotations"][0]["result"][0]["value"]["sequence"]
    return (np.array([k["frame"] for k in sequence]),
            np.array([[k["x"], k["y"], k["width"], k["height"]] for k in sequence]))


def test_image_guided_export_follows_the_object_better_than_linear(tmp_path, clips, monkeypatch):
    scene, path = clips["growing"]
    tasks = guided_task(tmp_path, scene, [1, 45, 90])
    args = ["export", tasks, "--format", "ls-frames", "--video", path, "--data-dir", tmp_path / "data"]
    guided = CliRunner().invoke(main, [*map(str, args), "--config", str(tmp_path / "config.xml"),
                                       "--out", str(tmp_path / "guided.json")])
    assert guided.exit_code == 0, guided.output
    plain = CliRunner().invoke(main, [*map(str, args), "--out", str(tmp_path / "linear.json")])
    assert plain.exit_code == 0, plain.output
    frames, boxes = exported_boxes(tmp_path / "guided.json")
    truth = truth_percent(scene, frames)
    _, straight = exported_boxes(tmp_path / "linear.json")
    assert iou(boxes, truth).mean() > iou(straight, truth).mean() + 0.1
    assert iou(boxes, truth).min() >= 0.6
    assert len(list((tmp_path / "data" / "guided").glob("*.npy"))) == 2  # one path per keyframe pair

    # a second export tracks nothing: every path comes from the cache
    import tracklabel.plugins.interpolators.image_guided as guided_module
    monkeypatch.setattr(guided_module, "follow", lambda *a, **k: pytest.fail("tracked again"))
    again = CliRunner().invoke(main, [*map(str, args), "--config", str(tmp_path / "config.xml"),
                                      "--out", str(tmp_path / "again.json")])
    assert again.exit_code == 0, again.output
    assert exported_boxes(tmp_path / "again.json")[1].tolist() == boxes.tolist()


def test_image_guided_export_names_the_task_whose_video_it_cannot_open(tmp_path, clips):
    scene, _ = clips["growing"]
    tasks = guided_task(tmp_path, scene, [1, 45])
    result = CliRunner().invoke(main, ["export", str(tasks), "--format", "mot", "--config",
                                       str(tmp_path / "config.xml"), "--out", str(tmp_path / "out"),
                                       "--width", "320", "--height", "180"])
    assert result.exit_code == 2, result.output
    assert "task 4" in result.output and "interpolator 'image-guided' needs the task's video" in result.output
    (tmp_path / "clip.mp4").write_bytes(b"garbage")
    result = CliRunner().invoke(main, ["export", str(tasks), "--format", "mot", "--config",
                                       str(tmp_path / "config.xml"), "--out", str(tmp_path / "out"),
                                       "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 2 and "task 4: video" in result.output, result.output


def test_kcf_follows_from_the_first_step():
    """OpenCV's KCF trains on the frame after init unless primed on the start frame: then it
    would trail a fast object by its first step for the whole run."""
    scene = make_scene(frames=30, start=(0.05, 0.4), end=(0.5, 0.4), curve=0.0, scale=(1.0, 1.0))
    tracker = load_registry().tracker("kcf")()
    tracker.start(scene.frames[12], tuple(scene.boxes[12]))  # mid-clip: the path eases in and out
    for i in range(13, 18):
        box, _ = tracker.update(scene.frames[i])
        assert box is not None and iou(np.array(box), scene.boxes[i]) > 0.8, i
