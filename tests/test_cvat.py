"""CVAT for video 1.1: keyframes and outside boxes, centre-pivot rotation, exact round trips."""

import json

import pytest
from lxml import etree

from formats import CONFIG, key, region, run, write_tasks


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "config.xml"
    path.write_text(CONFIG)
    return path


def boxes(xml_path):
    root = etree.parse(str(xml_path)).getroot()
    return {t.get("id"): [dict(b.attrib) for b in t.iter("box")] for t in root.iter("track")}


def export_cvat(tmp_path, config, *regions, extra=()):
    tasks = write_tasks(tmp_path / "t.json", *regions)
    out = tmp_path / "out.xml"
    result = run("export", tasks, "--config", config, "--format", "cvat-video", "--out", out,
                 "--width", 1000, "--height", 500, *extra)
    assert result.exit_code == 0, result.stderr
    return out


def test_keyframes_and_lifespan_end(tmp_path, config):
    out = export_cvat(tmp_path, config,
                      region("car", "Car", [key(1, 10), key(5, 20, enabled=False), key(8, 40)]))
    rows = boxes(out)["0"]
    assert [(b["frame"], b["keyframe"], b["outside"]) for b in rows] == [
        ("0", "1", "0"), ("4", "1", "0"), ("5", "1", "1"), ("7", "1", "0")]
    assert rows[0] == {"frame": "0", "keyframe": "1", "outside": "0", "occluded": "0",
                       "xtl": "100.00", "ytl": "50.00", "xbr": "200.00", "ybr": "150.00",
                       "z_order": "0"}
    assert rows[2]["xtl"] == rows[1]["xtl"] == "200.00"  # the outside box repeats the last one
    root = etree.parse(str(out)).getroot()
    assert root.findtext("version") == "1.1"
    assert root.findtext("meta/task/size") == "10" and root.findtext("meta/task/stop_frame") == "9"
    assert [l.findtext("name") for l in root.iter("label")] == ["Car", "Person"]
    assert root.findtext("meta/task/original_size/width") == "1000"


def test_rotation_moves_to_the_centre_pivot(tmp_path, config):
    # 10x20 px box at (10, 10) turned 90° about its top-left: centre (0, 15)
    out = export_cvat(tmp_path, config,
                      region("r", "Car", [key(1, 1, 2, 1, 4, rotation=90)], frames_count=1))
    (box,) = boxes(out)["0"]
    assert (box["xtl"], box["ytl"], box["xbr"], box["ybr"], box["rotation"]) == (
        "-5.00", "5.00", "5.00", "25.00", "90.00")


def test_negative_rotation_is_written_in_0_360(tmp_path, config):
    out = export_cvat(tmp_path, config, region("r", "Car", [key(1, 10, rotation=-30)], frames_count=1))
    assert boxes(out)["0"][0]["rotation"] == "330.00"


CVAT = """<?xml version='1.0' encoding='utf-8'?>
<annotations>
  <version>1.1</version>
  <meta>
    <task>
      <id>3</id>
      <name>street</name>
      <size>12</size>
      <mode>interpolation</mode>
      <overlap>0</overlap>
      <start_frame>0</start_frame>
      <stop_frame>11</stop_frame>
      <frame_filter></frame_filter>
      <labels>
        <label>
          <name>Car</name>
          <type>rectangle</type>
          <attributes/>
        </label>
        <label>
          <name>Person</name>
          <type>rectangle</type>
          <attributes/>
        </label>
      </labels>
      <original_size>
        <width>640</width>
        <height>360</height>
      </original_size>
    </task>
  </meta>
  <track id="0" label="Car" source="manual">
    <box frame="0" keyframe="1" outside="0" occluded="0" xtl="10.00" ytl="20.00" xbr="110.50" ybr="70.00" z_order="0"/>
    <box frame="4" keyframe="1" outside="0" occluded="1" xtl="40.00" ytl="20.00" xbr="140.50" ybr="90.00" z_order="2" rotation="45.00">
      <attribute name="parked">false</attribute>
    </box>
    <box frame="5" keyframe="1" outside="1" occluded="0" xtl="40.00" ytl="20.00" xbr="140.50" ybr="90.00" z_order="0" rotation="45.00"/>
    <box frame="8" keyframe="1" outside="0" occluded="0" xtl="300.25" ytl="100.00" xbr="350.25" ybr="160.00" z_order="0"/>
  </track>
  <track id="1" label="Person" source="auto">
    <box frame="2" keyframe="1" outside="0" occluded="0" xtl="5.00" ytl="5.00" xbr="25.00" ybr="65.00" z_order="0"/>
    <box frame="11" keyframe="1" outside="0" occluded="0" xtl="15.00" ytl="5.00" xbr="35.00" ybr="65.00" z_order="0"/>
  </track>
</annotations>
"""


def test_cvat_round_trip_is_exact(tmp_path, config):
    source = tmp_path / "in.xml"
    source.write_text(CVAT)
    result = run("convert", source, "--from", "cvat-video", "--to", "cvat-video", "--out",
                 tmp_path / "back.xml", "--config", config)
    assert result.exit_code == 0, result.stderr
    assert boxes(tmp_path / "back.xml") == boxes(source)
    back = etree.tostring(etree.parse(str(tmp_path / "back.xml")).getroot().find("track"))
    assert back == etree.tostring(etree.fromstring(CVAT.encode()).find("track"))


