"""Hostile files through the MOT, CVAT and COCO-VID importers: each is refused with exit 2 and
an error naming the file and the place (line, element or JSON path), never a traceback."""

import json
import os

import pytest

from formats import run

SEQINFO = "[Sequence]\nname=street\nframeRate=25\nseqLength=10\nimWidth=100\nimHeight=50\n"
GT = "1,1,10,10,5,5,1,1,1\n2,1,11,10,5,5,1,1,1\n"


def convert(source, fmt, *extra):
    return run("convert", source, "--from", fmt, "--to", "jsonl", "--out", "-", *extra)


def refused(result, where, message=""):
    """Exit 2, and the first error names `where` (then says `message`)."""
    assert result.exit_code == 2, result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"error: {where}"), first
    assert message in first, first


def mot_sequence(tmp_path, seqinfo=SEQINFO, gt=GT, labels=None):
    folder = tmp_path / "seq"
    (folder / "gt").mkdir(parents=True)
    (folder / "seqinfo.ini").write_bytes(seqinfo if isinstance(seqinfo, bytes) else seqinfo.encode())
    (folder / "gt" / "gt.txt").write_bytes(gt if isinstance(gt, bytes) else gt.encode())
    if labels is not None:
        (folder / "labels.txt").write_bytes(labels)
    return folder


@pytest.mark.parametrize("seqinfo, line, message", [
    (SEQINFO.replace("frameRate=25", "frameRate=%(x)s"), 3, "frameRate is '%(x)s', not a number"),
    (SEQINFO.replace("frameRate=25", "frameRate=nan"), 3, "frameRate nan is outside 1e-06..1000000"),
    (SEQINFO.replace("frameRate=25", "frameRate=inf"), 3, "frameRate inf is outside"),
    (SEQINFO.replace("frameRate=25", "frameRate=0"), 3, "frameRate 0 is outside"),
    (SEQINFO.replace("seqLength=10", "seqLength=99999999999999999999"), 4, "seqLength 99999999999999999999 is outside 1..10000000"),
    (SEQINFO.replace("seqLength=10", "seqLength=2.5"), 4, "seqLength 2.5 is not a whole number"),
    (SEQINFO.replace("imWidth=100", "imWidth=0"), 5, "imWidth 0 is outside 1..1000000"),
    (SEQINFO.replace("imHeight=50", "imHeight : -50"), 6, "imHeight -50 is outside"),
    ("name=street\n[Sequence]\n", 1, "a key before the [Sequence] header"),
    (SEQINFO + "name=again\n", 7, "option 'name' in section 'Sequence' already exists"),
    (SEQINFO + "no equals sign\n", 7, "a line that is neither [Section] nor key=value"),
    (b"[Sequence]\nname=\xff\xfe\n", 2, "not UTF-8 text"),
])
def test_bad_seqinfo(tmp_path, seqinfo, line, message):
    folder = mot_sequence(tmp_path, seqinfo=seqinfo)
    refused(convert(folder, "mot"), f"{folder / 'seqinfo.ini'}:{line}: ", message)


def test_seqinfo_percent_is_text_not_interpolation(tmp_path):
    """configparser's interpolation would expand %(key)s: here to 10^4 characters, and with
    nine levels instead of four to 10^9 (the importer would hang)."""
    bomb = "".join(f"k{i}=" + f"%(k{i + 1})s" * 10 + "\n" for i in range(4)) + "k4=x\n"
    folder = mot_sequence(tmp_path, seqinfo=SEQINFO.replace("name=street", "name=%(k0)s") + bomb)
    result = run("convert", folder, "--from", "mot", "--to", "ls-json", "--out", "-")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["data"]["video"] == "%(k0)s"


def test_a_byte_order_mark_is_not_part_of_the_text(tmp_path):
    bom = "\ufeff"
    folder = mot_sequence(tmp_path, seqinfo=bom + SEQINFO, gt=bom + GT, labels=(bom + "1,Bus\n").encode())
    result = run("convert", folder, "--from", "mot", "--to", "ls-json", "--out", "-")
    assert result.exit_code == 0, result.output
    (region,) = json.loads(result.stdout)[0]["annotations"][0]["result"]
    assert region["value"]["labels"] == ["Bus"] and region["original_width"] == 100


def test_seqinfo_without_a_sequence_section(tmp_path):
    folder = mot_sequence(tmp_path, seqinfo="[Other]\nname=x\n")
    refused(convert(folder, "mot"), f"{folder / 'seqinfo.ini'}: ", "no [Sequence] section")


@pytest.mark.parametrize("labels", [b"1,Car\n2,\xff\xfeBus\n", b"\xff\xfe" + os.urandom(64)])
def test_labels_that_are_not_utf8(tmp_path, labels):
    folder = mot_sequence(tmp_path, labels=labels)
    line = 2 if labels.startswith(b"1,Car") else 1
    refused(convert(folder, "mot"), f"{folder / 'labels.txt'}:{line}: ", "not UTF-8 text")


