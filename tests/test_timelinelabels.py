"""<TimelineLabels>: labelled 1-based inclusive frame ranges. The config, loading, bad ranges
refused with their JSON path (CLI exit 2, host 400, nothing stored), ls-json keeping them
exactly and shape formats leaving them out with one warning."""

import json
import time

import pytest

from formats import key, region, run
from tracklabel.core.config import parse_config
from tracklabel.core.errors import ConfigError
from tracklabel.core.tasks import load_tasks
from tracklabel.plugins.tags.timelinelabels import TimelineLabelsValue
from video_factory import encode

CONFIG = """<View>
  <Video name="video" value="$video" frameRate="25"/>
  <VideoRectangle name="box" toName="video"/>
  <Labels name="labels" toName="video"><Label value="Car"/></Labels>
  <TimelineLabels name="actions" toName="video">
    <Label value="Run" background="#944BFF" hotkey="r"/>
    <Label value="Walk" background="#98C84E"/>
  </TimelineLabels>
</View>"""
RESULT = "$[0].annotations[0].result"


def ranged(rid, label, *ranges, **extra):
    return {"id": rid, "type": "timelinelabels", "from_name": "actions", "to_name": "video",
            "value": {"ranges": [{"start": s, "end": e} for s, e in ranges], "timelinelabels": [label],
                      **extra}}


def task_file(tmp_path, *results, name="tasks.json"):
    path = tmp_path / name
    path.write_text(json.dumps([{"id": 1, "data": {"video": "clip.mp4"},
                                 "annotations": [{"id": 7, "result": list(results)}]}]))
    return path


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "config.xml"
    path.write_text(CONFIG)
    return path


# --- the config ---

def test_labels_are_the_tags_own_children(registry):
    config = parse_config(CONFIG, registry)
    control = config.by_name["actions"]
    assert control.tag.region_type == "timelinelabels"
    assert [child.attrs["value"] for child in control.children] == ["Run", "Walk"]
    assert control.children[0].attrs["hotkey"] == "r"


@pytest.mark.parametrize("body, message", [
    ('<TimelineLabels name="t" toName="video"/>', "has no <Label>"),
    ('<TimelineLabels name="t" toName="video"><Label value="A"/>\n<Label value="A"/></TimelineLabels>',
     'value "A" repeats the label at line 1'),
    ('<Label value="A"/>', "<Label>: must be inside <Labels> or <TimelineLabels>"),
])
def test_bad_timeline_configs_are_refused(registry, body, message):
    with pytest.raises(ConfigError) as error:
        parse_config(f'<View><Video name="video" value="$video"/>{body}</View>', registry)
    assert message in str(error.value)


# --- loading ---

def test_ranges_load_with_their_label(registry):
    raw = [{"data": {"video": "v.mp4"}, "annotations": [{"result": [ranged("a", "Run", (3, 5), (9, 9))]}]}]
    loaded = load_tasks(raw, registry, frames_count=10)
    (_, _, _, item), = loaded.regions()
    assert isinstance(item.value, TimelineLabelsValue)
    assert [(r.start, r.end) for r in item.value.ranges] == [(3, 5), (9, 9)]
    assert registry.region_tag("timelinelabels").labels(item.value) == ["Run"]
    assert not loaded.normalised


BAD = [
    ([(7, 4)], None, f"{RESULT}[0].value.ranges[0].end", "range ends (frame 4) before it starts (frame 7)"),
    ([(1, 2), (5, 11)], 10, f"{RESULT}[0].value.ranges[1].end", "frame 11 is past the video's last frame (10)"),
    ([(12, 14)], 10, f"{RESULT}[0].value.ranges[0].start", "frame 12 is past the video's last frame (10)"),
    ([(0, 4)], None, f"{RESULT}[0].value.ranges[0].start", "Expected `int` >= 1, got 0"),
]


@pytest.mark.parametrize("ranges, frames, where, message", BAD)
def test_bad_ranges_exit_2_with_their_path(tmp_path, config_file, ranges, frames, where, message):
    source = task_file(tmp_path, ranged("a", "Run", *ranges))
    out = tmp_path / "out.json"
    count = ["--frames-count", frames] if frames else []
    result = run("export", source, "--config", config_file, "--format", "ls-json", "--out", out, *count)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: {source}: {where}: {message}\n"
    assert not out.exists()


def test_frames_past_an_unknown_length_pass(tmp_path, config_file):
    source = task_file(tmp_path, ranged("a", "Run", (5, 500)))
    result = run("export", source, "--config", config_file, "--format", "ls-json", "--out", "-")
    assert result.exit_code == 0, result.output


# --- exports ---

