"""A format's own options: declared by its exporter or importer, shown by `--format NAME --help`,
taken by the same names on the command line and by the host's export routes, refused (exit 2,
400) naming the option when bad or another format's; suffix and media type of each download."""

import io
import json
import zipfile

import pytest

from formats import CONFIG, key, region, run, write_tasks
from tracklabel.core.cli import export as export_command
from tracklabel.core.errors import InputError, PluginError
from tracklabel.core.export import Exporter, ExportJob
from tracklabel.core.importer import Importer, ImportOptions
from tracklabel.core.options import Option, option_values
from tracklabel.core.tasks import load_tasks


@pytest.fixture
def tasks(tmp_path):
    (tmp_path / "config.xml").write_text(CONFIG)
    return write_tasks(tmp_path / "t.json", region("car", "Car", [key(1, 10), key(3, 20, enabled=False)]))


# --- Option ---

@pytest.mark.parametrize("option, given, value", [
    (Option("n", int, 1), "0", 0), (Option("n", int, 1), 2.0, 2), (Option("f", float), "1e3", 1000.0),
    (Option("b", bool), "TRUE", True), (Option("b", bool), "0", False), (Option("b", bool), False, False),
    (Option("s", str), "x", "x"), (Option("n", int, choices=(0, 1)), "1", 1),
])
def test_option_values_are_typed(option, given, value):
    assert option.parse(given) == value and type(option.parse(given)) is type(value)


@pytest.mark.parametrize("option, given, message", [
    (Option("n", int), "1.5", "n='1.5' is not a whole number"), (Option("n", int), True, "not a whole number"),
    (Option("f", float), "nan", "not a finite number"), (Option("f", float), [], "not a finite number"),
    (Option("b", bool), "maybe", "not true or false"), (Option("s", str), 3, "not text"),
    (Option("n", int, choices=(0, 1)), 2, "n=2 is not one of 0, 1"),
])
def test_bad_option_values_name_the_option(option, given, message):
    with pytest.raises(InputError, match=message) as caught:
        option.parse(given)
    assert caught.value.problems[0].where == option.name


def test_option_values_fill_defaults_and_refuse_unknown_names():
    declared = (Option("origin", int, 1), Option("every_frame", bool, False))
    assert option_values(declared, {"origin": "0"}, "format 'x'") == {"origin": 0, "every_frame": False}
    with pytest.raises(InputError, match="clip is not an option of format 'x' \\(its options: origin, every_frame\\)"):
        option_values(declared, {"clip": True}, "format 'x'")
    with pytest.raises(TypeError):
        Option("o", list)


def test_jobs_and_importers_read_options_given_or_default(registry):
    tasks = load_tasks([], registry)
    assert ExportJob(tasks, registry, format="mot").option("origin") == 1
    assert ExportJob(tasks, registry, format="mot", format_options={"origin": 0}).option("origin") == 0
    with pytest.raises(PluginError, match="give ExportJob its format"):
        ExportJob(tasks, registry).option("origin")
    with pytest.raises(PluginError, match="export format 'jsonl' declares no option 'origin'"):
        ExportJob(tasks, registry, format="jsonl").option("origin")
    mot = registry.importer("mot")
    assert mot.option(ImportOptions(), "origin") == 1
    assert mot.option(ImportOptions(format_options={"origin": 0}), "origin") == 0
    with pytest.raises(PluginError, match="import format 'mot' declares no option 'nope'"):
        mot.option(ImportOptions(), "nope")


def test_a_format_option_named_as_a_common_one_is_a_plugin_error():
    import click

    class Clipping(Exporter):
        name = "clipping"
        options = (Option("clip", bool, False),)

    class Reading(Importer):
        name = "reading"

    ctx = click.Context(export_command, info_name="export")
    with pytest.raises(PluginError, match="format 'clipping' declares option 'clip', which every export already has"):
        export_command._format_params(ctx, [Reading(), Clipping()])


# --- command line ---

