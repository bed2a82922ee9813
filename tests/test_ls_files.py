"""Label Studio's own files: a 1.x export read and written back unchanged (keys, order, number
text), predictions listed by id, JSON-MIN with the config, hostile shapes refused with paths."""

import json
from pathlib import Path

import pytest

from formats import run

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "label-studio"
EXPORT = FIXTURES / "ls-1.x-video-export.json"
EXPORT_MIN = FIXTURES / "ls-1.x-video-export-min.json"
CONFIG = FIXTURES / "ls-1.x-video-config.xml"


def ordered(text):
    """JSON with every object as a list of (key, value) pairs: key order counts."""
    return json.loads(text, object_pairs_hook=list)


def export_ls_json(source, out, *flags):
    result = run("export", source, "--format", "ls-json", "--out", out, *flags)
    assert result.exit_code == 0, result.stderr
    return result


def test_fixture_has_label_studio_shape():
    task = json.loads(EXPORT.read_text())[0]
    assert list(task)[:6] == ["id", "annotations", "file_upload", "drafts", "predictions", "data"]
    assert task["predictions"] == [7, 8]
    keyframe = task["annotations"][0]["result"][0]["value"]["sequence"][0]
    assert list(keyframe) == ["x", "y", "time", "frame", "width", "height", "enabled", "rotation"]


@pytest.mark.parametrize("config", [(), ("--config", CONFIG)])
def test_label_studio_export_comes_back_unchanged(tmp_path, config):
    result = export_ls_json(EXPORT, tmp_path / "out.json", *config)
    written = (tmp_path / "out.json").read_text()
    assert ordered(written) == ordered(EXPORT.read_text())
    for text in ("46.71875", "0.04", '"duration":10,', '"rotation":0}', "1e-7", "5.000000000000001"):
        assert text in written
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: {EXPORT}: $[0].predictions: predictions were exported by id only (in 2 tasks), "
        "as Label Studio's default JSON export writes them: the ids are kept and written back as "
        "they are; their results are not in the file"]


def test_keys_tracklabel_adds_go_at_the_end_and_the_rest_stays(tmp_path):
    export = json.loads(EXPORT.read_text())
    region = export[0]["annotations"][0]["result"][0]
    del region["value"]["sequence"][1]["enabled"]
    del region["value"]["sequence"][2]["rotation"]
    source = tmp_path / "in.json"
    source.write_text(json.dumps(export))
    export_ls_json(source, tmp_path / "out.json")
    written = json.loads((tmp_path / "out.json").read_text())
    sequence = written[0]["annotations"][0]["result"][0]["value"]["sequence"]
    assert list(sequence[1]) == ["x", "y", "time", "frame", "width", "height", "rotation", "enabled"]
    assert list(sequence[2]) == ["x", "y", "time", "frame", "width", "height", "enabled", "rotation"]
    assert sequence[1]["enabled"] is True and sequence[2]["rotation"] == 0
    del sequence[1]["enabled"], sequence[2]["rotation"]
    assert ordered(json.dumps(written)) == ordered(json.dumps(export))


def test_annotations_and_drafts_listed_by_id_are_kept(tmp_path):
    export = json.loads(EXPORT.read_text())
    export[1]["annotations"] = [32]
    export[1]["drafts"] = [3, 4]
    source = tmp_path / "in.json"
    source.write_text(json.dumps(export))
    result = export_ls_json(source, tmp_path / "out.json")
    assert ordered((tmp_path / "out.json").read_text()) == ordered(json.dumps(export))
    assert sum("were exported by id only" in line for line in result.stderr.splitlines()) == 2
    assert f"{source}: $[1].annotations: annotations were exported by id only (in 1 task)" in result.stderr


def test_predictions_by_id_export_to_other_formats(tmp_path):
    result = run("export", EXPORT, "--format", "jsonl", "--out", "-")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {(r["task"], r["region"]) for r in rows} == {(12, "d1111333b6"), (12, "Kx8_p2mQzA")}


# --- JSON-MIN ---

def test_json_min_is_read_with_the_config(tmp_path):
    result = run("convert", EXPORT_MIN, "--from", "ls-json", "--to", "ls-json", "--config", CONFIG,
                 "--out", tmp_path / "tasks.json")
    assert result.exit_code == 0, result.stderr
    tasks = json.loads((tmp_path / "tasks.json").read_text())
    full = json.loads(EXPORT.read_text())
    assert [t["id"] for t in tasks] == [12, 13, 14]
    assert [t["data"] for t in tasks] == [t["data"] for t in full]
    first = tasks[0]["annotations"][0]
    assert (first["id"], first["completed_by"], first["lead_time"]) == (31, 1, 157.345)
    for got, want in zip(first["result"], full[0]["annotations"][0]["result"]):
        assert (got["type"], got["from_name"], got["to_name"]) == ("videorectangle", "box", "video")
        assert got["value"] == want["value"]
    assert tasks[1]["annotations"][0]["result"] == [] and tasks[2]["annotations"] == []


