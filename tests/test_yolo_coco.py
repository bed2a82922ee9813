"""YOLO, YOLO-OBB and COCO-VID: per-frame files, normalised values, pycocotools loads ours."""

import json

import numpy as np
import pytest

from formats import CONFIG, key, region, run, write_tasks


@pytest.fixture
def tasks(tmp_path):
    (tmp_path / "config.xml").write_text(CONFIG)
    return write_tasks(
        tmp_path / "t.json",
        region("car", "Car", [key(1, 10), key(3, 20, enabled=False)], frames_count=12),
        region("walker", "Person", [key(2, 50, 50, 10, 10, rotation=90)], frames_count=12),
    )


def export(tmp_path, tasks, fmt, *extra):
    out = tmp_path / fmt
    result = run("export", tasks, "--config", tmp_path / "config.xml", "--format", fmt,
                 "--out", out, "--width", 200, "--height", 100, *extra)
    assert result.exit_code == 0, result.stderr
    return out


@pytest.mark.parametrize("fmt", ["yolo", "yolo-seg", "yolo-obb", "coco-vid", "cvat-video"])
def test_unlabelled_regions_are_left_out_with_one_warning(tmp_path, fmt):
    (tmp_path / "config.xml").write_text(CONFIG)
    unlabelled = [region(f"u{i}", "Car", [key(1, 30 + i)], frames_count=2) for i in range(2)]
    for r in unlabelled:
        r["value"]["labels"] = []
    tasks = write_tasks(tmp_path / "t.json", unlabelled[0], region("p", "Person", [key(1, 10)], frames_count=2),
                        unlabelled[1])
    out = tmp_path / fmt
    result = run("export", tasks, "--config", tmp_path / "config.xml", "--format", fmt, "--out", out,
                 "--width", 200, "--height", 100)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("no label") == 1
    assert f"$[0].annotations[0].result[0]: regions with no label are left out: {fmt} needs a class" in result.stderr
    if fmt == "coco-vid":
        data = json.loads((out / "annotations.json").read_text())
        assert [(a["category_id"], a["instance_id"]) for a in data["annotations"]] == [(2, 1), (2, 1)]
    elif fmt == "cvat-video":
        assert out.read_text().count("<track ") == 1 and 'label="Person"' in out.read_text()
    else:
        assert [line.split()[0] for line in (out / "labels" / "street" / "000000.txt").read_text().splitlines()] == ["1"]


def test_yolo_files_per_frame(tmp_path, tasks):
    out = export(tmp_path, tasks, "yolo")
    labels = out / "labels" / "street"
    assert sorted(p.name for p in labels.iterdir()) == [f"{i:06d}.txt" for i in range(12)]
    assert (labels / "000000.txt").read_text() == "0 0.15 0.2 0.1 0.2\n"
    assert (labels / "000001.txt").read_text() == "0 0.2 0.2 0.1 0.2\n1 0.475 0.6 0.05 0.2\n"
    # rotated 90° about (100, 50) px: a 20x10 px box becomes x 90..100, y 50..70
    assert (labels / "000011.txt").read_text() == "1 0.475 0.6 0.05 0.2\n"
    assert (out / "names.txt").read_text() == "Car\nPerson\n"
    assert '  1: "Person"' in (out / "data.yaml").read_text()


def test_yolo_obb_corners_in_label_studio_order(tmp_path, tasks):
    out = export(tmp_path, tasks, "yolo-obb")
    line = (out / "labels" / "street" / "000005.txt").read_text().split()
    corners = np.array(line[1:], dtype=float).reshape(4, 2) * [200, 100]
    # top-left (100, 50), then along the width (turned to point down), then the far corner
    assert line[0] == "1"
    assert corners.tolist() == [[100, 50], [100, 70], [90, 70], [90, 50]]


def test_clip(tmp_path):
    (tmp_path / "config.xml").write_text(CONFIG)
    tasks = write_tasks(tmp_path / "t.json", region("r", "Car", [key(1, 95, 90, 10, 20)], frames_count=1))
    out = export(tmp_path, tasks, "yolo", "--clip")
    assert (out / "labels" / "street" / "000000.txt").read_text() == "0 0.975 0.95 0.05 0.1\n"