def test_cvat_through_label_studio_json(tmp_path, config):
    source = tmp_path / "in.xml"
    source.write_text(CVAT)
    assert run("convert", source, "--from", "cvat-video", "--to", "ls-json", "--out",
               tmp_path / "t.json", "--config", config).exit_code == 0
    tasks = json.loads((tmp_path / "t.json").read_text())
    car = tasks[0]["annotations"][0]["result"][0]
    assert [k["frame"] for k in car["value"]["sequence"]] == [1, 5, 9]
    assert [k["enabled"] for k in car["value"]["sequence"]] == [True, False, True]
    assert car["value"]["sequence"][1]["occluded"] is True
    assert car["value"]["sequence"][1]["attributes"] == {"parked": "false"}
    assert tasks[0]["annotations"][0]["result"][1]["source"] == "auto"
    result = run("export", tmp_path / "t.json", "--config", config, "--format", "cvat-video",
                 "--out", tmp_path / "back.xml")
    assert result.exit_code == 0, result.stderr
    assert boxes(tmp_path / "back.xml") == boxes(source)


def cvat_shapes(track, frames_count):
    """CVAT's own playback of a track (dataset_manager's TrackManager, rectangles): keyframes
    held or linearly interpolated on xtl..ybr until an outside keyframe."""
    keys = sorted(track, key=lambda b: int(b["frame"]))
    shown = {}
    for a, b in zip(keys, keys[1:] + [None]):
        if a["outside"] == "1":
            continue
        start = int(a["frame"])
        stop = int(b["frame"]) if b else frames_count
        for f in range(start, stop):
            r = 0 if b is None else (f - start) / (stop - start)
            shown[f] = tuple(float(a[k]) + ((float(b[k]) - float(a[k])) * r if b else 0)
                             for k in ("xtl", "ytl", "xbr", "ybr"))
    return shown


def test_cvat_shows_our_boxes_on_every_frame(tmp_path, config):
    regions = [region("a", "Car", [key(1, 10), key(5, 20, enabled=False), key(8, 40, 30, 15, 10)], 12),
               region("b", "Person", [key(3, 50, 50, 5, 5), key(11, 70, 20, 9, 9, enabled=False)], 12)]
    out = export_cvat(tmp_path, config, *regions)
    jsonl = run("export", tmp_path / "t.json", "--format", "jsonl", "--out", "-")
    ours = {}
    for row in map(json.loads, jsonl.stdout.splitlines()):
        x, y = row["x"] * 10, row["y"] * 5
        ours.setdefault(row["region"], {})[row["frame"] - 1] = (
            x, y, x + row["width"] * 10, y + row["height"] * 5)
    tracks = boxes(out)
    for track_id, rid in (("0", "a"), ("1", "b")):
        cvat = cvat_shapes(tracks[track_id], 12)
        assert cvat.keys() == ours[rid].keys()
        for f, box in ours[rid].items():
            assert cvat[f] == pytest.approx(box, abs=0.006)


def test_every_frame_writes_each_visible_frame(tmp_path, config):
    out = export_cvat(tmp_path, config, region("a", "Car", [key(1, 10), key(5, 20, enabled=False)], 8),
                      extra=("--every-frame",))
    rows = boxes(out)["0"]
    assert [(b["frame"], b["outside"]) for b in rows] == [
        ("0", "0"), ("1", "0"), ("2", "0"), ("3", "0"), ("4", "0"), ("5", "1")]
    assert rows[1]["xtl"] == "125.00"


@pytest.mark.parametrize("text, message", [
    ("<annotations><track", ":1: malformed XML"),
    ('<!DOCTYPE a [<!ENTITY x "y">]><annotations/>', ":1: DOCTYPE and entity declarations are not allowed"),
    ("<tracks/>", ":1: expected <annotations>, not <tracks>"),
    (CVAT.replace('xtl="300.25"', 'xtl="far"'), ":38: <box> needs numeric frame, xtl, ytl, xbr, ybr"),
    (CVAT.replace('frame="8"', 'frame="40"'), ":38: frame 40 is outside 0..11"),
    (CVAT.replace("<width>640</width>", "<width>wide</width>"), ":27: <original_size/width> is 'wide', not a number"),
])
def test_bad_cvat_files(tmp_path, text, message):
    source = tmp_path / "in.xml"
    source.write_text(text)
    result = run("convert", source, "--from", "cvat-video", "--to", "jsonl", "--out", "-")
    assert result.exit_code == 2
    assert f"error: {source}{message}" in result.stderr


def test_one_task_only(tmp_path, config):
    path = tmp_path / "t.json"
    task = {"data": {"video": "a.mp4"}, "annotations": [{"result": [region("a", "Car", [key(1, 10)])]}]}
    path.write_text(json.dumps([task, task]))
    result = run("export", path, "--format", "cvat-video", "--out", tmp_path / "o.xml",
                 "--width", 10, "--height", 10)
    assert result.exit_code == 2 and "CVAT for video holds one task; this file has 2" in result.stderr
