"""The proof that a third party can add a tracked shape: examples/tracklabel-ellipse installed
for real with pip into a folder of its own, then used only through PYTHONPATH: `tracklabel
plugins` lists it, exports write its ellipses (or say once that they cannot), tracking moves
one, and nothing in the kernel, the host or the builtin plugins names it."""

import csv
import http.client
import importlib
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from tracklabel.plugins.interpolators.linear import Linear
from tracklabel.plugins.interpolators.step import Step

import video_factory
from browser_support import PlayerServer, open_task, wait_regions
from scenes import make_scene, write_video
from test_player_ctx import assert_only_ctx

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "tracklabel-ellipse"
CLI = [sys.executable, "-c", "from tracklabel.core.cli import main; main()"]
WIDTH, HEIGHT = 320, 240
CONFIG = """<View>
  <Video name="video" value="$video" frameRate="25"/>
  <VideoEllipse name="ball" toName="video"/>
  <VideoRectangle name="box" toName="video"/>
  <Labels name="labels" toName="video"><Label value="Ball"/><Label value="Car"/></Labels>
</View>"""


def ellipse(rid, sequence, label="Ball", frames=10):
    return {"id": rid, "type": "videoellipse", "from_name": "ball", "to_name": "video",
            "value": {"labels": [label], "framesCount": frames, "sequence": sequence}}


def key(frame, x, y, rx, ry, rotation=0, enabled=True):
    return {"frame": frame, "x": x, "y": y, "radiusX": rx, "radiusY": ry, "rotation": rotation,
            "enabled": enabled}


TASKS = [{"id": 7, "data": {"video": "v.mp4"}, "annotations": [{"result": [
    ellipse("e1", [key(1, 50, 50, 10, 5, rotation=350), key(5, 60, 40, 20, 5, rotation=10, enabled=False)]),
    ellipse("e2", [key(3, 20, 30, 5, 5)], frames=4),
    {"id": "r1", "type": "videorectangle", "from_name": "box", "to_name": "video",
     "value": {"labels": ["Car"], "framesCount": 10, "sequence": [
         {"frame": 1, "x": 10, "y": 10, "width": 20, "height": 10, "rotation": 0, "enabled": False}]}},
]}]}]


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The distribution installed by pip into a folder of its own, built from a copy (pip
    builds in the source folder) with the test environment's own setuptools (no download)."""
    source = tmp_path_factory.mktemp("ellipse-source") / EXAMPLE.name
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    target = tmp_path_factory.mktemp("ellipse-site")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation",
                           "--no-index", "--quiet", "--target", str(target), str(source)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return target


