"""The `tracklabel` command line: config check, export, exit codes, nothing half-written."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracklabel.core.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def write_tasks(path, sequence, frames_count=10, **value):
    region = {"id": "r", "type": "videorectangle", "from_name": "box", "to_name": "video",
              "value": {"sequence": sequence, "labels": ["Man"], **value}}
    if frames_count:
        region["value"]["framesCount"] = frames_count
    path.write_text(json.dumps([{"id": 1, "data": {"video": "v.mp4"},
                                 "annotations": [{"result": [region]}]}]))
    return path


WORKED = [
    {"frame": 1, "x": 10, "y": 0, "width": 5, "height": 5, "rotation": 0, "enabled": True},
    {"frame": 5, "x": 20, "y": 0, "width": 5, "height": 5, "rotation": 0, "enabled": False},
    {"frame": 8, "x": 40, "y": 0, "width": 5, "height": 5, "rotation": 0, "enabled": True},
]


def test_config_check_valid_and_invalid(tmp_path):
    result = run("config", "check", EXAMPLES / "config.xml")
    assert result.exit_code == 0
    assert "valid (Labels 'videoLabels', VideoRectangle 'box')" in result.stdout
    bad = tmp_path / "bad.xml"
    bad.write_text('<View>\n<Video name="v" value="v"/>\n<Foo/>\n</View>')
    result = run("config", "check", bad)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {bad}:3: <Foo>: unknown tag 'Foo'; a plugin can provide it "
        "(`tracklabel plugins` lists the tags loaded)"]
    bad.write_text('<View><Video name="v" value="v"/><Labels name="l" toName="x"/></View>')
    result = run("config", "check", bad)
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 3


def test_worked_example_as_jsonl(tmp_path):
    tasks = write_tasks(tmp_path / "t.json", WORKED)
    result = run("export", tasks, "--format", "jsonl", "--out", "-")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["frame"], r["x"], r["keyframe"]) for r in rows] == [
        (1, 10, True), (2, 12.5, False), (3, 15, False), (4, 17.5, False), (5, 20, True),
        (8, 40, True), (9, 40, False), (10, 40, False)]
    assert list(rows[0]) == ["task", "region", "label", "frame", "x", "y", "width", "height",
                             "rotation", "keyframe"]
    assert rows[0]["task"] == 1 and rows[0]["region"] == "r" and rows[0]["label"] == "Man"


def test_jsonl_is_sorted_by_task_region_frame(tmp_path):
    def task(tid, rids):
        return {"id": tid, "data": {}, "annotations": [{"result": [
            {"id": rid, "type": "videorectangle", "value": {"framesCount": 2, "sequence": [
                {"frame": 1, "x": 1, "y": 1, "width": 1, "height": 1, "enabled": True}]}}
            for rid in rids]}]}
    path = tmp_path / "t.json"
    path.write_text(json.dumps([task(10, ["b", "a"]), task(2, ["z"])]))
    result = run("export", path, "--format", "jsonl", "--out", "-")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["task"], r["region"], r["frame"]) for r in rows] == [
        (2, "z", 1), (2, "z", 2), (10, "a", 1), (10, "a", 2), (10, "b", 1), (10, "b", 2)]
    assert rows[0]["label"] is None


def test_ls_json_round_trips_the_example(tmp_path):
    out = tmp_path / "out.json"
    result = run("export", EXAMPLES / "tasks.json", "--config", EXAMPLES / "config.xml",
                 "--format", "ls-json", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert json.loads(out.read_text()) == json.loads((EXAMPLES / "tasks.json").read_text())


def test_ls_frames_expands_label_studio_example_region(tmp_path, ls_fixtures):
    region = json.loads((ls_fixtures / "docs_example_region.json").read_text())
    tasks = tmp_path / "t.json"
    tasks.write_text(json.dumps([{"data": {"video": "x.mp4"}, "annotations": [{"result": [region]}]}]))
    out = tmp_path / "frames.json"
    result = run("export", tasks, "--config", ls_fixtures / "video_object_tracking_template.xml",
                 "--format", "ls-frames", "--out", out)
    assert result.exit_code == 0, result.stderr
    frames = json.loads(out.read_text())[0]["annotations"][0]["result"][0]["value"]["sequence"]
    assert [f["frame"] for f in frames] == list(range(1, 300))
    first, sixth = region["value"]["sequence"]
    assert frames[0] == first and frames[5] == sixth  # keyframes exactly as stored
    assert frames[2] == {"frame": 3, "x": first["x"] + (sixth["x"] - first["x"]) * 0.4,
                         "y": first["y"] + (sixth["y"] - first["y"]) * 0.4,
                         "width": first["width"] + (sixth["width"] - first["width"]) * 0.4,
                         "height": first["height"] + (sixth["height"] - first["height"]) * 0.4,
                         "rotation": 0.0, "enabled": True, "auto": True, "time": 3 / 25}
    assert frames[298]["x"] == sixth["x"] and frames[298]["time"] == 299 / 25


def test_ls_frames_leaves_out_hidden_frames(tmp_path):
    tasks = write_tasks(tmp_path / "t.json", WORKED)
    result = run("export", tasks, "--format", "ls-frames", "--out", "-")
    seq = json.loads(result.stdout)[0]["annotations"][0]["result"][0]["value"]["sequence"]
    assert [(f["frame"], f["enabled"], f.get("auto", False)) for f in seq] == [
        (1, True, False), (2, True, True), (3, True, True), (4, True, True), (5, False, False),
        (8, True, False), (9, True, True), (10, True, True)]


def test_step_interpolation_chosen_in_the_config(tmp_path):
    config = tmp_path / "c.xml"
    config.write_text('<View><Video name="video" value="$video"/>'
                      '<VideoRectangle name="box" toName="video" interpolation="step"/></View>')
    tasks = write_tasks(tmp_path / "t.json", WORKED)
    result = run("export", tasks, "--config", config, "--format", "jsonl", "--out", "-")
    assert [json.loads(line)["x"] for line in result.stdout.splitlines()][:5] == [10, 10, 10, 10, 20]


def test_frames_count_flag(tmp_path):
    tasks = write_tasks(tmp_path / "t.json", WORKED[:1], frames_count=None)
    result = run("export", tasks, "--format", "jsonl", "--out", "-")
    assert result.exit_code == 2
    assert "framesCount is missing; pass --frames-count" in result.stderr
    result = run("export", tasks, "--format", "jsonl", "--out", "-", "--frames-count", "3")
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 3


def test_bad_input_exits_2_and_keeps_the_old_output(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("previous export\n")
    tasks = write_tasks(tmp_path / "t.json", [{**WORKED[0], "frame": 0}])
    result = run("export", tasks, "--format", "jsonl", "--out", out, "--force")
    assert result.exit_code == 2
    assert "value.sequence[0].frame: Expected `int` >= 1, got 0" in result.stderr
    assert out.read_text() == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", "t.json"]


def test_unknown_format_and_missing_file(tmp_path):
    result = run("export", EXAMPLES / "tasks.json", "--format", "nope", "--out", "-")
    assert result.exit_code == 2 and "no export format 'nope'" in result.stderr
    result = run("export", tmp_path / "missing.json", "--format", "jsonl", "--out", "-")
    assert result.exit_code == 2 and "cannot read task file" in result.stderr


def test_warnings_go_to_stderr(tmp_path):
    seq = [{k: v for k, v in WORKED[0].items() if k != "enabled"}]
    tasks = write_tasks(tmp_path / "t.json", seq)
    result = run("export", tasks, "--format", "jsonl", "--out", "-")
    assert result.exit_code == 0
    assert "warning: " in result.stderr and "read as enabled" in result.stderr


def test_installed_command_has_no_traceback(tmp_path):
    exe = shutil.which("tracklabel", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("tracklabel console script not installed next to this Python")
    bad = tmp_path / "bad.json"
    bad.write_text("[{")
    proc = subprocess.run([exe, "export", str(bad), "--format", "jsonl", "--out", "-"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr == f"error: {bad}:1:3: malformed JSON: Input data was truncated\n"
    assert "Traceback" not in proc.stderr


def test_jsonl_region_without_an_id(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps([{"data": {}, "annotations": [{"result": [
        {"type": "videorectangle", "value": {"framesCount": 2, "sequence": [
            {"frame": 1, "x": 1, "y": 1, "width": 5, "height": 5}]}}]}]}]))
    result = run("export", path, "--format", "jsonl", "--out", "-")
    assert result.exit_code == 0
    assert [json.loads(line)["region"] for line in result.stdout.splitlines()] == [None, None]
