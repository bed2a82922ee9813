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
from tracklabel.core.schema import BoxKeyframe, to_builtins
from tracklabel.core.tasks import decode_json
from tracklabel.core.track import FIELDS, Track, norm_angle
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
        for value in _region_values(raw):
            value["sequence"] = collapse(value["sequence"])
        return raw


def _region_values(raw) -> Iterator[dict]:
    """Every region `value` with a list `sequence`; anything shaped otherwise is left for the
    task checks to report with its path."""
    for task in raw if isinstance(raw, list) else [raw]:
        for kind in ("annotations", "predictions"):
            annotations = task.get(kind) if isinstance(task, dict) else None
            for annotation in annotations if isinstance(annotations, list) else ():
                result = annotation.get("result") if isinstance(annotation, dict) else None
                for region in result if isinstance(result, list) else ():
                    value = region.get("value") if isinstance(region, dict) else None
                    if isinstance(value, dict) and isinstance(value.get("sequence"), list):
                        yield value


def collapse(sequence: list) -> list:
    """Drop `"auto": true` frames that the kept keyframes reproduce by linear interpolation;
    a sequence with anything but valid keyframes with frames is returned as is (the task
    checks then name what is wrong)."""
    if not any(isinstance(k, dict) and k.get("auto") is True for k in sequence):
        return sequence
    try:
        keys = msgspec.convert(sequence, list[BoxKeyframe])
    except msgspec.ValidationError:
        return sequence
    if any(k.frame is UNSET for k in keys):
        return sequence
    order = sorted(range(len(keys)), key=lambda i: keys[i].frame)
    ordered = [sequence[i] for i in order]
    keys = [keys[i] for i in order]
    frames = np.array([k.frame for k in keys], dtype=np.int64)
    values = np.array([[getattr(k, n) for n in FIELDS] for k in keys], dtype=np.float64)
    keep = np.array([k.get("auto") is not True for k in ordered])
    keep[0] |= not keep.any()
    while True:
        kept = [msgspec.structs.replace(k, enabled=True) for k, on in zip(keys, keep) if on]
        boxes = Linear().boxes(Track.from_keyframes(kept), frames)
        predicted = np.stack([boxes.x, boxes.y, boxes.width, boxes.height], axis=1)
        wrong = ~np.isclose(predicted, values[:, :4], rtol=0, atol=1e-6).all(axis=1)
        wrong |= ~np.isclose(norm_angle(boxes.rotation - values[:, 4]), 0, atol=1e-6)
        wrong |= frames < kept[0].frame
        if not (wrong & ~keep).any():
            return [k for k, on in zip(ordered, keep) if on]
        keep |= wrong


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
