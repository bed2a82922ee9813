"""The plugin manager, the registry, entry points, and the example plugins of docs/plugins.md."""

import csv
import importlib
import io
import json
import re
import sys
from pathlib import Path

import numpy as np
import pluggy
import pytest
from click.testing import CliRunner

from tracklabel.core.cli import main
from tracklabel.core.config import parse_config
from tracklabel.core.errors import ConfigError, InputError, PluginError
from tracklabel.core.export import ExportJob
from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.interpolate import frame_range
from tracklabel.core.plugins import (REGISTRY_HOOKS, call_hook,
                                     get_plugin_manager, load_registry)
from tracklabel.core.schema import BoxKeyframe, to_builtins
from tracklabel.core.tags import Attr, Tag
from tracklabel.core.tasks import parse_tasks
from tracklabel.plugins import DEFAULT_PLUGINS
from tracklabel.core.track import Track

DOC = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"
EXAMPLE = re.compile(r"^```python\n# (\w+)\.py\n(.*?)^```", re.M | re.S)

CONFIG = """<View>
  <Labels name="labels" toName="video"><Label value="Car"/></Labels>
  <Video name="video" value="$video" frameRate="25"/>
  <VideoRectangle name="box" toName="video" interpolation="ease"/>
  <VideoLine name="ruler" toName="video" interpolation="ease" strokeWidth="3"/>
</View>"""


def key(frame, x, enabled=True):
    """A keyframe of a 5x5 box at height 10."""
    return {"frame": frame, "x": x, "y": 10, "width": 5, "height": 5, "enabled": enabled}


TASKS = json.dumps([{"id": 7, "data": {"video": "v.mp4"}, "annotations": [{"result": [
    {"id": "car1", "type": "videorectangle", "from_name": "box", "to_name": "video",
     "value": {"labels": ["Car"], "framesCount": 6,
               "sequence": [key(1, 10), key(5, 20, enabled=False)]}},
    {"id": "line1", "type": "videoline", "from_name": "ruler", "to_name": "video",
     "value": {"framesCount": 6, "labels": ["Car"], "sequence": [
         {"frame": 2, "x1": 10, "y1": 20, "x2": 30, "y2": 20, "meta": "kept"},
         {"frame": 4, "x1": 20, "y1": 20, "x2": 40, "y2": 60, "enabled": False}]}},
]}]}])


def plugin(**hooks):
    """A plugin object whose hooks are the given functions (each takes self first)."""
    return type("Plugin", (), {hook: hookimpl(function) for hook, function in hooks.items()})()


def boom(*args, **kwargs):
    """A hook that fails."""
    raise ValueError("disk on fire")


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    """The example plugins of docs/plugins.md, written out and imported as modules."""
    folder = tmp_path_factory.mktemp("examples")
    sources = dict(EXAMPLE.findall(DOC.read_text()))
    for name, source in sources.items():
        (folder / f"{name}.py").write_text(source)
    sys.path.insert(0, str(folder))
    try:
        yield {name: importlib.import_module(name) for name in sources}
    finally:
        sys.path.remove(str(folder))
        for name in sources:
            sys.modules.pop(name, None)


@pytest.fixture
def registry(examples):
    """The builtins plus every example plugin of docs/plugins.md."""
    pm = get_plugin_manager(load_entry_points=False)
    for name, module in examples.items():
        pm.register(module, name=name)
    return load_registry(pm)


def test_builtins_load():
    pm = get_plugin_manager(load_entry_points=False)
    assert [name for name, _ in pm.list_name_plugin()] == list(DEFAULT_PLUGINS)
    registry = load_registry(pm)
    assert {tag.name for tag in registry.tags.values()} >= {
        "View", "Header", "Video", "VideoRectangle", "Labels", "Label"}
    assert set(registry.interpolators) >= {"linear", "step"}
    assert set(registry.exporters) >= {"ls-json", "ls-frames", "jsonl"}


def test_check_pending_catches_a_misspelled_hook():
    pm = get_plugin_manager(load_entry_points=False)
    pm.register(plugin(register_tag=lambda self, register: None))
    with pytest.raises(pluggy.PluginValidationError, match="unknown hook 'register_tag'"):
        pm.check_pending()


