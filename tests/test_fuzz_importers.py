"""Fuzzing every importer and the config parser: hostile variants of valid files.

Whatever the input, `tracklabel convert` either succeeds, writing only finite numbers whose
interpolation stays finite, or exits 2 with errors that name the input; nothing else escapes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from fuzzing import all_finite, deep_json, dump_json, fuzz_settings, mutated_json, mutated_text
from formats import CONFIG, key, region, write_tasks
from tracklabel.core.cli import main
from tracklabel.core.config import parse_config
from tracklabel.core.errors import InputError
from tracklabel.core.tasks import read_tasks
from tracklabel.core.track import Track

SIZE = ["--width", "640", "--height", "360", "--fps", "25", "--frames-count", "30"]


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """Valid files of every importable format, exported from one task file."""
    root = tmp_path_factory.mktemp("samples")
    config = root / "config.xml"
    config.write_text(CONFIG)
    tasks = write_tasks(
        root / "tasks.json",
        region("a", "Car", [key(1, 10.0), key(5, 20.0, rotation=30, enabled=False),
                            key(8, 40.0)], frames_count=30),
        region("b", "Person", [key(3, 50.0, width=5.5, height=7.25), key(20, 60.0)],
               frames_count=30))
    out = {"ls-json": tasks, "config": config}
    for name, target in (("mot", root / "mot"), ("cvat-video", root / "cvat.xml"),
                         ("coco-vid", root / "coco")):
        result = cli("export", tasks, "--format", name, "--out", target, "--config", config, *SIZE)
        assert result.exit_code == 0, result.output
        out[name] = target / "annotations.json" if name == "coco-vid" else target
    return out


def convert(case: Path, fmt: str, config: Path, tmp: Path):
    """Run the conversion as a user does; return the CLI result and the output file."""
    out = tmp / "out.json"
    result = cli("convert", case, "--from", fmt, "--to", "ls-json", "--out", out,
                 "--config", config, *SIZE)
    return result, out


def check_outcome(result, out: Path, case: Path, registry):
    assert result.exit_code in (0, 2), (result.exit_code, result.output, result.exception)
    if result.exit_code == 2:
        errors = [line for line in result.output.splitlines() if line.startswith("error:")]
        assert errors, result.output
        assert all(case.name in line for line in errors), result.output
        return
    tasks = json.loads(out.read_text())
    assert all_finite(tasks)
    interpolated_finite(read_tasks(out, registry), registry)


def interpolated_finite(task_file, registry):
    """The interpolation at every keyframe, half way between each pair and one past the last."""
    linear = registry.interpolator("linear")
    for _, _, _, item in task_file.regions():
        keys = item.value.sequence
        if not keys:
            continue
        track = Track.from_keyframes(keys)
        frames = np.array(sorted({k.frame for k in keys} | {k.frame + 1 for k in keys}
                                 | {(a.frame + b.frame) // 2 for a, b in zip(keys, keys[1:])}))
        boxes = linear.boxes(track, frames)
        for name in ("x", "y", "width", "height", "rotation"):
            assert np.isfinite(getattr(boxes, name)[boxes.visible]).all(), name


def fresh_case(tmp_path: Path, sample: Path) -> Path:
    """A copy of the sample in a new folder (hypothesis reuses tmp_path across examples)."""
    case_dir = Path(tmp_path) / f"case{len(list(Path(tmp_path).iterdir()))}"
    case_dir.mkdir()
    target = case_dir / sample.name
    if sample.is_dir():
        shutil.copytree(sample, target)
    else:
        shutil.copy(sample, target)
    return target


@fuzz_settings(100)
@given(data=st.data())
def test_ls_json_importer(samples, registry, tmp_path, data):
    case = fresh_case(tmp_path, samples["ls-json"])
    document = data.draw(mutated_json(json.loads(case.read_text())))
    case.write_bytes(dump_json(document))
    check_outcome(*convert(case, "ls-json", samples["config"], case.parent), case, registry)


@fuzz_settings(100)
@given(data=st.data())
def test_coco_vid_importer(samples, registry, tmp_path, data):
    case = fresh_case(tmp_path, samples["coco-vid"])
    document = data.draw(mutated_json(json.loads(case.read_text())))
    case.write_bytes(dump_json(document))
    check_outcome(*convert(case, "coco-vid", samples["config"], case.parent), case, registry)


@fuzz_settings(100)
@given(data=st.data())
def test_cvat_video_importer(samples, registry, tmp_path, data):
    case = fresh_case(tmp_path, samples["cvat-video"])
    case.write_bytes(data.draw(mutated_text(case.read_bytes())))
    check_outcome(*convert(case, "cvat-video", samples["config"], case.parent), case, registry)


@fuzz_settings(100)
@given(data=st.data(), part=st.sampled_from(["gt/gt.txt", "seqinfo.ini", "labels.txt"]))
def test_mot_importer(samples, registry, tmp_path, data, part):
    case = fresh_case(tmp_path, samples["mot"])
    files = list(case.rglob(Path(part).name))
    assert files, f"the MOT sample has no {part}"
    files[0].write_bytes(data.draw(mutated_text(files[0].read_bytes())))
    check_outcome(*convert(case, "mot", samples["config"], case.parent), case, registry)


@pytest.mark.parametrize("fmt", ["ls-json", "coco-vid"])
def test_json_nested_too_deep_is_refused_by_name(samples, registry, tmp_path, fmt):
    case = tmp_path / "deep.json"
    case.write_bytes(deep_json(100_000))
    check_outcome(*convert(case, fmt, samples["config"], tmp_path), case, registry)


@fuzz_settings(60)
@given(data=st.data(), encoding=st.sampled_from(["utf-8", "utf-16", "utf-32"]))
def test_config_parser(samples, registry, data, encoding):
    text = data.draw(mutated_text(samples["config"].read_bytes()))
    try:
        text = text.decode("utf-8").encode(encoding)
    except UnicodeDecodeError:
        pass  # bytes that are not UTF-8 go in as they are
    try:
        parse_config(text, registry)
    except InputError as exc:
        assert exc.problems and all(p.where.startswith("config.xml") for p in exc.problems)