def test_coco_vid_structure(tmp_path, tasks):
    out = export(tmp_path, tasks, "coco-vid")
    data = json.loads((out / "annotations.json").read_text())
    assert data["videos"] == [{"id": 1, "name": "street"}]
    assert [i["frame_id"] for i in data["images"]] == list(range(12))
    assert data["images"][3] == {"id": 4, "video_id": 1, "frame_id": 3,
                                 "file_name": "street/000003.jpg", "width": 200, "height": 100}
    assert data["categories"] == [{"id": 1, "name": "Car"}, {"id": 2, "name": "Person"}]
    first = data["annotations"][0]
    assert first == {"id": 1, "image_id": 1, "category_id": 1, "instance_id": 1,
                     "bbox": [20, 10, 20, 20], "area": 400, "iscrowd": 0}
    assert len(data["annotations"]) == 3 + 11
    assert {a["instance_id"] for a in data["annotations"]} == {1, 2}


def test_pycocotools_loads_ours_as_coco(tmp_path, tasks):
    from pycocotools.coco import COCO

    out = export(tmp_path, tasks, "coco-vid")
    coco = COCO(str(out / "annotations.json"))
    assert len(coco.getImgIds()) == 12
    anns = coco.loadAnns(coco.getAnnIds(imgIds=[2], catIds=[2]))
    assert [a["bbox"] for a in anns] == [[90, 50, 10, 20]]


def test_coco_vid_round_trip(tmp_path, tasks):
    out = export(tmp_path, tasks, "coco-vid")
    result = run("convert", out, "--from", "coco-vid", "--to", "coco-vid", "--out", tmp_path / "back")
    assert result.exit_code == 0, result.stderr
    first = json.loads((out / "annotations.json").read_text())
    again = json.loads((tmp_path / "back" / "annotations.json").read_text())
    assert again == first


def test_tiny_boxes_are_reported(tmp_path):
    (tmp_path / "config.xml").write_text(CONFIG)
    tasks = write_tasks(tmp_path / "t.json", region("r", "Car", [key(1, 10, 10, 0.1, 5)], frames_count=2))
    result = run("export", tasks, "--format", "coco-vid", "--out", tmp_path / "c",
                 "--width", 200, "--height", 100)
    assert "warning: annotations.json: 2 shapes are under 1 px" in result.stderr


def test_bad_coco(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"images": [{"id": 1, "width": 10, "height": 10}], "categories": [],
                                "annotations": [{"id": 1, "image_id": 1, "category_id": 3,
                                                 "bbox": [0, 0, 1, 1]}]}))
    result = run("convert", path, "--from", "coco-vid", "--to", "jsonl", "--out", "-")
    assert result.exit_code == 2
    assert f"error: {path}: $.annotations[0]: category_id 3 names no category" in result.stderr
    path.write_text('{"images": 3}')
    result = run("convert", path, "--from", "coco-vid", "--to", "jsonl", "--out", "-")
    assert result.exit_code == 2 and f"error: {path}: $.images: not COCO-VID: Expected `array`, got `int`" in result.stderr


def test_label_studio_per_frame_export_collapses_to_keyframes(tmp_path, ls_fixtures):
    """label-studio-sdk's interpolate_key_frames output (every frame, "auto") comes back as
    the keyframes it was made from."""
    region_json = json.loads((ls_fixtures / "docs_example_region.json").read_text())
    original = write_tasks(tmp_path / "orig.json", region_json)
    frames = tmp_path / "frames.json"
    assert run("export", original, "--format", "ls-frames", "--out", frames).exit_code == 0
    result = run("convert", frames, "--from", "ls-json", "--to", "ls-json", "--out", tmp_path / "back.json")
    assert result.exit_code == 0, result.stderr
    assert json.loads((tmp_path / "back.json").read_text()) == json.loads(original.read_text())


def test_label_studio_round_trip_is_exact(tmp_path):
    tasks = write_tasks(tmp_path / "t.json", region("car", "Car", [key(1, 10), key(3, 20, enabled=False), key(7, 5)]))
    result = run("convert", tasks, "--from", "ls-json", "--to", "ls-json", "--out", tmp_path / "back.json")
    assert result.exit_code == 0, result.stderr
    assert json.loads((tmp_path / "back.json").read_text()) == json.loads(tasks.read_text())
