"""Where commands write: never over what they did not write, --force replaces only their own
files, and the wrong kind of path is exit 2."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from formats import key, region, run, write_tasks
from video_factory import Clips

TRACKLABEL = Path(sys.executable).with_name("tracklabel")
SIZE = ("--width", 100, "--height", 100)


@pytest.fixture
def tasks(tmp_path):
    return write_tasks(tmp_path / "t.json", region("car", "Car", [key(1, 10), key(3, 20)], 3))


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    return Clips(tmp_path_factory.mktemp("clips"))


def tree(folder: Path) -> dict:
    """Every file under `folder` (hidden ones too) with its text."""
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def cli(cwd, *args):
    """tracklabel as a user runs it, in `cwd`."""
    return subprocess.run([str(TRACKLABEL), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_an_existing_folder_is_refused_and_kept(tmp_path, tasks):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("not the exporter's\n")
    result = run("export", tasks, "--format", "mot", "--out", out, *SIZE)
    assert result.exit_code == 2
    assert f"error: {out}: exists; use --force to replace" in result.stderr
    assert tree(out) == {"mine.txt": "not the exporter's\n"}


def test_force_replaces_only_the_files_the_export_writes(tmp_path, tasks):
    out = tmp_path / "out"
    (out / "street" / "gt").mkdir(parents=True)
    (out / "mine.txt").write_text("mine\n")
    (out / "street" / "notes.txt").write_text("notes\n")
    (out / "street" / "gt" / "gt.txt").write_text("old rows\n")
    result = run("export", tasks, "--format", "mot", "--out", out, "--force", *SIZE)
    assert result.exit_code == 0, result.stderr
    files = tree(out)
    assert files["mine.txt"] == "mine\n" and files["street/notes.txt"] == "notes\n"
    assert files["street/gt/gt.txt"].startswith("1,1,11,11,10,20,1,1,1\n")
    assert set(files) == {"mine.txt", "street/notes.txt", "street/gt/gt.txt",
                          "street/seqinfo.ini", "street/labels.txt"}  # no temporary left


def test_out_dot_keeps_the_current_folder(tmp_path, tasks):
    before = tree(tmp_path)
    result = cli(tmp_path, "export", "t.json", "--format", "coco-vid", "--out", ".", *SIZE)
    assert result.returncode == 2, result.stderr
    assert "error: .: exists; use --force to replace" in result.stderr
    assert "Traceback" not in result.stderr and tree(tmp_path) == before
    result = cli(tmp_path, "export", "t.json", "--format", "coco-vid", "--out", ".", "--force", *SIZE)
    assert result.returncode == 0, result.stderr
    files = tree(tmp_path)
    assert set(files) == {"t.json", "annotations.json"} and files["t.json"] == before["t.json"]
    assert len(json.loads(files["annotations.json"])["annotations"]) == 3


@pytest.mark.parametrize("fmt, make, message", [
    ("mot", lambda p: p.write_text("a file\n"), "is a file; the output is a folder"),
    ("jsonl", lambda p: p.mkdir(), "is a folder; the output is one file"),
])
def test_the_wrong_kind_of_path_is_exit_2_even_with_force(tmp_path, tasks, fmt, make, message):
    out = tmp_path / "out"
    make(out)
    before = tree(tmp_path)
    for force in ((), ("--force",)):
        result = run("export", tasks, "--format", fmt, "--out", out, *force, *SIZE)
        assert result.exit_code == 2 and f"error: {out}: {message}" in result.stderr
    assert tree(tmp_path) == before


def test_an_output_under_a_file_is_exit_2(tmp_path, tasks):
    result = run("export", tasks, "--format", "jsonl", "--out", tasks / "x.jsonl")
    assert result.exit_code == 2
    assert f"cannot write: {tasks} is a file, not a folder" in result.stderr


def test_convert_refuses_and_forces_the_same_way(tmp_path, tasks):
    mot = tmp_path / "mot"
    assert run("export", tasks, "--format", "mot", "--out", mot, *SIZE).exit_code == 0
    back = tmp_path / "back.json"
    back.write_text("keep\n")
    result = run("convert", mot / "street", "--from", "mot", "--to", "ls-json", "--out", back)
    assert result.exit_code == 2 and "exists; use --force to replace" in result.stderr
    assert back.read_text() == "keep\n"
    result = run("convert", mot / "street", "--from", "mot", "--to", "ls-json", "--out", back, "--force")
    assert result.exit_code == 0, result.stderr
    assert json.loads(back.read_text())[0]["annotations"]


@pytest.mark.parametrize("command", [
    ["frame", "VIDEO", "1"],
    ["proxy", "VIDEO"],
    ["track", "TASKS", "--region", "car", "--from", "1"],
])
def test_every_command_that_writes_refuses_an_existing_file(tmp_path, tasks, clips, command):
    out = tmp_path / "existing.out"
    out.write_text("keep\n")
    args = [{"VIDEO": clips["long_gop.mp4"], "TASKS": tasks}.get(a, a) for a in command]
    result = run(*args, "--out", out, "--data-dir", tmp_path / "data")
    assert result.exit_code == 2 and f"error: {out}: exists; use --force to replace" in result.stderr
    assert out.read_text() == "keep\n"


def test_frame_with_force_replaces_the_file(tmp_path, clips):
    out = tmp_path / "f.png"
    out.write_text("old")
    result = run("frame", clips["long_gop.mp4"], 2, "--out", out, "--force", "--data-dir", tmp_path / "d")
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(b"\x89PNG") and sorted(p.name for p in tmp_path.iterdir()) == ["d", "f.png"]
