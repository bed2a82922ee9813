"""Polygons and points in every format: coco-vid segmentation and keypoints, cvat-video polygon
and points tracks (both read back), yolo-seg outlines, bounding boxes in mot and yolo, the
per-frame fields in jsonl and ls-frames, ls-json exact; a format that cannot hold a kind says
so once per region type and writes the rest."""

import json

import numpy as np
import pytest
from lxml import etree

from formats import key, region, run

CONFIG = """<View>
  <Video name="video" value="$video" frameRate="25"/>
  <VideoRectangle name="box" toName="video"/>
  <VideoPolygon name="outline" toName="video"/>
  <VideoKeyPoint name="spot" toName="video"/>
  <Labels name="labels" toName="video"><Label value="Car"/><Label value="Wheel"/></Labels>
</View>"""
TRIANGLE = [[10, 10], [30, 10], [20, 30]]
MOVED = [[20, 10], [40, 10], [30, 30]]
SIZE = ("--width", 200, "--height", 100)


def polygon(rid, keys, frames_count=10, label="Car"):
    return {"id": rid, "type": "videopolygon", "from_name": "outline", "to_name": "video",
            "value": {"framesCount": frames_count, "labels": [label], "closed": True,
                      "sequence": [{"frame": f, "enabled": e, "points": p} for f, p, e in keys]}}


def keypoint(rid, keys, frames_count=10, label="Wheel"):
    return {"id": rid, "type": "videokeypoint", "from_name": "spot", "to_name": "video",
            "value": {"framesCount": frames_count, "labels": [label],
                      "sequence": [{"frame": f, "enabled": e, "x": x, "y": y} for f, x, y, e in keys]}}


def triangle():
    """Frames 1..5 (moving from TRIANGLE to MOVED), hidden after."""
    return polygon("p", [(1, TRIANGLE, True), (5, MOVED, False)])


def point():
    """Frames 2..10, from (50, 50) to (60, 40) at frame 4, then held."""
    return keypoint("k", [(2, 50, 50, True), (4, 60, 40, True)])


@pytest.fixture
def shapes_file(tmp_path):
    """A task file (and config.xml beside it) with a polygon, a point and a box."""
    (tmp_path / "config.xml").write_text(CONFIG)
    path = tmp_path / "tasks.json"
    regions = [triangle(), point(), region("b", "Car", [key(3, 10), key(4, 20, enabled=False)])]
    path.write_text(json.dumps([{"id": 1, "data": {"video": "clips/street.mp4"},
                                 "annotations": [{"result": regions}]}]))
    return path


def export(source, fmt, out, *extra):
    result = run("export", source, "--config", source.parent / "config.xml", "--format", fmt,
                 "--out", out, *SIZE, *extra)
    assert result.exit_code == 0, result.stderr
    return result


def warnings(result):
    return [line for line in result.stderr.splitlines() if line.startswith("warning:")]


def jsonl_rows(source):
    result = run("export", source, "--config", source.parent / "config.xml", "--format", "jsonl",
                 "--out", "-")
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def sequences(path):
    """Region id → [(frame, enabled, shape fields)] of a task file."""
    tasks = json.loads(path.read_text())
    out = {}
    for item in tasks[0]["annotations"][0]["result"]:
        keys = item["value"]["sequence"]
        out[item["id"]] = [(k["frame"], k["enabled"], {f: k[f] for f in ("points", "x", "y") if f in k})
                           for k in keys]
    return out


# --- jsonl, ls-frames, ls-json ---

def test_jsonl_writes_each_shape_with_its_own_fields(shapes_file):
    rows = jsonl_rows(shapes_file)
    by_region = {}
    for row in rows:
        by_region.setdefault(row["region"], []).append(row)
    assert [r["frame"] for r in by_region["p"]] == [1, 2, 3, 4, 5]
    assert by_region["p"][0] == {"task": 1, "region": "p", "label": "Car", "frame": 1,
                                 "points": TRIANGLE, "keyframe": True}
    assert by_region["p"][2]["points"] == [[15, 10], [35, 10], [25, 30]]  # half way
    assert [r["frame"] for r in by_region["k"]] == list(range(2, 11))
    assert {k: by_region["k"][1][k] for k in ("x", "y", "keyframe")} == {"x": 55, "y": 45, "keyframe": False}
    assert set(by_region["b"][0]) == {"task", "region", "label", "frame", "x", "y", "width",
                                      "height", "rotation", "keyframe"}


