"""MOTChallenge: exact rows, 1-based pixels, seqinfo order, round trips, motmetrics agrees."""

import numpy as np
import pytest

from formats import CONFIG, key, region, run, write_tasks


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "config.xml"
    path.write_text(CONFIG)
    return path


def test_worked_example_rows(tmp_path, config):
    tasks = write_tasks(
        tmp_path / "t.json",
        region("late", "Person", [key(3, 50, 50, 5, 5)]),
        region("car", "Car", [key(1, 10), key(5, 20, enabled=False), key(8, 40)]),
    )
    out = tmp_path / "mot"
    result = run("export", tasks, "--config", config, "--format", "mot", "--out", out,
                 "--width", 1000, "--height", 500)
    assert result.exit_code == 0, result.stderr
    rows = (out / "street" / "gt" / "gt.txt").read_text().splitlines()
    # car: x% 10 → 100 px → bb_left 101; y% 10 → 50 px → 51; 10% x 20% → 100 x 100 px
    assert rows[:4] == ["1,1,101,51,100,100,1,1,1", "2,1,126,51,100,100,1,1,1",
                        "3,1,151,51,100,100,1,1,1", "3,2,501,251,50,25,1,2,1"]
    car = [r for r in rows if r.split(",")[1] == "1"]
    assert [int(r.split(",")[0]) for r in car] == [1, 2, 3, 4, 5, 8, 9, 10]
    assert len(rows) == 8 + 8
    assert (out / "street" / "seqinfo.ini").read_text() == (
        "[Sequence]\nname=street\nimDir=img1\nframeRate=25\nseqLength=10\n"
        "imWidth=1000\nimHeight=500\nimExt=.jpg\n")
    labels = (out / "street" / "labels.txt").read_text()
    assert "scores class 1 only" in labels and labels.endswith("1,Car\n2,Person\n")


def test_origin_zero_and_rotated_box(tmp_path):
    tasks = write_tasks(tmp_path / "t.json",
                        region("r", "Car", [key(1, 10, 10, 10, 10, rotation=90)], frames_count=1))
    run("export", tasks, "--format", "mot", "--out", tmp_path / "o", "--width", 100,
        "--height", 100, "--origin", 0)
    # a 10x10 box turned 90° clockwise about (10, 10) covers x 0..10, y 10..20
    assert (tmp_path / "o" / "street" / "gt" / "gt.txt").read_text() == "1,1,0,10,10,10,1,1,1\n"


