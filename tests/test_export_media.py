"""Exports that read the task's video: the probed frame size and --with-frames images."""

import cv2
import pytest

import video_factory
from formats import CONFIG, key, region, run, write_tasks


@pytest.fixture
def project(tmp_path):
    (tmp_path / "media").mkdir()
    video_factory.vp9_webm(tmp_path / "media" / "clip.webm", frames=12)
    (tmp_path / "config.xml").write_text(CONFIG)
    tasks = write_tasks(tmp_path / "t.json", region("r", "Car", [key(2, 10), key(5, 20)], frames_count=12),
                        video="media/clip.webm")
    return tmp_path, tasks


def export(tmp_path, tasks, fmt, *extra):
    result = run("export", tasks, "--config", tmp_path / "config.xml", "--format", fmt,
                 "--out", tmp_path / fmt, "--data-dir", tmp_path / "cache", *extra)
    assert result.exit_code == 0, result.stderr
    return tmp_path / fmt


def test_frame_size_comes_from_the_probe(project):
    tmp_path, tasks = project
    out = export(tmp_path, tasks, "mot")
    seqinfo = (out / "clip" / "seqinfo.ini").read_text()
    assert f"imWidth={video_factory.WIDTH}\nimHeight={video_factory.HEIGHT}\n" in seqinfo


@pytest.mark.parametrize("fmt, folder, first, last", [
    ("yolo", "images/clip", "000000.jpg", "000011.jpg"),
    ("coco-vid", "images/clip", "000000.jpg", "000011.jpg"),
    ("mot", "clip/img1", "000001.jpg", "000012.jpg"),
])
def test_with_frames_writes_every_frame_in_order(project, fmt, folder, first, last):
    tmp_path, tasks = project
    out = export(tmp_path, tasks, fmt, "--with-frames")
    images = sorted((out / folder).iterdir())
    assert len(images) == 12 and images[0].name == first and images[-1].name == last
    for i, image in enumerate(images):
        rgb = cv2.cvtColor(cv2.imread(str(image)), cv2.COLOR_BGR2RGB)
        assert video_factory.read_stamp(rgb) == i


def test_with_frames_without_the_video(tmp_path):
    (tmp_path / "config.xml").write_text(CONFIG)
    tasks = write_tasks(tmp_path / "t.json", region("r", "Car", [key(1, 10)]), video="missing.mp4")
    result = run("export", tasks, "--format", "yolo", "--out", tmp_path / "y", "--width", 64,
                 "--height", 48, "--with-frames")
    assert result.exit_code == 2
    assert "$[0].data: --with-frames needs the task's video file" in result.stderr
    assert not (tmp_path / "y").exists()


def test_unreadable_video_is_a_clear_error(tmp_path):
    (tmp_path / "config.xml").write_text(CONFIG)
    (tmp_path / "bad.mp4").write_text("not a video")
    tasks = write_tasks(tmp_path / "t.json", region("r", "Car", [key(1, 10)]), video="bad.mp4")
    result = run("export", tasks, "--format", "mot", "--out", tmp_path / "m", "--data-dir", tmp_path / "c")
    assert result.exit_code == 2 and f"{tmp_path / 'bad.mp4'}" in result.stderr