@pytest.fixture(scope="session")
def env(site):
    """The environment of a process that sees the installed distribution (and every plugin)."""
    env = {k: v for k, v in os.environ.items() if k != "TRACKLABEL_LOAD_PLUGINS"}
    env["PYTHONPATH"] = os.pathsep.join([str(site), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


@pytest.fixture
def files(tmp_path):
    (tmp_path / "tasks.json").write_text(json.dumps(TASKS))
    (tmp_path / "config.xml").write_text(CONFIG)
    return tmp_path


def tracklabel(env, *args):
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, env=env, timeout=300)


def export(env, files, fmt, *extra):
    out = files / f"out-{fmt}"
    done = tracklabel(env, "export", files / "tasks.json", "--config", files / "config.xml",
                      "--format", fmt, "--out", out, *extra)
    assert done.returncode == 0, done.stderr
    return out, done.stderr


@pytest.fixture
def shapes(site, monkeypatch):
    """The installed distribution's shapes module, imported in this process."""
    monkeypatch.syspath_prepend(str(site))
    yield importlib.import_module("tracklabel_ellipse.shapes")
    for name in [n for n in sys.modules if n.split(".")[0] == "tracklabel_ellipse"]:
        del sys.modules[name]


def ellipses(shapes, *rows):
    """Ellipses shown on frames 1.., one per row (x, y, radiusX, radiusY, rotation)."""
    keyframes = [shapes.EllipseKeyframe(frame=f, enabled=True, x=x, y=y, radiusX=rx, radiusY=ry, rotation=r)
                 for f, (x, y, rx, ry, r) in enumerate(rows, 1)]
    return shapes.interpolate(keyframes, np.arange(1, len(rows) + 1), Linear())


def test_the_geometry_is_the_rotated_ellipses(shapes):
    e = ellipses(shapes, (50, 50, 10, 5, 0), (50, 50, 10, 5, 90), (50, 50, 10, 5, 30))
    left, top, w, h = e.bbox(WIDTH, HEIGHT)  # radii 32 x 12 px about (160, 120)
    assert (left[0], top[0], w[0], h[0]) == pytest.approx((128, 108, 64, 24))
    assert (left[1], top[1], w[1], h[1]) == pytest.approx((148, 88, 24, 64))  # turned a quarter
    assert e.area(WIDTH, HEIGHT) == pytest.approx([math.pi * 32 * 12] * 3)
    for row, points in enumerate(e.outline(WIDTH, HEIGHT)):
        # every outline point lies on the ellipse, and the outline fills its bounding box
        t = math.radians(e.rotation[row])
        dx, dy = points[:, 0] - 160, points[:, 1] - 120
        along, across = dx * math.cos(t) + dy * math.sin(t), -dx * math.sin(t) + dy * math.cos(t)
        assert (along / 32) ** 2 + (across / 12) ** 2 == pytest.approx(np.ones(len(points)))
        assert points[:, 0].min() == pytest.approx(left[row], abs=0.5) and np.ptp(points[:, 1]) == pytest.approx(h[row], abs=1)


def test_keyframes_are_exact_and_rotation_turns_the_short_way(shapes):
    keyframes = [shapes.EllipseKeyframe(frame=1, enabled=True, x=10, y=20, radiusX=4, radiusY=2, rotation=270),
                 shapes.EllipseKeyframe(frame=5, enabled=True, x=30, y=20, radiusX=8, radiusY=2, rotation=-80)]
    e = shapes.interpolate(keyframes, np.arange(1, 8), Linear())
    assert e.rotation[0] == 270 and e.rotation[4] == -80  # as stored
    assert e.rotation[2] == pytest.approx(-85) and e.x[2] == 20 and e.radiusX[2] == 6
    assert e.visible.all() and e.keyframe.tolist() == [True, False, False, False, True, False, False]
    assert e.columns().keys() == {"frame", "visible", "keyframe", "x", "y", "radiusX", "radiusY", "rotation"}
    held = shapes.interpolate(keyframes, np.arange(1, 8), Step())  # the config's interpolation applies
    assert held.x.tolist() == [10, 10, 10, 10, 30, 30, 30] and held.rotation[3] == 270


def test_the_installed_files_are_the_distributions(site):
    package = site / "tracklabel_ellipse"
    assert (package / "videoellipse.js").is_file()  # the player module is package data
    (info,) = site.glob("tracklabel_ellipse-*.dist-info")
    assert "ellipse = tracklabel_ellipse" in (info / "entry_points.txt").read_text()


def test_plugins_lists_it_with_its_distribution(env):
    done = tracklabel(env, "plugins", "--json")
    assert done.returncode == 0, done.stderr
    (row,) = [row for row in json.loads(done.stdout) if row["name"] == "ellipse"]
    assert row == {"name": "ellipse", "distribution": "tracklabel-ellipse",
                   "hooks": ["register_exporters", "register_tags"],
                   "tags": ["VideoEllipse"], "exporters": ["ellipse-csv"]}


def test_without_it_the_config_is_refused(env, files):
    """The tag comes from the distribution only: left out of TRACKLABEL_LOAD_PLUGINS, it is unknown."""
    assert tracklabel(env, "config", "check", files / "config.xml").returncode == 0
    done = tracklabel({**env, "TRACKLABEL_LOAD_PLUGINS": ""}, "config", "check", files / "config.xml")
    assert done.returncode == 2 and "VideoEllipse" in done.stderr


def test_ellipse_csv_writes_a_row_per_visible_ellipse_and_frame(env, files):
    out, warnings = export(env, files, "ellipse-csv")
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["region"], int(r["frame"])) for r in rows] == [("e1", f) for f in range(1, 6)] + [("e2", 3), ("e2", 4)]
    first, second, third, *_, last = rows[:5]
    assert first == {"task": "7", "region": "e1", "label": "Ball", "frame": "1", "x": "50.0", "y": "50.0",
                     "radiusX": "10.0", "radiusY": "5.0", "rotation": "350.0", "keyframe": "True"}
    # centre and radii linear, rotation the shortest way round (350 -> 10 through 0)
    assert (float(second["x"]), float(second["radiusX"]), float(second["rotation"])) == (52.5, 12.5, -5.0)
    assert float(third["rotation"]) == 0.0 and third["keyframe"] == "False"
    assert (last["frame"], last["rotation"], last["keyframe"]) == ("5", "10.0", "True")
    assert warnings.count("videorectangle regions are left out") == 1