def test_json_min_converts_to_mot(tmp_path):
    result = run("convert", EXPORT_MIN, "--from", "ls-json", "--to", "mot", "--config", CONFIG,
                 "--width", 1280, "--height", 720, "--out", tmp_path / "mot")
    assert result.exit_code == 0, result.stderr
    gt = (tmp_path / "mot" / "5b2c1e0a-street" / "gt" / "gt.txt").read_text().splitlines()
    assert gt[0].startswith("1,1,") and len({row.split(",")[1] for row in gt}) == 2


def test_json_min_needs_the_config(tmp_path):
    result = run("convert", EXPORT_MIN, "--from", "ls-json", "--to", "mot", "--width", 1280,
                 "--height", 720, "--out", tmp_path / "mot")
    assert result.exit_code == 2
    assert result.stderr == (f"error: {EXPORT_MIN}: this is Label Studio's JSON-MIN export: pass "
                             "--config (the project's labeling config tells which keys hold regions)\n")
    result = run("export", EXPORT_MIN, "--format", "ls-json", "--out", "-")
    assert result.exit_code == 2 and "Label Studio's minimal export (`annotation_id`, no `data`)" in result.stderr


@pytest.mark.parametrize("records, where, message", [
    ([{"video": "a.mp4", "annotation_id": 1, "box": {"sequence": []}}], "$[0].box",
     "expected a list of region values for control tag 'box'"),
    ([{"video": "a.mp4", "annotation_id": 1, "box": [7]}], "$[0].box[0]", "expected an object"),
    ([{"video": "a.mp4", "annotation_id": 1}, 3], "$[1]", "expected an object (a JSON-MIN record)"),
    ([{"video": "a.mp4", "annotation_id": 1, "box": [{"sequence": [{"frame": 1}]}]}],
     "$[0].annotations[0].result[0].value.sequence[0]", "Object missing required field `x`"),
])
def test_bad_json_min_names_the_record(tmp_path, records, where, message):
    source = tmp_path / "min.json"
    source.write_text(json.dumps(records))
    result = run("convert", source, "--from", "ls-json", "--to", "jsonl", "--config", CONFIG,
                 "--frames-count", 10, "--out", "-")
    assert result.exit_code == 2
    assert f"error: {source}: {where}: {message}" in result.stderr


# --- hostile shapes: exit 2 naming the file and the JSON path, never a traceback ---

def _key(**fields):
    return {"frame": 1, "x": 1, "y": 1, "width": 1, "height": 1, "enabled": True, **fields}


def _task(result=None, annotations=None, value=None, sequence=None):
    if sequence is not None:
        value = {"framesCount": 10, "sequence": sequence}
    if value is not None:
        result = [{"id": "r", "type": "videorectangle", "from_name": "box", "to_name": "video",
                   "value": value}]
    if result is not None:
        annotations = [{"result": result}]
    return [{"id": 1, "data": {"video": "a.mp4"}, "annotations": annotations}]