def test_ls_json_keeps_ranges_exactly(tmp_path, config_file):
    """Key order, unknown keys, several ranges and a region without a label come back as read."""
    results = [
        {"value": {"timelinelabels": ["Walk"], "ranges": [{"end": 9, "start": 2, "note": "x"}]},
         "id": "w", "from_name": "actions", "to_name": "video", "type": "timelinelabels", "origin": "manual"},
        ranged("r", "Run", (1, 1), (4, 10), extra={"kept": True}),
        {"id": "n", "type": "timelinelabels", "from_name": "actions", "to_name": "video",
         "value": {"ranges": [{"start": 3, "end": 4}]}},
    ]
    source = task_file(tmp_path, *results)
    out = tmp_path / "out.json"
    result = run("export", source, "--config", config_file, "--format", "ls-json", "--out", out,
                 "--frames-count", 10)
    assert result.exit_code == 0, result.output
    assert json.dumps(json.loads(out.read_text())) == json.dumps(json.loads(source.read_text()))


@pytest.mark.parametrize("format_name", ["jsonl", "mot"])
def test_shape_formats_leave_ranges_out_with_one_warning(tmp_path, config_file, format_name):
    source = task_file(tmp_path, ranged("a", "Run", (1, 3)), region("box1", "Car", [key(1, 10)]),
                       ranged("b", "Walk", (4, 6)))
    out = tmp_path / "out"
    result = run("export", source, "--config", config_file, "--format", format_name, "--out", out,
                 "--width", 100, "--height", 100)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, result.stderr
    assert warnings[0].startswith(f"warning: {source}: {RESULT}[0]: timelinelabels regions are left out:")
    rows = (out if format_name == "jsonl" else out / "clip" / "gt" / "gt.txt").read_text().splitlines()
    assert len(rows) == 10  # the box, on each of its 10 frames
    if format_name == "jsonl":
        assert {json.loads(row)["region"] for row in rows} == {"box1"}



def test_ranges_only_in_predictions_that_are_not_written_are_not_warned_of(tmp_path, config_file):
    source = tmp_path / "tasks.json"
    source.write_text(json.dumps([{"id": 1, "data": {"video": "clip.mp4"},
                                   "annotations": [{"result": [region("box1", "Car", [key(1, 10)])]}],
                                   "predictions": [{"result": [ranged("a", "Run", (1, 3))]}]}]))
    result = run("export", source, "--config", config_file, "--format", "jsonl", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "warning:" not in result.stderr


# --- the host ---

@pytest.fixture
def video_task(app, admin, tmp_path):
    """A task whose 12-frame video the host has indexed (its frame count is known)."""
    media = tmp_path / "media"
    media.mkdir(exist_ok=True)
    encode(media / "clip.mp4", frames=12)
    project = admin.post("/api/projects", json={"title": "Actions", "label_config": CONFIG}).json["id"]
    response = admin.post(f"/api/projects/{project}/tasks", json={"path": str(media / "clip.mp4")})
    assert response.status_code == 201, response.json
    (task,) = response.json["tasks"]
    deadline = time.monotonic() + 60
    while not (admin.get(f"/api/tasks/{task}").json["media"] or {}).get("frames"):
        assert time.monotonic() < deadline, "the video was not indexed"
        time.sleep(0.05)
    return task


HOST_BAD = [
    ([(7, 4)], "$.result[0].value.ranges[0].end", "range ends (frame 4) before it starts (frame 7)"),
    ([(10, 13)], "$.result[0].value.ranges[0].end", "frame 13 is past the video's last frame (12)"),
]


@pytest.mark.parametrize("ranges, where, message", HOST_BAD)
def test_host_refuses_bad_ranges_with_the_path_and_stores_nothing(annotator, video_task, ranges,
                                                                  where, message):
    response = annotator.post(f"/api/tasks/{video_task}/annotations",
                              json={"result": [ranged("a", "Run", *ranges)]})
    assert response.status_code == 400, response.json
    assert (response.json["path"], response.json["message"]) == (where, message)
    assert annotator.get(f"/api/tasks/{video_task}/annotations").json == []

    good = [ranged("a", "Run", (1, 12))]
    created = annotator.post(f"/api/tasks/{video_task}/annotations", json={"result": good})
    assert created.status_code == 201, created.json
    url = f"/api/annotations/{created.json['id']}"
    response = annotator.put(url, json={"result": [ranged("a", "Run", *ranges)], "version": 1})
    assert response.status_code == 400, response.json
    assert (response.json["path"], response.json["message"]) == (where, message)
    stored = annotator.get(url).json
    assert stored["version"] == 1 and stored["result"] == good