def test_jsonl_writes_each_visible_ellipse_with_its_own_fields(env, files):
    out, warnings = export(env, files, "jsonl")
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["region"], r["frame"]) for r in lines] == (
        [("e1", f) for f in range(1, 6)] + [("e2", 3), ("e2", 4), ("r1", 1)])
    assert lines[1] == {"task": 7, "region": "e1", "label": "Ball", "frame": 2, "x": 52.5, "y": 47.5,
                        "radiusX": 12.5, "radiusY": 5.0, "rotation": -5.0, "keyframe": False}
    assert "left out" not in warnings


def test_coco_vid_writes_the_ellipses_bbox_area_and_outline(env, files):
    out, warnings = export(env, files, "coco-vid", "--width", WIDTH, "--height", HEIGHT)
    coco = json.loads((out / "annotations.json").read_text())
    by_instance = {}
    for annotation in coco["annotations"]:
        by_instance.setdefault(annotation["instance_id"], []).append(annotation)
    e1, e2, box = by_instance.values()
    assert (len(e1), len(e2), len(box)) == (5, 2, 1) and box[0]["bbox"] == [32.0, 24.0, 64.0, 24.0]
    e2_first = e2[0]  # centre (64, 72) px, radii 16 x 12 px, unrotated
    assert e2_first["bbox"] == pytest.approx([48.0, 60.0, 32.0, 24.0])
    assert e2_first["area"] == pytest.approx(math.pi * 16 * 12, abs=1e-3)  # the ellipse's own area
    (outline,) = e2_first["segmentation"]
    points = np.array(outline).reshape(-1, 2)
    assert len(points) == 32 and ((points - (64, 72)) ** 2 / (16 ** 2, 12 ** 2)).sum(axis=1) == pytest.approx(1, abs=1e-3)
    assert "left out" not in warnings


def test_cvat_video_writes_the_ellipses_as_polygon_tracks(env, files):
    out, warnings = export(env, files, "cvat-video", "--width", WIDTH, "--height", HEIGHT)
    tracks = re.findall(r"<track [^>]*>(.*?)</track>", out.read_text(), re.S)
    polygons = [re.findall(r'<polygon frame="(\d+)"[^>]*points="([^"]*)"', track) for track in tracks]
    assert sorted(len(p) for p in polygons) == [0, 1, 3]  # the box; e2's keyframe; e1's two and its end
    assert all(len(points.split(";")) == 32 for track in polygons for _, points in track)  # outlines in px
    (e2,) = [track for track in polygons if track and track[0][0] == "2"]  # from frame 3 (0-based 2)
    assert e2[0][1].startswith("80.00,72.00;")  # its outline starts at the end of the x axis
    assert "left out" not in warnings


def test_ellipse_csv_declares_its_own_option(env, files):
    """`--pixels` is the format's own option: shown by its --help, taken by it, refused by others."""
    done = tracklabel(env, "export", files / "tasks.json", "--format", "ellipse-csv", "--help")
    assert done.returncode == 0 and re.search(r"--pixels\s+Centre and radii in pixels", done.stdout)
    out, _ = export(env, files, "ellipse-csv", "--pixels", "--width", WIDTH, "--height", HEIGHT)
    first = next(csv.DictReader(io.StringIO(out.read_text())))
    assert [first[k] for k in ("x", "y", "radiusX", "radiusY", "rotation")] == ["160.0", "120.0", "32.0", "12.0", "350.0"]
    done = tracklabel(env, "export", files / "tasks.json", "--format", "jsonl", "--pixels", "--out", files / "o")
    assert done.returncode == 2 and "--pixels is an option of format 'ellipse-csv'" in done.stderr


def test_ls_json_keeps_the_ellipses_as_they_are(env, files):
    out, warnings = export(env, files, "ls-json")
    (task,) = json.loads(out.read_text())
    for region in task["annotations"][0]["result"]:
        for keyframe in region["value"]["sequence"]:
            assert keyframe.pop("time") == keyframe["frame"] / 25  # the config's frame rate
    assert task["annotations"][0]["result"] == TASKS[0]["annotations"][0]["result"]
    assert "left out" not in warnings