AUTO = {"auto": True, "enabled": True}
HOSTILE = [
    (_task(annotations="not a list"), "$[0].annotations", "Expected `array`, got `str`"),
    (_task(annotations=5), "$[0].annotations", "Expected `array`, got `int`"),
    (_task(annotations={"result": []}), "$[0].annotations", "Expected `array`, got `object`"),
    (_task(annotations=[[]]), "$[0].annotations[0]", "Expected `int | object`, got `array`"),
    (_task(result="x"), "$[0].annotations[0].result", "Expected `array`, got `str`"),
    (_task(result={"a": 1}), "$[0].annotations[0].result", "Expected `array`, got `object`"),
    (_task(value="box"), "$[0].annotations[0].result[0].value", "Expected `object`, got `str`"),
    (_task(value=[1]), "$[0].annotations[0].result[0].value", "Expected `object`, got `array`"),
    (_task(sequence=[1, 2]), "$[0].annotations[0].result[0].value.sequence[0]", "Expected `object`, got `int`"),
    (_task(sequence={"frame": 1}), "$[0].annotations[0].result[0].value.sequence", "Expected `array`, got `object`"),
    (_task(value={"framesCount": 10, "sequence": [_key()], "labels": [1]}),
     "$[0].annotations[0].result[0].value.labels[0]", "Expected `str`, got `int`"),
    (_task(value={"framesCount": 10, "sequence": [_key()], "labels": "Man"}),
     "$[0].annotations[0].result[0].value.labels", "Expected `array`, got `str`"),
    (_task(result=[{"id": 1.5, "type": "videorectangle", "value": {"framesCount": 10, "sequence": []}}]),
     "$[0].annotations[0].result[0].id", "Expected `int | str`, got `float`"),
    (_task(result=[{"id": [], "type": "videorectangle", "value": {"framesCount": 10, "sequence": []}}]),
     "$[0].annotations[0].result[0].id", "Expected `int | str`, got `array`"),
    # per-frame exports (ls-frames, interpolate_key_frames) with broken `auto` keyframes
    (_task(sequence=[_key(), {"frame": 2, **AUTO}]),
     "$[0].annotations[0].result[0].value.sequence[1]", "Object missing required field `x`"),
    (_task(sequence=[_key(), _key(frame=2, x="3", **AUTO)]),
     "$[0].annotations[0].result[0].value.sequence[1].x", "Expected `int | float`, got `str`"),
    (_task(sequence=[_key(), _key(frame=None, **AUTO)]),
     "$[0].annotations[0].result[0].value.sequence[1].frame", "Expected `int`, got `null`"),
    (_task(sequence=[_key(), _key(frame=2**70, **AUTO)]),
     "$[0].annotations[0].result[0].value.sequence[1].frame", "Expected `int` <= 2147483647"),
    (_task(sequence=[_key(), _key(frame=2, x=float("1e300"), **AUTO)]),
     "$[0].annotations[0].result[0].value.sequence[1].x", "Expected `float` <= 1000000.0, got 1e+300"),
    (_task(sequence=[_key(), _key(frame=2, rotation="a", **AUTO)]),
     "$[0].annotations[0].result[0].value.sequence[1].rotation", "Expected `int | float`, got `str`"),
    ([{"id": {"weird": [1]}, "data": {"video": "a.mp4"}, "annotations": 1.5}],
     "$[0].annotations", "Expected `array`, got `float`"),
    ({"data": "a.mp4"}, "$.data", "Expected `object`, got `str`"),
]


@pytest.mark.parametrize("command", ["export", "convert"])
@pytest.mark.parametrize("raw, where, message", HOSTILE)
def test_hostile_label_studio_json_is_exit_2_with_the_path(tmp_path, command, raw, where, message):
    source = tmp_path / "tasks.json"
    source.write_text(json.dumps(raw))
    if command == "export":
        result = run("export", source, "--format", "jsonl", "--out", "-")
    else:
        result = run("convert", source, "--from", "ls-json", "--to", "jsonl", "--out", "-")
    assert result.exit_code == 2, result.output
    assert f"error: {source}: {where}: {message}" in result.stderr


@pytest.mark.parametrize("command", ["export", "convert"])
def test_json_nested_deeply_is_exit_2_naming_the_file(tmp_path, command):
    source = tmp_path / "deep.json"
    source.write_text('[{"data": {"v": ' + "[" * 100_000 + "]" * 100_000 + "}}]")
    if command == "export":
        result = run("export", source, "--format", "jsonl", "--out", "-")
    else:
        result = run("convert", source, "--from", "ls-json", "--to", "jsonl", "--out", "-")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {source}: JSON nested too deeply")


def test_a_task_id_of_any_type_is_kept(tmp_path):
    raw = _task(sequence=[_key()])
    raw[0]["id"] = {"weird": [1, 2]}
    source = tmp_path / "tasks.json"
    source.write_text(json.dumps(raw))
    export_ls_json(source, tmp_path / "out.json")
    assert json.loads((tmp_path / "out.json").read_text())[0]["id"] == {"weird": [1, 2]}
    result = run("export", source, "--format", "jsonl", "--out", "-")
    assert result.exit_code == 0 and json.loads(result.stdout.splitlines()[0])["task"] == 1


# --- the host: imported and exported unchanged, in the same order ---

def test_host_import_and_export_keep_the_file_as_it_was(admin, project):
    body = EXPORT.read_bytes()  # as sent by a client: the test client's json= would sort keys
    response = admin.post(f"/api/projects/{project}/tasks", data=body, content_type="application/json")
    assert response.status_code == 201, response.json
    assert [w["path"] for w in response.json["warnings"]] == ["$[0].predictions"]
    expected = json.loads(body)
    for task, task_id in zip(expected, response.json["tasks"]):
        task["id"] = task_id  # the host's own ids
        for annotation, annotation_id in zip(task["annotations"], admin.get(f"/api/tasks/{task_id}").json["annotations"]):
            annotation["id"] = annotation_id
    exported = admin.get(f"/api/projects/{project}/export?format=ls-json")
    assert exported.status_code == 200
    assert ordered(exported.data) == ordered(json.dumps(expected))
