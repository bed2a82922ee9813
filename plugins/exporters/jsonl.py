"""`jsonl`: one line per visible shape, the tag's own fields (percent units), 1-based frames."""

import msgspec

from tracklabel.core.export import ANY_KIND, Exporter
from tracklabel.core.hookspecs import hookimpl

ROW_FIELDS = ("frame", "visible", "keyframe")  # every Shapes' own columns


class JsonLines(Exporter):
    """{"task", "region", "label", "frame", <the shape's fields>, "keyframe"} per visible
    shape of the annotations (a box's x, y, width, height, rotation; a polygon's points; a
    point's x, y), sorted by task, region and frame."""

    name = "jsonl"
    description = "one JSON line per visible shape (percent, 1-based frames), sorted"
    suffix = ".jsonl"
    media_type = "application/jsonl"

    def export(self, job, target):
        encoder = msgspec.json.Encoder()
        for item in job.tracks(sort=True, kinds=(ANY_KIND,)):
            columns = item.shapes.only_visible().columns()
            names = [name for name in columns if name not in ROW_FIELDS]
            task, region, label = item.task_key, item.region_id, item.label
            rows = [
                {"task": task, "region": region, "label": label, "frame": frame,
                 **dict(zip(names, values)), "keyframe": key}
                for frame, key, *values in zip(columns["frame"], columns["keyframe"],
                                               *(columns[name] for name in names))
            ]
            target.write(encoder.encode_lines(rows))


@hookimpl
def register_exporters(register):
    register(JsonLines())