def test_ls_frames_writes_every_visible_shape(tmp_path, shapes_file):
    export(shapes_file, "ls-frames", tmp_path / "frames.json")
    got = sequences(tmp_path / "frames.json")
    assert [(f, e) for f, e, _ in got["p"]] == [(1, True), (2, True), (3, True), (4, True), (5, False)]
    assert got["p"][2][2] == {"points": [[15, 10], [35, 10], [25, 30]]}
    frames = json.loads((tmp_path / "frames.json").read_text())[0]["annotations"][0]["result"][0]
    assert frames["value"]["sequence"][1]["auto"] is True and "auto" not in frames["value"]["sequence"][0]
    assert [f for f, _, _ in got["k"]] == list(range(2, 11))


def test_ls_frames_read_back_collapses_every_kind_to_its_keyframes(tmp_path, shapes_file):
    export(shapes_file, "ls-frames", tmp_path / "frames.json")
    result = run("convert", tmp_path / "frames.json", "--from", "ls-json", "--to", "ls-json",
                 "--config", shapes_file.parent / "config.xml", "--out", tmp_path / "back.json")
    assert result.exit_code == 0, result.output
    back, original = sequences(tmp_path / "back.json"), sequences(shapes_file)
    assert back["p"] == original["p"] and back["k"] == original["k"]
    assert [(f, e) for f, e, _ in back["b"]] == [(f, e) for f, e, _ in original["b"]]


def test_ls_json_keeps_polygons_and_points_exactly(tmp_path, shapes_file):
    export(shapes_file, "ls-json", tmp_path / "back.json")
    assert sequences(tmp_path / "back.json") == sequences(shapes_file)


# --- bounding boxes: mot, yolo ---

def test_mot_writes_each_shapes_bounding_box(tmp_path, shapes_file):
    export(shapes_file, "mot", tmp_path / "mot")
    rows = [line.split(",") for line in (tmp_path / "mot" / "street" / "gt" / "gt.txt").read_text().splitlines()]
    first = {r[1]: r for r in rows if r[0] == "1"}
    (polygon_row,) = first.values()  # only the polygon is on frame 1
    assert polygon_row[2:6] == ["21", "11", "40", "20"]  # 1-based pixels: (20, 10) to (60, 30)
    frame_two = [r for r in rows if r[0] == "2"]
    assert ["101", "51", "0", "0"] in [r[2:6] for r in frame_two]  # the point: a zero-size box


def test_mot_origin_is_the_formats_own_option(tmp_path, shapes_file):
    export(shapes_file, "mot", tmp_path / "mot", "--origin", "0")
    first = (tmp_path / "mot" / "street" / "gt" / "gt.txt").read_text().splitlines()[0]
    assert first.split(",")[2:4] == ["20", "10"]


def test_yolo_writes_each_shapes_bounding_box(tmp_path, shapes_file):
    export(shapes_file, "yolo", tmp_path / "yolo")
    labels = tmp_path / "yolo" / "labels" / "street"
    assert (labels / "000000.txt").read_text() == "0 0.2 0.2 0.2 0.2\n"
    assert "1 0.5 0.5 0 0\n" in (labels / "000001.txt").read_text()


# --- yolo-seg ---

def test_yolo_seg_writes_outlines_and_leaves_points_out_once(tmp_path, shapes_file):
    result = export(shapes_file, "yolo-seg", tmp_path / "seg")
    labels = tmp_path / "seg" / "labels" / "street"
    assert (labels / "000000.txt").read_text() == "0 0.100000 0.100000 0.300000 0.100000 0.200000 0.300000\n"
    box_line = (labels / "000002.txt").read_text().splitlines()[-1].split()
    corners = np.array(box_line[1:], dtype=float).reshape(-1, 2) * [200, 100]
    assert corners.tolist() == [[20, 10], [40, 10], [40, 30], [20, 30]]  # a box: its 4 corners
    assert all(len(line.split()) % 2 == 1 for line in (labels / "000003.txt").read_text().splitlines())
    assert sorted(p.name for p in labels.iterdir())[-1] == "000004.txt"  # nothing after the polygon and box end
    (warning,) = warnings(result)
    assert "videokeypoint regions are left out: yolo-seg holds closed outlines, and these are point shapes" in warning
    assert (tmp_path / "seg" / "names.txt").read_text() == "Car\nWheel\n"


