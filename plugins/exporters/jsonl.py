"""`jsonl`: one line per visible box, percent units, 1-based frames."""

import msgspec

from tracklabel.core.export import Exporter
from tracklabel.core.hookspecs import hookimpl


class JsonLines(Exporter):
    """{"task", "region", "label", "frame", "x", "y", "width", "height", "rotation", "keyframe"}
    per visible box of the annotations, sorted by task, region and frame."""

    name = "jsonl"
    description = "one JSON line per visible box (percent, 1-based frames), sorted"

    def export(self, job, target):
        encoder = msgspec.json.Encoder()
        for item in job.tracks(sort=True, kinds=("box",)):
            boxes = item.shapes.only_visible()
            task, region, label = item.task_key, item.region_id, item.label
            rows = [
                {"task": task, "region": region, "label": label, "frame": f, "x": x, "y": y,
                 "width": w, "height": h, "rotation": rot, "keyframe": key}
                for f, x, y, w, h, rot, key in zip(
                    boxes.frame.tolist(), boxes.x.tolist(), boxes.y.tolist(),
                    boxes.width.tolist(), boxes.height.tolist(), boxes.rotation.tolist(),
                    boxes.keyframe.tolist(),
                )
            ]
            target.write(encoder.encode_lines(rows))



@hookimpl
def register_exporters(register):
    register(JsonLines())
