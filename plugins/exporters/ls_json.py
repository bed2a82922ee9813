"""`ls-json` (keyframes) and `ls-frames` (every visible frame): Label Studio's own JSON."""

from pathlib import Path
from typing import Iterator

import msgspec
import msgspec.structs
import numpy as np
from msgspec import UNSET

from tracklabel.core.errors import InputError, Problem
from tracklabel.core.export import Exporter, TrackItem
from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.importer import Importer, ImportOptions
from tracklabel.core.plugins import load_registry
from tracklabel.core.schema import to_builtins
from tracklabel.core.tasks import decode_json
from tracklabel.core.track import norm_angle
from tracklabel.plugins.exporters.jsonl import ROW_FIELDS
from tracklabel.plugins.exporters.ls_json_min import from_json_min, is_json_min
from tracklabel.plugins.interpolators.linear import Linear


class LabelStudioJson(Exporter):
    """Tasks as Label Studio imports them, keyframes normalised, unknown keys kept."""

    name = "ls-json"
    description = "Label Studio tasks with keyframes (re-importable by Label Studio)"
    suffix = ".json"
    media_type = "application/json"

    def export(self, job, target):
        tasks = [to_builtins(task) for task in job.tasks.tasks]
        for item in job.tracks(predictions=True):
            self.rewrite(_value(tasks, item), item)
        target.write(msgspec.json.encode(tasks))

    def rewrite(self, value: dict, item: TrackItem) -> None:
        """Write `time` where it is missing and the frame rate is known."""
        if item.fps:
            for key in value["sequence"]:
                key.setdefault("time", key["frame"] / item.fps)


class LabelStudioFrames(LabelStudioJson):
    """Every visible frame written out (the shape's own fields, as its keyframes have them);
    frames between keyframes marked `"auto": true`."""

    name = "ls-frames"
    description = "Label Studio tasks with every visible frame (non-keyframes marked auto)"

    def rewrite(self, value: dict, item: TrackItem) -> None:
        super().rewrite(value, item)
        columns = item.shapes.only_visible().columns()
        names = [name for name in columns if name not in ROW_FIELDS]
        stored = {key["frame"]: key for key in value["sequence"]}
        frames = []
        for frame, keyframe, *values in zip(columns["frame"], columns["keyframe"],
                                            *(columns[name] for name in names)):
            if keyframe:
                frames.append(stored[frame])  # keyframes exactly as stored
                continue
            auto = {"frame": frame, **dict(zip(names, values)), "enabled": True, "auto": True}
            if item.fps:
                auto["time"] = frame / item.fps
            frames.append(auto)
        value["sequence"] = msgspec.Raw(_ENCODER.encode(frames))  # one region's objects at a time


_ENCODER = msgspec.json.Encoder()


class LabelStudioImporter(Importer):
    """Label Studio tasks or exports (JSON, or JSON-MIN with the config); per-frame sequences
    (`interpolate_key_frames`, ls-frames) are collapsed back to their keyframes."""

    name = "ls-json"
    description = "Label Studio JSON or JSON-MIN (tasks, exports, per-frame exports collapsed to keyframes)"

    def read(self, path: Path, options: ImportOptions) -> list[dict]:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(Problem(str(path), f"cannot read: {exc.strerror}")) from None
        raw = decode_json(data, str(path))
        if is_json_min(raw):
            if options.config is None:
                raise InputError(Problem(str(path), "this is Label Studio's JSON-MIN export: pass "
                                                    "--config (the project's labeling config tells "
                                                    "which keys hold regions)"))
            raw = from_json_min(raw, options.config, str(path))
        for region in _regions(raw):
            region["value"]["sequence"] = collapse(region, options.registry or load_registry())
        return raw


def _regions(raw) -> Iterator[dict]:
    """Every region object whose `value` has a list `sequence`; anything shaped otherwise is
    left for the task checks to report with its path."""
    for task in raw if isinstance(raw, list) else [raw]:
        for kind in ("annotations", "predictions"):
            annotations = task.get(kind) if isinstance(task, dict) else None
            for annotation in annotations if isinstance(annotations, list) else ():
                result = annotation.get("result") if isinstance(annotation, dict) else None
                for region in result if isinstance(result, list) else ():
                    value = region.get("value") if isinstance(region, dict) else None
                    if isinstance(value, dict) and isinstance(value.get("sequence"), list):
                        yield region


def collapse(region: dict, registry) -> list:
    """The region's sequence without the `"auto": true` frames that its kept keyframes
    reproduce by linear interpolation, for any keyframed tag (its shapes compared field by
    field; a `rotation` modulo 360). A region of no keyframed tag, or a sequence with anything
    but valid keyframes with frames, is returned as is (the task checks then name what is wrong)."""
    value = region["value"]
    sequence = value["sequence"]
    tag = registry.region_tag(region["type"]) if isinstance(region.get("type"), str) else None
    if tag is None or not tag.keyframed or not any(isinstance(k, dict) and k.get("auto") is True
                                                      for k in sequence):
        return sequence
    try:
        keys = msgspec.convert({"sequence": sequence}, tag.region_struct).sequence
    except msgspec.ValidationError:
        return sequence
    if any(k.frame is UNSET for k in keys):
        return sequence
    order = sorted(range(len(keys)), key=lambda i: keys[i].frame)
    ordered = [sequence[i] for i in order]
    keys = [msgspec.structs.replace(keys[i], enabled=True) for i in order]
    frames = np.array([k.frame for k in keys], dtype=np.int64)
    stored = _fields(tag.shapes(tag.region_struct(sequence=keys), frames, Linear()))
    keep = np.array([k.get("auto") is not True for k in ordered])
    keep[0] |= not keep.any()
    while True:
        kept = [k for k, on in zip(keys, keep) if on]
        predicted = _fields(tag.shapes(tag.region_struct(sequence=kept), frames, Linear()))
        wrong = frames < kept[0].frame
        for name, values in stored.items():
            wrong |= ~_close(name, predicted[name], values)
        if not (wrong & ~keep).any():
            return [k for k, on in zip(ordered, keep) if on]
        keep |= wrong


def _fields(shapes) -> dict[str, list]:
    """A Shapes' own fields per row (its frame, visible and keyframe left out)."""
    return {k: v for k, v in shapes.columns().items() if k not in ("frame", "visible", "keyframe")}


def _close(name: str, predicted: list, stored: list) -> np.ndarray:
    """Row by row, whether two columns of one field agree (within 1e-6; angles modulo 360)."""
    try:
        a, b = np.asarray(predicted, dtype=np.float64), np.asarray(stored, dtype=np.float64)
    except ValueError:  # ragged rows (polygons of several sizes)
        a = b = None
    if a is None or a.shape != b.shape:
        return np.array([np.shape(p) == np.shape(q) and np.allclose(p, q, rtol=0, atol=1e-6)
                         for p, q in zip(predicted, stored)], dtype=bool)
    difference = norm_angle(a - b) if name == "rotation" else a - b
    close = np.isclose(difference, 0, rtol=0, atol=1e-6)
    return close.reshape(len(close), -1).all(axis=1)


def _value(tasks: list, item: TrackItem) -> dict:
    t, kind, a, r = item.location
    return tasks[t][kind][a]["result"][r]["value"]


@hookimpl
def register_exporters(register):
    register(LabelStudioJson())
    register(LabelStudioFrames())


@hookimpl
def register_importers(register):
    register(LabelStudioImporter())