def test_docs_show_an_example_of_every_kind(examples):
    assert set(examples) == {"tracklabel_videoline", "tracklabel_ease", "tracklabel_csv",
                             "tracklabel_csvtracks", "tracklabel_mydecoder", "tracklabel_pick",
                             "tracklabel_count", "tracklabel_template"}


def test_register_commands_example_adds_a_command(examples, tmp_path, monkeypatch):
    """A plugin's register_commands adds `count`; the host's adds `serve` and `user`."""
    import tracklabel.core.cli as cli_module

    task = {"id": 3, "data": {"video": "v.mp4"}, "annotations": [{"result": [
        {"id": "a", "type": "videorectangle", "value": {"framesCount": 6, "sequence": [key(1, 10), key(3, 20)]}}]}]}
    (tmp_path / "t.json").write_text(json.dumps([task]))

    def manager(load_entry_points=True):
        pm = get_plugin_manager(load_entry_points=False)
        pm.register(examples["tracklabel_count"], name="tracklabel_count")
        return pm

    group = cli_module._Cli(commands=dict(main.commands))
    monkeypatch.setattr(cli_module, "get_plugin_manager", manager)
    result = CliRunner().invoke(group, ["count", str(tmp_path / "t.json")])
    assert result.exit_code == 0, result.output
    assert result.stdout == "task 3: 1 tracks, 2 keyframes, 6 shapes\n"
    assert "serve" in group.list_commands(None) and "user" in group.list_commands(None)


def test_register_tags_example_adds_a_keyframed_tag_with_shapes(registry):
    config = parse_config(CONFIG, registry)
    assert config.by_name["ruler"].attrs == {
        "name": "ruler", "toName": "video", "interpolation": "ease", "strokeColor": "#f48a42",
        "strokeWidth": 3.0}
    tasks = parse_tasks(TASKS, registry, config)
    line = tasks.tasks[0].annotations[0].result[1]
    assert line.value.sequence[0].frame == 2
    assert to_builtins(line)["value"]["sequence"][0]["meta"] == "kept"
    shapes = ExportJob(tasks, registry, config).shapes(0, line, frame_range(6))
    assert shapes.kind == "line" and not shapes.closed
    columns = shapes.columns()
    assert columns["visible"] == [False, True, True, True, False, False]
    assert columns["keyframe"] == [False, True, False, True, False, False]
    assert columns["x1"][1:4] == [10, 15, 20] and columns["y2"][1:4] == [20, 40, 60]  # eased halfway
    visible = shapes.only_visible()
    assert [v.tolist() for v in visible.bbox(200, 100)] == [[20, 30, 40], [20, 20, 20], [40, 40, 40], [0, 20, 40]]
    assert visible.area(200, 100).tolist() == [0, 0, 0]
    assert visible.outline(200, 100)[2].tolist() == [[40, 20], [80, 60]]


def test_register_tags_example_refuses_a_line_with_both_ends_on_one_point(registry):
    bad = TASKS.replace('"x2": 30, "y2": 20', '"x2": 10, "y2": 20')
    with pytest.raises(InputError) as error:
        parse_tasks(bad, registry, parse_config(CONFIG, registry))
    assert str(error.value) == ("tasks.json: $[0].annotations[0].result[1].value.sequence: "
                                "the keyframe on frame 2 has both ends on one point")


class Text(Tag):
    """A second object tag, for configs where toName names something other than a video."""

    name = "Text"
    kind = "object"
    attributes = {"name": Attr(str, required=True), "value": Attr(str, required=True)}


@pytest.mark.parametrize("element, message", [
    ('<VideoLine name="pt" toName="video" strokeWidth="wide"/>',
     'attribute strokeWidth="wide" is not a number'),
    ('<VideoLine name="pt" toName="txt"/>', 'toName "txt" must name a <Video>, not <Text>'),
], ids=["attribute", "check"])
def test_register_tags_example_checks_its_config(examples, element, message):
    pm = get_plugin_manager(load_entry_points=False)
    pm.register(examples["tracklabel_videoline"])
    pm.register(plugin(register_tags=lambda self, register: register(Text())))
    text = f'<View><Video name="video" value="$video"/><Text name="txt" value="$text"/>\n{element}</View>'
    with pytest.raises(ConfigError) as error:
        parse_config(text, load_registry(pm))
    assert str(error.value) == f'config.xml:2: <VideoLine name="pt">: {message}'