def test_help_shows_the_formats_own_options(tasks):
    result = run("export", tasks, "--format", "mot", "--help")
    assert result.exit_code == 0
    own = result.stdout.split("Options of format 'mot':")[1]
    assert "--origin [0|1]" in own and "[default: 1]" in own
    result = run("export", "--help")
    assert "--origin" not in result.stdout and "--every-frame" not in result.stdout
    assert "`--format NAME --help` shows its own options" in " ".join(result.stdout.split())
    result = run("export", tasks, "--format=cvat-video", "--help")
    assert "Options of format 'cvat-video':" in result.stdout and "--every-frame" in result.stdout


def test_convert_help_shows_both_formats_options(tmp_path):
    result = run("convert", tmp_path, "--from", "mot", "--to", "cvat-video", "--help")
    assert "Options of format 'mot':" in result.stdout and "Options of format 'cvat-video':" in result.stdout


def test_an_option_of_another_format_is_a_usage_error(tasks):
    result = run("export", tasks, "--format", "jsonl", "--origin", "0", "--out", "-")
    assert result.exit_code == 2
    assert "--origin is an option of format 'mot', not of 'jsonl'" in result.stderr
    result = run("export", tasks, "--format", "mot", "--origin", "5", "--out", "-")
    assert result.exit_code == 2 and "'5' is not one of '0', '1'" in result.stderr
    result = run("export", tasks, "--format", "nope", "--origin", "0", "--out", "-")
    assert result.exit_code == 2 and "no export format 'nope'" in result.stderr


def test_convert_passes_the_importers_options(tmp_path):
    source = tmp_path / "gt.txt"
    source.write_text("1,1,10,20,30,40,1,1,1\n")
    out = {}
    for origin in ("0", "1"):
        result = run("convert", source, "--from", "mot", "--to", "jsonl", "--out", "-", "--width", 100,
                     "--height", 100, "--origin", origin)
        assert result.exit_code == 0, result.stderr
        out[origin] = json.loads(result.stdout)["x"]
    assert (out["0"], out["1"]) == (10, 9)


# --- host ---

def test_exporters_are_listed_with_suffix_media_type_and_options(admin):
    rows = {row["name"]: row for row in admin.get("/api/exporters").json}
    assert rows["cvat-video"] == {
        "name": "cvat-video", "description": rows["cvat-video"]["description"], "suffix": ".xml",
        "media_type": "application/xml", "single_file": True,
        "options": [{"name": "every_frame", "type": "boolean", "default": False,
                     "help": rows["cvat-video"]["options"][0]["help"], "choices": []}]}
    assert rows["mot"]["options"][0] | {"help": ""} == {"name": "origin", "type": "integer", "default": 1,
                                                        "help": "", "choices": [0, 1]}
    assert (rows["mot"]["suffix"], rows["mot"]["media_type"], rows["mot"]["single_file"]) == (
        ".zip", "application/zip", False)
    assert {name: row["suffix"] for name, row in rows.items() if row["single_file"]} == {
        "cvat-video": ".xml", "jsonl": ".jsonl", "ls-frames": ".json", "ls-json": ".json"}


def host_region():
    return {"id": "r1", "type": "videorectangle", "from_name": "box", "to_name": "video",
            "value": {"labels": ["Man"], "framesCount": 4, "sequence": [
                {"frame": 1, "x": 10, "y": 10, "width": 5, "height": 5, "rotation": 0, "enabled": True}]}}


@pytest.fixture
def annotated(admin, project):
    (task,) = admin.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": "a.mp4"}}]).json["tasks"]
    assert admin.post(f"/api/tasks/{task}/annotations", json={"result": [host_region()]}).status_code == 201
    return project


