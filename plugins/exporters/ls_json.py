"""`ls-json` (keyframes) and `ls-frames` (every visible frame): Label Studio's own JSON."""

import msgspec

from tracklabel.core.export import Exporter, TrackItem
from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.schema import to_builtins


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
        keyframes = iter(value["sequence"])
        boxes = item.boxes.only_visible()
        fps = item.fps
        frames = []
        for f, x, y, w, h, rot, is_key in zip(
            boxes.frame.tolist(), boxes.x.tolist(), boxes.y.tolist(), boxes.width.tolist(),
            boxes.height.tolist(), boxes.rotation.tolist(), boxes.keyframe.tolist(),
        ):
            if is_key:
                key = next(keyframes)
                while key["frame"] != f:
                    key = next(keyframes)
                frames.append(key)
                continue
            box = {"frame": f, "x": x, "y": y, "width": w, "height": h, "rotation": rot,
                   "enabled": True, "auto": True}
            if fps:
                box["time"] = f / fps
            frames.append(box)
        value["sequence"] = frames


def _value(tasks: list, item: TrackItem) -> dict:
    t, kind, a, r = item.location
    return tasks[t][kind][a]["result"][r]["value"]


@hookimpl
def register_exporters(register):
    register(LabelStudioJson())
    register(LabelStudioFrames())
