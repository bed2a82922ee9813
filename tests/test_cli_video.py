"""`tracklabel probe`, `frame` and `proxy`: true counts, 1-based frames, exit 2 on bad input."""

import json

import cv2
import pytest
from click.testing import CliRunner

from tracklabel.core.cli import main
from video_factory import Clips, audio_only, read_stamp, truncated


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    return Clips(tmp_path_factory.mktemp("clips"))


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKLABEL_DATA", str(tmp_path / "data"))

    def run(*args):
        return CliRunner().invoke(main, [str(a) for a in args])
    return run


def test_probe_json_reports_the_decoded_count(run, clips):
    result = run("probe", "--json", clips["lying.avi"], clips["variable.mp4"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0]["path"] == str(clips["lying.avi"])
    assert (rows[0]["frames"], rows[0]["header_frames"], rows[0]["fps"]) == (60, 444, 25.0)
    assert rows[0]["constant_rate"] is True and rows[0]["start_time"] == pytest.approx(0.04)
    assert (rows[1]["codec"], rows[1]["width"], rows[1]["height"]) == ("h264", 160, 120)
    assert rows[1]["frames"] == 90 and rows[1]["constant_rate"] is False
    assert {"duration", "fps", "start_time"} <= set(rows[1])


def test_probe_table_and_cached_index(run, clips, tmp_path):
    result = run("probe", clips["late.mkv"])
    assert result.exit_code == 0
    assert "indexing" in result.stderr
    line = result.stdout.splitlines()[1].split()
    assert line[:5] == ["50", "25.000", "constant", "2.000", "2.500"]
    assert len(list((tmp_path / "data" / "index").rglob("*.json"))) == 1
    again = run("probe", clips["late.mkv"])
    assert again.stdout == result.stdout and "indexing" not in again.stderr


def test_frame_is_one_based(run, clips, tmp_path):
    out = tmp_path / "out" / "frame.png"
    for number in (1, 37, 120):
        result = run("frame", clips["long_gop.mp4"], number, "--out", out, "--force")
        assert result.exit_code == 0, result.output
        assert read_stamp(cv2.cvtColor(cv2.imread(str(out)), cv2.COLOR_BGR2RGB)) == number - 1
    assert [p.name for p in out.parent.iterdir()] == ["frame.png"]


def test_frame_out_of_range_exits_2(run, clips, tmp_path):
    result = run("frame", clips["vp9.webm"], 61, "--out", tmp_path / "f.png")
    assert result.exit_code == 2
    assert f"{clips['vp9.webm']}: frame 61 is out of range 1..60" in result.stderr
    assert not (tmp_path / "f.png").exists()


def test_opencv_refusal_exits_2(run, clips, tmp_path):
    result = run("frame", clips["variable.mp4"], 5, "--out", tmp_path / "f.png", "--decoder", "opencv")
    assert result.exit_code == 2
    assert "variable frame rate" in result.stderr and "use the pyav decoder" in result.stderr


def test_unknown_decoder_is_a_usage_error(run, clips, tmp_path):
    result = run("probe", clips["vp9.webm"], "--decoder", "nope")
    assert result.exit_code == 2 and "no decoder 'nope'" in result.stderr


def test_bad_inputs_exit_2_naming_each_file(run, clips, tmp_path):
    (tmp_path / "notes.mp4").write_text("hello\n")
    (tmp_path / "empty.webm").write_bytes(b"")
    audio_only(tmp_path / "tone.m4a")
    truncated(clips["long_gop.mp4"], tmp_path / "cut.mp4")
    paths = [tmp_path / n for n in ("notes.mp4", "empty.webm", "tone.m4a", "cut.mp4")]
    result = run("probe", *paths, clips["vp9.webm"])
    assert result.exit_code == 2
    assert f"{paths[0]}: not a video FFmpeg can read" in result.stderr
    assert f"{paths[1]}: empty file" in result.stderr
    assert f"{paths[2]}: no video stream (only audio)" in result.stderr
    assert f"{paths[3]}: not a video FFmpeg can read" in result.stderr
    assert str(clips["vp9.webm"]) in result.stdout  # the good file is still reported
    assert len(list((tmp_path / "data" / "index").rglob("*.json"))) == 1


def test_proxy_command(run, clips, tmp_path):
    out = tmp_path / "web" / "proxy.mp4"
    result = run("proxy", clips["mpeg4.avi"], "--out", out)
    assert result.exit_code == 0, result.output
    assert "browsers do not play mpeg4" in result.stderr
    assert [p.name for p in out.parent.iterdir()] == ["proxy.mp4"]
    probe = json.loads(run("probe", "--json", out).stdout)
    assert (probe["codec"], probe["frames"], probe["start_time"]) == ("h264", 60, pytest.approx(0.04))
    frame = tmp_path / "f.png"
    assert run("frame", out, 42, "--out", frame).exit_code == 0
    assert read_stamp(cv2.cvtColor(cv2.imread(str(frame)), cv2.COLOR_BGR2RGB)) == 41


def test_proxy_of_bad_input_leaves_nothing(run, tmp_path):
    (tmp_path / "in.mp4").write_text("nope")
    result = run("proxy", tmp_path / "in.mp4", "--out", tmp_path / "out" / "p.mp4")
    assert result.exit_code == 2
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
