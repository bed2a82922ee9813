"""`ls-json` (keyframes) and `ls-frames` (every visible frame): Label Studio's own JSON."""

from pathlib import Path

import msgspec
import numpy as np
from msgspec import UNSET, UnsetType

from tracklabel.core.errors import InputError, Problem
from tracklabel.core.export import Exporter, TrackItem
from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.importer import Importer, ImportOptions
from tracklabel.core.schema import Keyframe, to_builtins
from tracklabel.core.track import FIELDS, Track, norm_angle
from tracklabel.plugins.interpolators.linear import Linear


class LabelStudioJson(Exporter):
    """Tasks as Label Studio imports them, keyframes normalised, unknown keys kept."""

    name = "ls-json"
    description = "Label Studio tasks with keyframes (re-importable by Label Studio)"

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
    """Every visible frame written out; frames between keyframes marked `"auto": true`."""

    name = "ls-frames"
    description = "Label Studio tasks with every visible frame (non-keyframes marked auto)"

    def rewrite(self, value: dict, item: TrackItem) -> None:
        super().rewrite(value, item)
        boxes = item.boxes.only_visible()
        times = (boxes.frame / item.fps).tolist() if item.fps else [UNSET] * len(boxes.frame)
        frames = [AutoFrame(f, x, y, w, h, rot, True, True, t) for f, x, y, w, h, rot, t in zip(
            boxes.frame.tolist(), boxes.x.tolist(), boxes.y.tolist(), boxes.width.tolist(),
            boxes.height.tolist(), boxes.rotation.tolist(), times)]
        stored = {key["frame"]: key for key in value["sequence"]}
        for i in np.flatnonzero(boxes.keyframe).tolist():
            frames[i] = stored[frames[i].frame]  # keyframes exactly as stored
        value["sequence"] = msgspec.Raw(_ENCODER.encode(frames))  # one region's objects at a time


class AutoFrame(msgspec.Struct):
    """A frame between keyframes as Label Studio writes it, marked `auto`."""

    frame: int
    x: float
    y: float
    width: float
    height: float
    rotation: float
    enabled: bool
    auto: bool
    time: float | UnsetType = UNSET


_ENCODER = msgspec.json.Encoder()


class LabelStudioImporter(Importer):
    """Label Studio tasks or exports; per-frame sequences (`interpolate_key_frames`, ls-frames)
    are collapsed back to their keyframes."""

    name = "ls-json"
    description = "Label Studio JSON (tasks, exports, per-frame exports collapsed to keyframes)"

    def read(self, path: Path, options: ImportOptions) -> list[dict]:
        try:
            raw = msgspec.json.decode(path.read_bytes())
        except OSError as exc:
            raise InputError(Problem(str(path), f"cannot read: {exc.strerror}")) from None
        except msgspec.DecodeError as exc:
            raise InputError(Problem(str(path), f"malformed JSON: {exc}")) from None
        for task in raw if isinstance(raw, list) else [raw]:
            for kind in ("annotations", "predictions"):
                for annotation in (task.get(kind) or []) if isinstance(task, dict) else []:
                    for region in annotation.get("result") or [] if isinstance(annotation, dict) else []:
                        value = region.get("value") if isinstance(region, dict) else None
                        if isinstance(value, dict) and isinstance(value.get("sequence"), list):
                            value["sequence"] = collapse(value["sequence"])
        return raw


def collapse(sequence: list) -> list:
    """Drop `"auto": true` frames that the kept keyframes reproduce by linear interpolation;
    anything that does not look like a per-frame keyframe list is returned as is."""
    if not all(isinstance(k, dict) and isinstance(k.get("frame"), int) for k in sequence):
        return sequence
    if not any(k.get("auto") is True for k in sequence):
        return sequence
    ordered = sorted(sequence, key=lambda k: k["frame"])
    frames = np.array([k["frame"] for k in ordered])
    values = np.array([[k.get(n, 0) for n in FIELDS] for k in ordered], dtype=np.float64)
    keep = np.array([k.get("auto") is not True for k in ordered])
    keep[0] |= not keep.any()
    while True:
        kept = [Keyframe(frame=k["frame"], x=k["x"], y=k["y"], width=k["width"],
                         height=k["height"], rotation=k.get("rotation", 0), enabled=True)
                for k, on in zip(ordered, keep) if on]
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