@pytest.mark.parametrize("row, message", [
    ("2147483648,1,10,10,5,5,1,1,1", "frame 2147483648 is not a 1-based frame number (1..2147483647)"),
    ("99999999999999999999,1,10,10,5,5,1,1,1", "is not a 1-based frame number"),
    ("-3,1,10,10,5,5,1,1,1", "frame -3 is not a 1-based frame number"),
    ("1,1,1e300,10,5,5,1,1,1", "x is 1e+300 percent of the frame, outside -1e+06..1e+06"),
    ("1,1,10,10,1e300,5,1,1,1", "width is 1e+300 percent of the frame, outside 0..1e+06"),
    ("1,1,10,10,5,5,1,1.5,1", "class 1.5 is not a whole number"),
    ("1,1,10,10,5,5,1,1,nan", "a column is not a finite number"),
])
def test_bad_gt_rows(tmp_path, row, message):
    folder = mot_sequence(tmp_path, gt=f"1,2,10,10,5,5,1,1,1\n{row}\n")
    refused(convert(folder, "mot"), f"{folder / 'gt' / 'gt.txt'}:2: ", message)


def test_a_frame_past_every_count_with_no_seqinfo(tmp_path):
    path = tmp_path / "gt.txt"
    path.write_text("1,1,10,10,5,5,1,1,1\n20000000,1,10,10,5,5,1,1,1\n")
    refused(convert(path, "mot", "--width", 100, "--height", 100), f"{path}:2: ",
            "frame 20000000 is past the 10000000 frames a sequence may have")


def test_binary_garbage_and_empty_mot_files(tmp_path):
    folder = mot_sequence(tmp_path, gt=b"\x00\xff" + os.urandom(200))
    refused(convert(folder, "mot"), f"{folder / 'gt' / 'gt.txt'}:1: ", "not UTF-8 text")
    (folder / "seqinfo.ini").write_bytes(b"[Sequence]\n\x89PNG\r\n\x1a\n\xff")
    refused(convert(folder, "mot"), f"{folder / 'seqinfo.ini'}:2: ", "not UTF-8 text")
    (folder / "seqinfo.ini").write_text(SEQINFO)
    (folder / "gt" / "gt.txt").write_text("")
    result = run("convert", folder, "--from", "mot", "--to", "ls-json", "--out", "-")
    assert result.exit_code == 0 and json.loads(result.stdout)[0]["annotations"][0]["result"] == []


CVAT = """<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <meta><task>
    <name>street</name>
    <size>10</size>
    <original_size>
      <width>100</width>
      <height>50</height>
    </original_size>
  </task></meta>
  <track id="0" label="Car" source="manual">
    <box frame="0" keyframe="1" outside="0" occluded="0" xtl="1" ytl="2" xbr="30" ybr="40" z_order="0"/>
  </track>
</annotations>
"""
BOX = 'frame="0" keyframe="1" outside="0" occluded="0" xtl="1" ytl="2" xbr="30" ybr="40" z_order="0"'


@pytest.mark.parametrize("old, new, line, message", [
    ("<size>10", "<size>nan", 6, "<size> nan is outside 1..10000000"),
    ("<size>10", "<size>inf", 6, "<size> inf is outside 1..10000000"),
    ("<size>10", "<size>-4", 6, "<size> -4 is outside"),
    ("<size>10", "<size>2.5", 6, "<size> 2.5 is not a whole number"),
    ("<size>10", "<size>1e30", 6, "<size> 1e30 is outside"),
    ("<width>100", "<width>0", 8, "<original_size/width> 0 is outside 1..1000000"),
    ("<width>100", "<width>nan", 8, "<original_size/width> nan is outside"),
    ("<height>50", "<height>inf", 9, "<original_size/height> inf is outside"),
    ('z_order="0"', 'z_order="1.5"', 13, "z_order 1.5 is not a whole number"),
    ('z_order="0"', 'z_order="top"', 13, "z_order is 'top', not a number"),
    ('z_order="0"', 'z_order="' + "9" * 30 + '"', 13, "z_order 999999999999999999999999999999 is outside"),
    ('frame="0"', 'frame="' + "9" * 20 + '"', 13, "frame 99999999999999999999 is outside 0..9"),
    ('frame="0"', 'frame="-1"', 13, "frame -1 is outside 0..9"),
    ('xtl="1"', 'xtl="nan"', 13, "xtl, ytl, xbr, ybr and rotation must be finite"),
    ('xbr="30"', 'xbr="' + "9" * 400 + '"', 13, "must be finite"),
    ('ybr="40"', 'ybr="1e300"', 13, "height is 2e+300 percent of the frame, outside 0..1e+06"),
    ('z_order="0"/>', 'z_order="0" rotation="1e300"/>', 13, "rotation is 1e+300 degrees, outside"),
    ('z_order="0"/>', 'z_order="0"><attribute>x</attribute></box>', 13, "<attribute> needs a name"),
    ("<box " + BOX, '<box frame="0" xtl="1"', 13, "<box> needs numeric frame, xtl, ytl, xbr, ybr"),
])
def test_bad_cvat(tmp_path, old, new, line, message):
    path = tmp_path / "in.xml"
    assert old in CVAT
    path.write_text(CVAT.replace(old, new))
    refused(convert(path, "cvat-video"), f"{path}:{line}: ", message)