def test_tracking_moves_an_ellipse_with_the_object(env, tmp_path):
    """`tracklabel track` follows the ellipse's bounding box and writes ellipse keyframes."""
    scene = make_scene(40, (320, 180), seed=3, scale=(1.0, 1.0))
    write_video(scene, tmp_path / "clip.mp4", lossless=True)
    x, y, w, h = scene.boxes[0]
    start = key(1, (x + w / 2) / 3.2, (y + h / 2) / 1.8, w / 2 / 3.2, h / 2 / 1.8)
    (tmp_path / "tasks.json").write_text(json.dumps([{"data": {"video": "clip.mp4"}, "annotations": [
        {"result": [ellipse("e1", [start], frames=40)]}]}]))
    done = tracklabel(env, "track", tmp_path / "tasks.json", "--region", "e1", "--from", 1, "--to", 30,
                      "--out", tmp_path / "out.json", "--data-dir", tmp_path / "data")
    assert done.returncode == 0, done.stderr
    sequence = json.loads((tmp_path / "out.json").read_text())[0]["annotations"][0]["result"][0]["value"]["sequence"]
    assert sequence[0] == start and len(sequence) > 1 and all(k["auto"] for k in sequence[1:])
    last = sequence[-1]
    tx, ty, tw, th = scene.boxes[last["frame"] - 1]
    assert last.keys() >= {"x", "y", "radiusX", "radiusY", "rotation"} and "width" not in last
    assert last["x"] * 3.2 == pytest.approx(tx + tw / 2, abs=4) and last["y"] * 1.8 == pytest.approx(ty + th / 2, abs=4)


def test_its_player_module_uses_only_ctx():
    """videoellipse.js reaches the player only through ctx's documented members."""
    assert_only_ctx("videoellipse.js", (EXAMPLE / "tracklabel_ellipse" / "videoellipse.js").read_text())


def test_nothing_outside_the_example_names_it():
    """`grep -ri ellipse core/ host/ plugins/` finds nothing: the kernel, the host and the
    builtins know the shape only through the public contract."""
    found = [str(path.relative_to(ROOT)) for folder in ("core", "host", "plugins")
             for path in (ROOT / folder).rglob("*")
             if path.is_file() and "__pycache__" not in path.parts
             and b"ellipse" in path.read_bytes().lower()]
    assert found == []


PLAYER_CONFIG = """<View>
  <Video name="video" value="$video" frameRate="25"/>
  <VideoEllipse name="ball" toName="video"/>
  <Labels name="labels" toName="video"><Label value="Ball" background="green"/></Labels>
</View>"""


@pytest.fixture(scope="module")
def server(tmp_path_factory, env):
    """browser_support's `server`, replaced: a real `tracklabel serve` started with the installed
    distribution on its PYTHONPATH, and a task of a project whose config has <VideoEllipse>."""
    with pytest.MonkeyPatch.context() as patch:  # the host process inherits this environment
        patch.setenv("PYTHONPATH", env["PYTHONPATH"])
        patch.delenv("TRACKLABEL_LOAD_PLUGINS", raising=False)
        server = PlayerServer(tmp_path_factory.mktemp("ellipse-player"))
    video_factory.encode(server.media / "stamped.mp4", frames=60, size=(WIDTH, HEIGHT))
    project = server.call("POST", "/api/projects", {"title": "Ellipses", "label_config": PLAYER_CONFIG})["id"]
    server.task = server.video_task(project, "stamped.mp4")
    yield server
    server.stop()


def test_the_host_lists_and_exports_its_format(server):
    """The host's export routes take the plugin's format by name, with its own option, and
    serve the download with the suffix and media type it declares."""
    (row,) = [row for row in server.call("GET", "/api/exporters") if row["name"] == "ellipse-csv"]
    assert (row["suffix"], row["media_type"], [o["name"] for o in row["options"]]) == (".csv", "text/csv", ["pixels"])
    project = server.call("POST", "/api/projects", {"title": "Export", "label_config": PLAYER_CONFIG})["id"]
    task = server.video_task(project, "stamped.mp4")
    region = ellipse("e1", [key(1, 50, 50, 10, 5), key(3, 60, 50, 20, 5)], frames=60)
    server.call("POST", f"/api/tasks/{task}/annotations", {"result": [region]})
    connection = http.client.HTTPConnection("127.0.0.1", server.process.port, timeout=60)
    connection.request("GET", f"/api/projects/{project}/export?format=ellipse-csv&pixels=true",
                       headers={"Authorization": f"Token {server.token}"})
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    assert response.status == 200, body
    assert response.getheader("Content-Type").startswith("text/csv")
    assert f'filename=project-{project}-ellipse-csv.csv' in response.getheader("Content-Disposition")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 60  # every frame: the lifespan goes on after the last keyframe
    assert [rows[1][k] for k in ("x", "y", "radiusX", "radiusY")] == ["176.0", "120.0", "48.0", "12.0"]  # px