def test_register_interpolators_example_eases_and_keeps_the_lifespan(registry):
    track = Track.from_keyframes([
        BoxKeyframe(frame=1, x=10, y=0, width=5, height=5, rotation=270, enabled=True),
        BoxKeyframe(frame=5, x=20, y=0, width=5, height=5, rotation=-90, enabled=False),
        BoxKeyframe(frame=8, x=40, y=0, width=5, height=5, enabled=True),
    ])
    boxes = registry.interpolator("ease").boxes(track, frame_range(10))
    assert boxes.x[:5].tolist() == [10, 11.5625, 15, 18.4375, 20]
    assert boxes.rotation[0] == 270
    assert boxes.visible.tolist() == [True] * 5 + [False] * 2 + [True] * 3
    assert boxes.keyframe.tolist() == [i in (1, 5, 8) for i in range(1, 11)]
    assert np.all(boxes.x[7:] == 40)


def test_register_exporters_example_writes_through_the_export_job(registry):
    config = parse_config(CONFIG, registry)
    job = ExportJob(parse_tasks(TASKS, registry, config), registry, config, format="csv-boxes")
    out = io.BytesIO()
    exporter = registry.exporter("csv-boxes")
    exporter.export(job, out)
    rows = list(csv.reader(io.StringIO(out.getvalue().decode())))
    assert rows[0] == ["task", "region", "label", "frame", "x", "y", "width", "height",
                       "rotation"]
    assert [row[3:5] for row in rows[1:]] == [
        ["1", "10.0"], ["2", "11.5625"], ["3", "15.0"], ["4", "18.4375"], ["5", "20.0"]]
    assert rows[1][:3] == ["7", "car1", "Car"]
    assert (exporter.suffix, exporter.media_type) == (".csv", "text/csv")
    job.format_options = exporter.option_values({"header": "false"})
    out = io.BytesIO()
    exporter.export(job, out)
    assert out.getvalue().decode().splitlines()[0].startswith("7,car1,Car,1,10.0,")


def test_register_importers_example_reads_csv_tracks(registry, tmp_path):
    from tracklabel.core.importer import ImportOptions
    from tracklabel.core.tasks import load_tasks

    path = tmp_path / "tracks.csv"
    path.write_text("1,7,10,20,30,40\n2,7,12,20,30,40\n4,7,14,20,30,40\n")
    options = ImportOptions(width=100, height=200, frames_count=5)
    tasks = load_tasks(registry.importer("csv-tracks").read(path, options), registry)
    (region,) = tasks.tasks[0].annotations[0].result
    assert [(k.frame, k.x, k.height, k.enabled) for k in region.value.sequence] == [
        (1, 10, 20, True), (2, 12, 20, False), (4, 14, 20, False)]
    path.write_text("1,x\n")
    with pytest.raises(InputError, match="tracks.csv:1: expected six numbers"):
        registry.importer("csv-tracks").read(path, options)


def test_register_decoders_example_registers_by_name(registry):
    assert registry.decoders["mydecoder"].name == "mydecoder"
    assert registry.owners["decoders", "mydecoder"] == "tracklabel_mydecoder"


def test_register_trackers_example_follows_a_shifted_box(registry):
    tracker = registry.tracker("template")()
    rng = np.random.default_rng(0)
    scene = rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)
    tracker.start(scene, (20.0, 10.0, 16.0, 12.0))
    assert tracker.update(np.roll(scene, (3, 5), axis=(0, 1)))[0] == (25.0, 13.0, 16.0, 12.0)
    box, score = tracker.update(rng.integers(0, 256, (60, 80, 3), dtype=np.uint8))
    assert box is None and score < 0.6
    assert registry.owners["trackers", "template"] == "tracklabel_template"