def test_a_format_of_boxes_leaves_other_kinds_out_once_per_region_type(tmp_path, shapes_file):
    tasks = json.loads(shapes_file.read_text())
    tasks[0]["annotations"][0]["result"].append(polygon("p2", [(2, MOVED, True)]))
    shapes_file.write_text(json.dumps(tasks))
    result = export(shapes_file, "yolo-obb", tmp_path / "obb")
    assert [w.split(": ", 3)[-1] for w in warnings(result)] == [
        "videopolygon regions are left out: yolo-obb holds box shapes, and these are polygon shapes",
        "videokeypoint regions are left out: yolo-obb holds box shapes, and these are point shapes"]
    labels = tmp_path / "obb" / "labels" / "street"
    assert [p.name for p in sorted(labels.iterdir())] == ["000002.txt", "000003.txt"]  # the box only


# --- coco-vid ---

def test_coco_vid_writes_segmentation_and_keypoints(tmp_path, shapes_file):
    export(shapes_file, "coco-vid", tmp_path / "coco")
    data = json.loads((tmp_path / "coco" / "annotations.json").read_text())
    by_instance = {}
    for ann in data["annotations"]:
        by_instance.setdefault(ann["instance_id"], []).append(ann)
    polygons, points, boxes = by_instance[1], by_instance[2], by_instance[3]
    assert polygons[0] == {"id": polygons[0]["id"], "image_id": 1, "category_id": 1, "instance_id": 1,
                           "bbox": [20, 10, 40, 20], "area": 400, "segmentation": [[20, 10, 60, 10, 40, 30]],
                           "iscrowd": 0}
    assert len(polygons) == 5 and polygons[-1]["segmentation"] == [[40, 10, 80, 10, 60, 30]]
    assert points[0] == {"id": points[0]["id"], "image_id": 2, "category_id": 2, "instance_id": 2,
                         "bbox": [100, 50, 0, 0], "area": 0, "keypoints": [100, 50, 2], "num_keypoints": 1,
                         "iscrowd": 0}
    assert "segmentation" not in boxes[0] and boxes[0]["area"] == 400
    assert data["categories"] == [{"id": 1, "name": "Car"},
                                  {"id": 2, "name": "Wheel", "keypoints": ["point"], "skeleton": []}]


def test_pycocotools_reads_our_polygons(tmp_path, shapes_file):
    from pycocotools.coco import COCO

    export(shapes_file, "coco-vid", tmp_path / "coco")
    coco = COCO(str(tmp_path / "coco" / "annotations.json"))
    (first,) = [a for a in coco.loadAnns(coco.getAnnIds(imgIds=[1]))]
    mask = coco.annToMask(first)
    assert mask.shape == (100, 200) and 300 < mask.sum() < 500  # the 400 px² triangle


def test_coco_vid_round_trip_reads_polygons_and_points_back(tmp_path, shapes_file):
    export(shapes_file, "coco-vid", tmp_path / "coco")
    result = run("convert", tmp_path / "coco", "--from", "coco-vid", "--to", "ls-json", "--config",
                 tmp_path / "config.xml", "--out", tmp_path / "back.json")
    assert result.exit_code == 0, result.stderr
    regions = json.loads((tmp_path / "back.json").read_text())[0]["annotations"][0]["result"]
    assert [(r["type"], r["from_name"], r["value"]["labels"]) for r in regions] == [
        ("videopolygon", "outline", ["Car"]), ("videokeypoint", "spot", ["Wheel"]),
        ("videorectangle", "box", ["Car"])]
    ours = {}
    for row in jsonl_rows(shapes_file):
        ours.setdefault(row["region"], {})[row["frame"]] = row
    back = {}
    for row in jsonl_rows(tmp_path / "back.json"):
        back.setdefault(row["region"], {})[row["frame"]] = row
    for rid, theirs in (("1", ours["p"]), ("2", ours["k"])):
        assert back[rid].keys() == theirs.keys()
        for frame, row in theirs.items():
            for name in ("points", "x", "y"):
                if name in row:
                    assert np.allclose(back[rid][frame][name], row[name], atol=1e-3, rtol=0)
    polygon_keys = regions[0]["value"]["sequence"]
    assert [(k["frame"], k["enabled"]) for k in polygon_keys] == [(1, True), (2, True), (3, True), (4, True),
                                                                 (5, False)]