def test_pixel_size_is_required(tmp_path):
    tasks = write_tasks(tmp_path / "t.json", region("r", "Car", [key(1, 10)]))
    result = run("export", tasks, "--format", "mot", "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert "the video's width and height are unknown: pass --width and --height" in result.stderr
    assert not (tmp_path / "o").exists() and list(tmp_path.iterdir()) == [tasks]


def test_unknown_label_is_an_error(tmp_path, config):
    tasks = write_tasks(tmp_path / "t.json", region("r", "Bus", [key(1, 10)]))
    result = run("export", tasks, "--config", config, "--format", "mot", "--out", tmp_path / "o",
                 "--width", 10, "--height", 10)
    assert result.exit_code == 2
    assert "$[0].annotations[0].result[0]: region has label 'Bus', not among ['Car', 'Person']" in result.stderr


def test_unlabelled_regions_are_left_out_with_one_warning(tmp_path, config):
    unlabelled = [region(f"u{i}", "Car", [key(1, 30 + i)]) for i in range(2)]
    for r in unlabelled:
        r["value"]["labels"] = []
    tasks = write_tasks(tmp_path / "t.json", unlabelled[0], region("p", "Person", [key(2, 10)]), unlabelled[1])
    result = run("export", tasks, "--config", config, "--format", "mot", "--out", tmp_path / "o",
                 "--width", 100, "--height", 100)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("no label") == 1
    assert "$[0].annotations[0].result[0]: regions with no label are left out: mot needs a class" in result.stderr
    rows = (tmp_path / "o" / "street" / "gt" / "gt.txt").read_text().splitlines()
    assert rows[0] == "2,1,11,11,10,20,1,2,1" and {r.split(",")[1] for r in rows} == {"1"}


GT = """1,1,101,51,100,100,1,1,1
2,1,126.5,51,100,100,1,1,1
3,1,151.25,51,100,100,1,1,0.5
3,2,501,251,50,25,1,2,1
4,2,502,251,50,25,1,2,1
6,2,504,252,50,25,1,2,1
6,1,180,51,100,100,0.8,1,1
"""
SEQINFO = ("[Sequence]\nname=seq\nimDir=img1\nframeRate=30\nseqLength=8\nimWidth=1000\n"
           "imHeight=500\nimExt=.jpg\n")


def mot_folder(path, rows=GT):
    (path / "gt").mkdir(parents=True)
    (path / "gt" / "gt.txt").write_text(rows)
    (path / "seqinfo.ini").write_text(SEQINFO)
    (path / "labels.txt").write_text("1,Car\n2,Person\n")
    return path


def test_mot_round_trip_is_exact(tmp_path):
    source = mot_folder(tmp_path / "seq")
    result = run("convert", source, "--from", "mot", "--to", "mot", "--out", tmp_path / "back")
    assert result.exit_code == 0, result.stderr
    back = tmp_path / "back" / "seq"
    assert sorted((back / "gt" / "gt.txt").read_text().splitlines()) == sorted(GT.splitlines())
    assert (back / "seqinfo.ini").read_text() == SEQINFO


def test_mot_through_label_studio_json_and_back(tmp_path):
    source = mot_folder(tmp_path / "seq")
    assert run("convert", source, "--from", "mot", "--to", "ls-json", "--out", tmp_path / "t.json").exit_code == 0
    result = run("export", tmp_path / "t.json", "--format", "mot", "--out", tmp_path / "back")
    assert result.exit_code == 0, result.stderr
    rows = (tmp_path / "back" / "seq" / "gt" / "gt.txt").read_text().splitlines()
    assert sorted(rows) == sorted(GT.splitlines())


@pytest.mark.parametrize("rows, message", [
    ("1,1,1,1,1,1,1,1\n", ":1: 8 columns; expected 9 or 10"),
    ("1,1,1,1,1,1,1,1,1\n2,1,1,1,1,1,1,1,1,1\n", ":2: 10 columns; expected 9"),
    ("1,1,a,1,1,1,1,1,1\n", ":1: a column is not a number"),
    ("1,1,1,1,-4,1,1,1,1\n", ":1: negative box width or height"),
    ("0,1,1,1,1,1,1,1,1\n", ":1: frame 0 is not a 1-based frame number"),
    ("1.5,1,1,1,1,1,1,1,1\n", ":1: frame 1.5 is not a 1-based frame number"),
    ("1,1,1,1,1,1,1,1,1\n\n1,1,2,2,2,2,1,1,1\n", ":3: id 1 appears twice on frame 1 (first at line 1)"),
])
def test_bad_mot_rows(tmp_path, rows, message):
    source = mot_folder(tmp_path / "seq", rows)
    result = run("convert", source, "--from", "mot", "--to", "mot", "--out", tmp_path / "back")
    assert result.exit_code == 2
    assert f"error: {source / 'gt' / 'gt.txt'}{message}" in result.stderr
    assert not (tmp_path / "back").exists()


def test_convert_without_a_frame_size(tmp_path):
    (tmp_path / "gt.txt").write_text(GT)
    result = run("convert", tmp_path / "gt.txt", "--from", "mot", "--to", "mot", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "pass --width and --height" in result.stderr
    result = run("convert", tmp_path / "gt.txt", "--from", "mot", "--to", "mot", "--out",
                 tmp_path / "o", "--width", 1000, "--height", 500)
    assert result.exit_code == 0, result.stderr


# --- a real consumer: py-motmetrics ---

@pytest.fixture
def motmetrics():
    if not hasattr(np, "asfarray"):  # motmetrics 1.4.0 calls np.asfarray, gone in NumPy 2
        np.asfarray = lambda a, dtype=float: np.asarray(a, dtype=dtype)
    import motmetrics

    return motmetrics


def score(mm, gt_path, hyp_path):
    gt = mm.io.loadtxt(gt_path, fmt="mot15-2D", min_confidence=1)
    hyp = mm.io.loadtxt(hyp_path, fmt="mot15-2D")
    acc = mm.utils.compare_to_groundtruth(gt, hyp, "iou", distth=0.5)
    summary = mm.metrics.create().compute(acc, metrics=["mota", "idf1", "num_switches"], name="s")
    return summary.iloc[0].to_dict()


def test_motmetrics_scores_our_export_against_itself_as_perfect(tmp_path, config, motmetrics):
    tasks = write_tasks(
        tmp_path / "t.json",
        region("a", "Car", [key(1, 10), key(5, 20, enabled=False), key(8, 40, rotation=30)]),
        region("b", "Person", [key(2, 60, 60, 10, 10), key(10, 70, 50, 12, 12)]),
    )
    out = tmp_path / "mot"
    assert run("export", tasks, "--config", config, "--format", "mot", "--out", out,
               "--width", 640, "--height", 360).exit_code == 0
    gt = out / "street" / "gt" / "gt.txt"
    result = score(motmetrics, gt, gt)
    assert result["mota"] == 1.0 and result["idf1"] == 1.0 and result["num_switches"] == 0


def test_motmetrics_scores_tracker_output_the_same_after_our_round_trip(tmp_path, motmetrics):
    gt = mot_folder(tmp_path / "seq")
    hyp_rows = ("1,7,103,50,98,101,0.9,-1,-1,-1\n2,7,130,52,100,100,0.8,-1,-1,-1\n"
                "3,7,155,51,100,99,0.7,-1,-1,-1\n3,9,500,250,50,25,0.9,-1,-1,-1\n"
                "4,8,502,251,50,25,0.6,-1,-1,-1\n6,8,470,251,50,25,0.6,-1,-1,-1\n")
    hyp = tmp_path / "hyp.txt"
    hyp.write_text(hyp_rows)
    direct = score(motmetrics, gt / "gt" / "gt.txt", hyp)
    assert run("convert", gt, "--from", "mot", "--to", "mot", "--out", tmp_path / "gt2").exit_code == 0
    assert run("convert", hyp, "--from", "mot", "--to", "mot", "--out", tmp_path / "hyp2",
               "--width", 1000, "--height", 500, "--frames-count", 8).exit_code == 0
    through = score(motmetrics, tmp_path / "gt2" / "seq" / "gt" / "gt.txt",
                    next((tmp_path / "hyp2").glob("*/gt/gt.txt")))
    assert direct == through
    assert 0 < direct["mota"] < 1