def test_choose_interpolator_example_overrides_the_attribute(registry, monkeypatch):
    box = parse_config(CONFIG, registry).by_name["box"]
    monkeypatch.delenv("MYPROJECT_INTERPOLATOR", raising=False)
    assert registry.choose_interpolator(box) == "ease"
    monkeypatch.setenv("MYPROJECT_INTERPOLATOR", "step")
    assert registry.choose_interpolator(box) == "step"
    monkeypatch.setenv("MYPROJECT_INTERPOLATOR", "nope")
    with pytest.raises(ConfigError, match='interpolation "nope" is not registered'):
        parse_config(CONFIG, registry)


@pytest.mark.parametrize("hook, name, owner", [
    ("register_tags", "VIDEO", "tracklabel.plugins.tags.video"),
    ("register_exporters", "jsonl", "tracklabel.plugins.exporters.jsonl"),
])
def test_duplicate_name_fails_naming_both_plugins(hook, name, owner):
    twin = type("Twin", (), {"name": name})()
    pm = get_plugin_manager(load_entry_points=False)
    pm.register(plugin(**{hook: lambda self, register: register(twin)}), name="twin")
    with pytest.raises(PluginError, match="registered twice") as error:
        load_registry(pm)
    assert f"'{owner}'" in str(error.value) and "'twin'" in str(error.value)


@pytest.mark.parametrize("hook", ["register_tags", "register_interpolators",
                                  "register_exporters", "register_importers",
                                  "register_decoders"])
def test_failing_register_hook_names_plugin_and_hook(hook):
    assert hook in REGISTRY_HOOKS.values()
    pm = get_plugin_manager(load_entry_points=False)
    pm.register(plugin(**{hook: boom}), name="boom")
    with pytest.raises(PluginError, match=f"plugin 'boom' failed in hook {hook}: "
                                          "ValueError: disk on fire"):
        load_registry(pm)


def test_failing_choose_interpolator_names_plugin_and_hook():
    pm = get_plugin_manager(load_entry_points=False)
    pm.register(plugin(choose_interpolator=boom), name="boom")
    registry = load_registry(pm)
    expected = "plugin 'boom' failed in hook choose_interpolator: ValueError: disk on fire"
    with pytest.raises(PluginError, match=expected):
        registry.choose_interpolator(None)
    with pytest.raises(PluginError, match=expected):
        call_hook(pm, "choose_interpolator", control=None)