@pytest.mark.parametrize("change, where, message", [
    ({"segmentation": [[1, 2, 3, 4]]}, "$.annotations[0].segmentation[0]", "at least 3 points"),
    ({"segmentation": [[1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6]]}, "$.annotations[0].segmentation",
     "2 polygons"),
    ({"keypoints": [1, 2, 2, 3, 4, 2]}, "$.annotations[0].keypoints", "2 keypoints"),
    ({"bbox": None}, "$.annotations[0]", "no bbox, polygon segmentation or keypoints"),
    ({"segmentation": [[1, 2, 3, 4, 1e12, 6]]}, "$.annotations[0].segmentation[0]", "outside"),
    ({"segmentation": [[-5, 2, 30, 4, 50, 60]]}, "$.annotations[0].segmentation[0]",
     "point 1's x is -5 percent of the frame, outside -1..101"),
    ({"keypoints": [50, 105, 2]}, "$.annotations[0].keypoints", "y is 105 percent of the frame, outside -1..101"),
])
def test_bad_coco_shapes_are_refused_where_they_are(tmp_path, change, where, message):
    annotation = {"id": 1, "image_id": 1, "category_id": 1, "instance_id": 1, "bbox": [1, 2, 3, 4], **change}
    path = tmp_path / "annotations.json"
    path.write_text(json.dumps({"images": [{"id": 1, "width": 100, "height": 100, "frame_id": 0}],
                                "annotations": [annotation], "categories": [{"id": 1, "name": "Car"}]}))
    result = run("convert", path, "--from", "coco-vid", "--to", "jsonl", "--out", "-")
    assert result.exit_code == 2
    assert f"error: {path}: {where}: " in result.stderr and message in result.stderr


def test_a_coco_instance_of_two_kinds_is_refused(tmp_path):
    anns = [{"id": 1, "image_id": 1, "category_id": 1, "instance_id": 1, "bbox": [1, 2, 3, 4]},
            {"id": 2, "image_id": 2, "category_id": 1, "instance_id": 1, "keypoints": [1, 2, 2]}]
    path = tmp_path / "annotations.json"
    path.write_text(json.dumps({"images": [{"id": i, "width": 100, "height": 100, "frame_id": i - 1}
                                           for i in (1, 2)],
                                "annotations": anns, "categories": [{"id": 1, "name": "Car"}]}))
    result = run("convert", path, "--from", "coco-vid", "--to", "jsonl", "--out", "-")
    assert result.exit_code == 2 and "$.annotations[1]: instance_id 1 is a box track" in result.stderr


# --- cvat-video ---

def cvat_tracks(path):
    root = etree.parse(str(path)).getroot()
    return {t.get("label") + "/" + t[0].tag: [dict(s.attrib) for s in t] for t in root.iter("track")}


def test_cvat_writes_polygon_and_points_tracks(tmp_path, shapes_file):
    export(shapes_file, "cvat-video", tmp_path / "out.xml")
    tracks = cvat_tracks(tmp_path / "out.xml")
    rows = tracks["Car/polygon"]
    assert [(r["frame"], r["keyframe"], r["outside"]) for r in rows] == [
        ("0", "1", "0"), ("4", "1", "0"), ("5", "1", "1")]
    assert rows[0]["points"] == "20.00,10.00;60.00,10.00;40.00,30.00"
    assert rows[2]["points"] == rows[1]["points"] == "40.00,10.00;80.00,10.00;60.00,30.00"
    points = tracks["Wheel/points"]
    assert [(r["frame"], r["outside"], r["points"]) for r in points] == [
        ("1", "0", "100.00,50.00"), ("3", "0", "120.00,40.00")]
    assert [r["frame"] for r in tracks["Car/box"]] == ["2", "3", "4"]
    root = etree.parse(str(tmp_path / "out.xml")).getroot()
    assert {label.findtext("name"): label.findtext("type") for label in root.iter("label")} == {
        "Car": "any", "Wheel": "points"}  # Car has a box and a polygon