def drag(page, start, end):
    """Drag on the video from `start` to `end`, points in percent of the video."""
    def at(x, y):
        return page.evaluate("""([x, y]) => {
          const v = tracklabel.player.view(), r = document.querySelector('.stage .overlay').getBoundingClientRect();
          return [r.left + v.left + x / 100 * v.width, r.top + v.top + y / 100 * v.height];
        }""", [x, y])
    page.mouse.move(*at(*start))
    page.mouse.down()
    page.mouse.move(*at(*end), steps=6)
    page.mouse.up()


def shown_when(page, rid, frame, condition):
    """Wait until the host's ellipse for that frame meets `condition` (JS, of `e`); return it."""
    page.wait_for_function(f"(e => e && ({condition}))(tracklabel.shapeAt('{rid}', {frame}))")
    return page.evaluate(f"tracklabel.shapeAt('{rid}', {frame})")


def test_chromium_draws_moves_and_resizes_an_ellipse_the_host_keeps(page, server):
    open_task(page, server, server.task)
    page.click("button[data-label=Ball]")
    drag(page, (30, 30), (60, 70))  # the ellipse's bounding rectangle
    wait_regions(page, 1)
    rid = page.evaluate("tracklabel.regions()[0].id")
    drawn = shown_when(page, rid, 1, "e.keyframe")
    assert [drawn[k] for k in ("x", "y", "radiusX", "radiusY", "rotation")] == pytest.approx([45, 50, 15, 20, 0], abs=0.5)

    page.evaluate("tracklabel.seek(20)")
    drag(page, (45, 50), (55, 50))  # inside: moved 10 % to the right
    moved = shown_when(page, rid, 20, "e.keyframe && e.x > 50")
    assert (moved["x"], moved["y"], moved["radiusX"]) == pytest.approx((55, 50, 15), abs=0.5)
    drag(page, (moved["x"] + moved["radiusX"], 50), (75, 50))  # the handle at the end of its x axis
    resized = shown_when(page, rid, 20, "e.radiusX > 17")
    assert (resized["x"], resized["radiusX"], resized["radiusY"]) == pytest.approx((55, 20, 20), abs=0.5)
    assert float(page.input_value(".panel-details input[name=radiusX]")) == pytest.approx(resized["radiusX"], abs=1e-3)
    page.fill(".panel-details input[name=rotation]", "30")  # the kind's Details fields edit it too
    page.press(".panel-details input[name=rotation]", "Tab")
    turned = shown_when(page, rid, 20, "e.rotation === 30")
    assert turned["radiusX"] == pytest.approx(resized["radiusX"])

    page.click("button[data-action=save]")
    page.wait_for_selector(".status:has-text('Saved')")
    (annotation,) = server.call("GET", f"/api/tasks/{server.task}/annotations")
    (saved,) = annotation["result"]
    assert (saved["type"], saved["from_name"], saved["value"]["labels"]) == ("videoellipse", "ball", ["Ball"])
    first, second = saved["value"]["sequence"]
    assert (first["frame"], second["frame"], first["enabled"], second["enabled"]) == (1, 20, True, True)
    assert (second["x"], second["radiusX"], second["rotation"]) == pytest.approx((resized["x"], resized["radiusX"], 30))
    (track,) = server.call("GET", f"/api/annotations/{annotation['id']}/tracks?from=10&to=10")["regions"]
    assert track["type"] == "videoellipse"  # the plugin's interpolation, halfway between
    assert track["x"][0] == pytest.approx(first["x"] + (second["x"] - first["x"]) * 9 / 19)
    assert track["radiusX"][0] == pytest.approx(first["radiusX"] + (second["radiusX"] - first["radiusX"]) * 9 / 19)
    assert track["rotation"][0] == pytest.approx(30 * 9 / 19)