def test_export_routes_take_the_formats_own_options(admin, annotated):
    url = f"/api/projects/{annotated}/export?width=100&height=100"
    firsts = {}
    for origin in ("0", "1"):
        response = admin.get(f"{url}&format=mot&origin={origin}")
        assert response.status_code == 200, response.json
        archive = zipfile.ZipFile(io.BytesIO(response.data))
        firsts[origin] = archive.read("a/gt/gt.txt").decode().split(",")[2]
    assert firsts == {"0": "10", "1": "11"}
    response = admin.get(f"{url}&format=cvat-video&every_frame=true")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert response.headers["Content-Disposition"].endswith(f"project-{annotated}-cvat-video.xml")
    assert response.data.count(b"<box ") == 4  # each visible frame, not only the keyframe
    assert admin.get(f"{url}&format=cvat-video").data.count(b"<box ") == 1
    response = admin.get(f"{url}&format=jsonl")
    assert response.mimetype == "application/jsonl" and "cvat-video" not in response.headers["Content-Disposition"]


@pytest.mark.parametrize("query, path, message", [
    ("format=jsonl&origin=0", "origin", "origin is an option of format 'mot', not of 'jsonl'"),
    ("format=mot&origin=5", "origin", "origin='5' is not one of 0, 1"),
    ("format=cvat-video&every_frame=perhaps", "every_frame", "not true or false"),
])
def test_bad_format_options_are_400_naming_them(admin, annotated, query, path, message):
    response = admin.get(f"/api/projects/{annotated}/export?width=100&height=100&{query}")
    assert response.status_code == 400 and response.json["path"] == path
    assert message in response.json["message"]
    body = dict(part.split("=") for part in query.split("&"))
    response = admin.post(f"/api/projects/{annotated}/exports", json=body)
    assert response.status_code == 400 and response.json["path"] == path


def test_an_export_job_uses_the_formats_options(app, admin, annotated):
    import time

    response = admin.post(f"/api/projects/{annotated}/exports",
                          json={"format": "mot", "origin": 0, "width": 100, "height": 100})
    assert response.status_code == 202, response.json
    job = response.json
    deadline = time.monotonic() + 30
    while job["state"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
        job = admin.get(f"/api/jobs/{job['id']}").json
    assert job["state"] == "done", job
    download = admin.get(f"/api/jobs/{job['id']}/download")
    assert download.mimetype == "application/zip"
    gt = zipfile.ZipFile(io.BytesIO(download.data)).read("a/gt/gt.txt").decode()
    assert gt.split(",")[2] == "10"


def test_host_exports_give_every_keyframed_region_the_probed_frame_size(app, admin, tmp_path):
    import time

    from video_factory import HEIGHT, WIDTH, encode

    (tmp_path / "media").mkdir()
    encode(tmp_path / "media" / "clip.mp4", 6)
    config = CONFIG.replace("</View>", '<VideoPolygon name="outline" toName="video"/></View>')
    project = admin.post("/api/projects", json={"title": "p", "label_config": config}).json["id"]
    (task,) = admin.post(f"/api/projects/{project}/tasks", json={"path": "clip.mp4"}).json["tasks"]
    deadline = time.monotonic() + 60
    while not admin.get(f"/api/tasks/{task}").json["media"]:
        assert time.monotonic() < deadline, admin.get(f"/api/tasks/{task}/jobs").json
        time.sleep(0.05)
    outline = {"id": "p", "type": "videopolygon", "from_name": "outline", "to_name": "video",
               "value": {"labels": ["Car"], "sequence": [  # no framesCount: the probe's
                   {"frame": 1, "enabled": True, "points": [[0, 0], [50, 0], [50, 100]]}]}}
    assert admin.post(f"/api/tasks/{task}/annotations", json={"result": [outline]}).status_code == 201
    response = admin.get(f"/api/projects/{project}/export?format=mot")  # no width or height given
    assert response.status_code == 200, response.json
    gt = zipfile.ZipFile(io.BytesIO(response.data)).read("clip/gt/gt.txt").decode().splitlines()
    assert gt[0].split(",")[2:6] == ["1", "1", f"{WIDTH // 2:g}", f"{HEIGHT:g}"]
    assert len(gt) == 6  # every frame of the probed video