def test_cvat_every_frame_is_the_formats_own_option(tmp_path, shapes_file):
    export(shapes_file, "cvat-video", tmp_path / "out.xml", "--every-frame")
    rows = cvat_tracks(tmp_path / "out.xml")["Car/polygon"]
    assert [r["frame"] for r in rows] == ["0", "1", "2", "3", "4", "5"]
    assert rows[2]["points"] == "30.00,10.00;70.00,10.00;50.00,30.00"


def test_cvat_round_trip_reads_the_same_keyframes_back(tmp_path, shapes_file):
    export(shapes_file, "cvat-video", tmp_path / "out.xml")
    result = run("convert", tmp_path / "out.xml", "--from", "cvat-video", "--to", "ls-json", "--config",
                 tmp_path / "config.xml", "--out", tmp_path / "back.json")
    assert result.exit_code == 0, result.stderr
    back = json.loads((tmp_path / "back.json").read_text())[0]["annotations"][0]["result"]
    by_type = {r["type"]: r for r in back}
    assert by_type["videopolygon"]["from_name"] == "outline" and by_type["videokeypoint"]["from_name"] == "spot"
    assert [(k["frame"], k["enabled"], k["points"]) for k in by_type["videopolygon"]["value"]["sequence"]] == [
        (1, True, TRIANGLE), (5, False, MOVED)]
    assert [(k["frame"], k["enabled"], k["x"], k["y"]) for k in by_type["videokeypoint"]["value"]["sequence"]] == [
        (2, True, 50, 50), (4, True, 60, 40)]
    again = tmp_path / "again.xml"
    result = run("convert", tmp_path / "out.xml", "--from", "cvat-video", "--to", "cvat-video", "--config",
                 tmp_path / "config.xml", "--out", again)
    assert result.exit_code == 0, result.stderr
    assert cvat_tracks(again) == cvat_tracks(tmp_path / "out.xml")


CVAT_TRACK = """<annotations><version>1.1</version><meta><task><size>10</size>
<original_size><width>200</width><height>100</height></original_size></task></meta>
<track id="0" label="Car">{}</track></annotations>"""


@pytest.mark.parametrize("shapes, message", [
    ('<polygon frame="0" keyframe="1" outside="0" points="1,2;3,4"/>', "a polygon has at least 3"),
    ('<points frame="0" keyframe="1" outside="0" points="1,2;3,4"/>', "a point track holds one"),
    ('<polygon frame="0" keyframe="1" outside="0" points="1,2,3;4,5,6;7,8,9"/>', '"x,y" pairs'),
    ('<polygon frame="0" keyframe="1" outside="0" points="a,2;3,4;5,6"/>', "needs numeric frame, points"),
    ('<box frame="0" xtl="1" ytl="1" xbr="2" ybr="2"/><polygon frame="1" points="1,2;3,4;5,6"/>',
     "<polygon> in a track of <box>"),
    ('<polygon frame="0" keyframe="1" outside="0" points="1,2;-20,4;5,6"/>',
     "point 2's x is -10 percent of the frame, outside -1..101"),
    ('<points frame="0" keyframe="1" outside="0" points="210,50"/>',
     "x is 105 percent of the frame, outside -1..101"),
])
def test_bad_cvat_shapes_are_refused_at_their_line(tmp_path, shapes, message):
    path = tmp_path / "in.xml"
    path.write_text(CVAT_TRACK.format(shapes))
    result = run("convert", path, "--from", "cvat-video", "--to", "jsonl", "--out", "-")
    assert result.exit_code == 2
    assert f"error: {path}:3: " in result.stderr and message in result.stderr