@pytest.mark.parametrize("data, message", [
    (b"", "malformed XML: Document is empty"),
    (b"\x00\x01garbage" + bytes(range(256)), "malformed XML"),
    (b"\xff\xfe\x00\x00" + os.urandom(100), "malformed XML"),
])
def test_cvat_garbage(tmp_path, data, message):
    path = tmp_path / "in.xml"
    path.write_bytes(data)
    refused(convert(path, "cvat-video"), f"{path}:", message)


def coco(**changes):
    data = {"videos": [{"id": 1, "name": "street"}],
            "images": [{"id": 1, "video_id": 1, "frame_id": 0, "width": 100, "height": 50},
                       {"id": 2, "video_id": 1, "frame_id": 1, "width": 100, "height": 50}],
            "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "instance_id": 1, "bbox": [1, 2, 3, 4]},
                            {"id": 2, "image_id": 2, "category_id": 1, "instance_id": 1, "bbox": [1, 2, 3, 4]}],
            "categories": [{"id": 1, "name": "Car"}]}
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        target = data
        for name in parents:
            target = target[int(name)] if name.isdigit() else target[name]
        target[int(last) if last.isdigit() else last] = value
    return json.dumps(data)


@pytest.mark.parametrize("text, where, message", [
    (coco(images__0__width=0), "$.images[0].width", "Expected `float` >= 1.0"),
    (coco(images__1__height=-3), "$.images[1].height", "Expected `float` >= 1.0"),
    (coco(images__0__width=2e6), "$.images[0].width", "Expected `float` <= 1000000.0"),
    (coco(images__0__width=1).replace('"width": 1,', '"width": 1e400,'), "$.images[0].width", "Number out of range"),
    (coco(images__0__width="wide"), "$.images[0].width", "Expected `float`, got `str`"),
    (coco(images__1__frame_id=-1), "$.images[1].frame_id", "Expected `int` >= 0"),
    (coco(images__1__frame_id=2**31), "$.images[1].frame_id", "is past the 10000000 frames"),
    (coco(images__1__frame_id=2**64), "$.images[1].frame_id", "is past the 10000000 frames"),
    (coco(annotations__1__bbox=[1e300, 2, 3, 4]), "$.annotations[1]", "x is 1e+300 percent of the frame"),
    (coco(annotations__1__bbox=[1, 2]), "$.annotations[1].bbox", "Expected `array` of length 4"),
    (coco(annotations__1__image_id=1), "$.annotations[1]", "instance_id 1 has a shape on frame_id 0 already"),
    (coco(annotations__0__id="1"), "$.annotations[0].id", "Expected `int`, got `str`"),
    ("[]", "$", "Expected `object`, got `array`"),
])
def test_bad_coco_vid(tmp_path, text, where, message):
    path = tmp_path / "annotations.json"
    path.write_text(text)
    refused(convert(path, "coco-vid"), f"{path}: {where}: ", message)


def test_coco_vid_instance_ids_are_per_video(tmp_path):
    data = json.loads(coco())
    data["videos"].append({"id": 2, "name": "other"})
    data["images"][1].update(video_id=2, frame_id=0)  # instance 1 in both videos, on frame_id 0
    path = tmp_path / "annotations.json"
    path.write_text(json.dumps(data))
    result = run("convert", path, "--from", "coco-vid", "--to", "ls-json", "--out", "-")
    assert result.exit_code == 0, result.output
    assert [len(t["annotations"][0]["result"]) for t in json.loads(result.stdout)] == [1, 1]


@pytest.mark.parametrize("text", [
    "[" * 100_000 + "]" * 100_000,
    coco()[:-1] + ', "extra": ' + "[" * 100_000 + "]" * 100_000 + "}",
    coco()[:-1] + ', "extra": ' + '{"a":' * 100_000 + "1" + "}" * 100_000 + "}",
])
def test_coco_vid_nested_100000_deep(tmp_path, text):
    path = tmp_path / "annotations.json"
    path.write_text(text)
    result = convert(path, "coco-vid")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: {path}")


@pytest.mark.parametrize("data", [b"", b"\x00\xff" + bytes(range(200)), b'{"images": [}'])
def test_coco_vid_garbage_names_line_and_column(tmp_path, data):
    path = tmp_path / "annotations.json"
    path.write_bytes(data)
    refused(convert(path, "coco-vid"), f"{path}", "")
    assert "Traceback" not in convert(path, "coco-vid").output


@pytest.mark.parametrize("flag, value", [("--width", "nan"), ("--width", "inf"), ("--fps", "nan"),
                                         ("--height", "1e400")])
def test_convert_refuses_bad_size_flags_before_importing(tmp_path, flag, value):
    path = tmp_path / "gt.txt"
    path.write_text(GT)
    args = {"--width": 100, "--height": 100, "--fps": 25} | {flag: value}
    result = convert(path, "mot", *[a for pair in args.items() for a in pair])
    assert result.exit_code == 2 and flag[2:] in result.stderr, result.output