MYPLUG = """
from tracklabel.core.hookspecs import hookimpl


class Format:
    name = "myplug-format"


@hookimpl
def register_exporters(register):
    register(Format())
"""


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A folder on sys.path where `install` puts fake installed distributions."""
    monkeypatch.syspath_prepend(tmp_path)
    monkeypatch.delenv("TRACKLABEL_LOAD_PLUGINS", raising=False)
    yield tmp_path
    for name in ("myplug_module", "broken_module"):
        sys.modules.pop(name, None)


def install(site, dist, entry_point, module, source):
    """Fake an installed distribution whose `tracklabel` entry point is a module in site."""
    info = site / f"{dist}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[tracklabel]\n{entry_point} = {module}\n")
    (site / f"{module}.py").write_text(source)


@pytest.mark.parametrize("allowed, loaded", [
    (None, True), ("", False), ("myplug", True), ("myplug-ep", True), (" myplug , myplug-ep ", True),
])
def test_entry_points_load_as_allowed(site, monkeypatch, allowed, loaded):
    install(site, "myplug", "myplug-ep", "myplug_module", MYPLUG)
    if allowed is not None:
        monkeypatch.setenv("TRACKLABEL_LOAD_PLUGINS", allowed)
    pm = get_plugin_manager()
    assert (pm.get_plugin("myplug-ep") is not None) == loaded
    assert ("myplug-format" in load_registry(pm).exporters) == loaded
    assert pm.get_plugin("tracklabel.plugins.tags.video") is not None


@pytest.mark.parametrize("allowed", ["other", " other , myplug ", "myplug,myplg"])
def test_a_load_plugins_name_that_matches_nothing_is_reported(site, monkeypatch, allowed):
    install(site, "myplug", "myplug-ep", "myplug_module", MYPLUG)
    monkeypatch.setenv("TRACKLABEL_LOAD_PLUGINS", allowed)
    with pytest.raises(PluginError, match=r"TRACKLABEL_LOAD_PLUGINS names '(other|myplg)', which matches "
                                          r"no installed plugin or distribution \(installed: .*myplug"):
        get_plugin_manager()


def test_the_distribution_of_a_plugin_is_known_without_pluggy_internals(site):
    install(site, "myplug", "myplug-ep", "myplug_module", MYPLUG)
    pm = get_plugin_manager()
    assert pm.distributions["myplug-ep"].name == "myplug"
    assert "tracklabel.plugins.tags.video" not in pm.distributions
    source = (Path(__file__).parents[1] / "core" / "plugins.py").read_text()
    assert "pluggy._" not in source and "._plugin_distinfo" not in source


def test_entry_point_that_fails_to_import_is_named(site):
    install(site, "brokenplug", "broken-ep", "broken_module", "import no_such_module_here\n")
    with pytest.raises(PluginError, match=r"plugin 'broken-ep' \(brokenplug\) failed to load: "
                                          "ModuleNotFoundError"):
        get_plugin_manager()


def plugins_json(env=None):
    result = CliRunner().invoke(main, ["plugins", "--json"], env=env)
    assert result.exit_code == 0, result.output
    return {row["name"]: row for row in json.loads(result.stdout)}


def test_plugins_command_lists_builtins_with_hooks_and_names():
    rows = plugins_json({"TRACKLABEL_LOAD_PLUGINS": ""})
    assert list(rows) == list(DEFAULT_PLUGINS)
    assert rows["tracklabel.plugins.tags.videorectangle"] == {
        "name": "tracklabel.plugins.tags.videorectangle",
        "distribution": "tracklabel (builtin)",
        "hooks": ["register_tags"],
        "tags": ["VideoRectangle"],
    }
    assert rows["tracklabel.plugins.interpolators.attribute"]["hooks"] == ["choose_interpolator"]
    assert rows["tracklabel.plugins.tags.labels"]["tags"] == ["Label", "Labels"]
    assert rows["tracklabel.plugins.exporters.ls_json"]["exporters"] == ["ls-frames", "ls-json"]
    assert rows["tracklabel.plugins.interpolators.step"]["interpolators"] == ["step"]


def test_plugins_command_names_the_distribution_of_an_entry_point(site):
    install(site, "myplug", "myplug-ep", "myplug_module", MYPLUG)
    row = plugins_json()["myplug-ep"]
    assert row["exporters"] == ["myplug-format"]
    assert row["distribution"] == "myplug"


def test_two_entry_points_with_one_name_fail(site):
    install(site, "myplug", "myplug-ep", "myplug_module", MYPLUG)
    install(site, "otherplug", "myplug-ep", "broken_module", MYPLUG)
    with pytest.raises(PluginError, match="two plugins are named 'myplug-ep'"):
        get_plugin_manager()


def test_entry_point_with_a_bad_hook_argument_is_a_plugin_error(site):
    install(site, "myplug", "myplug-ep", "myplug_module", MYPLUG.replace("(register)", "(registr)"))
    with pytest.raises(PluginError, match=r"plugin 'myplug-ep' \(myplug\) cannot be registered"):
        get_plugin_manager()
    result = CliRunner().invoke(main, ["plugins"])
    assert result.exit_code == 1 and result.stderr.startswith("error: plugin 'myplug-ep'")


def test_call_hook_blames_the_instance_that_failed():
    class Chooser:
        def __init__(self, bad):
            self.bad = bad

        @hookimpl
        def choose_interpolator(self, control):
            if self.bad:
                raise RuntimeError("bad instance")

    pm = get_plugin_manager(load_entry_points=False)
    pm.register(Chooser(bad=True), name="broken")
    pm.register(Chooser(bad=False), name="fine")
    with pytest.raises(PluginError, match="plugin 'broken' failed in hook choose_interpolator"):
        call_hook(pm, "choose_interpolator", control=None)
