"""`ellipse-csv`: one CSV row per visible ellipse and frame (percent, or pixels with `--pixels`;
1-based frames)."""

import csv
import io

from tracklabel.core.export import Exporter
from tracklabel.core.options import Option

COLUMNS = ("task", "region", "label", "frame", "x", "y", "radiusX", "radiusY", "rotation", "keyframe")


class EllipseCsv(Exporter):
    """The visible ellipses of the annotations, sorted by task, region and frame; other
    regions are left out with a warning."""

    name = "ellipse-csv"
    description = "one CSV row per visible ellipse and frame (percent, 1-based frames)"
    suffix = ".csv"
    media_type = "text/csv"
    options = (Option("pixels", bool, False, "Centre and radii in pixels of the frame, not percent."),)

    def export(self, job, target):
        text = io.TextIOWrapper(target, encoding="utf-8", newline="")
        try:
            writer = csv.writer(text)
            writer.writerow(COLUMNS)
            for item in job.tracks(sort=True, kinds=("ellipse",)):
                e = item.shapes.only_visible()
                x, y, rx, ry = e.x, e.y, e.radiusX, e.radiusY
                if job.option("pixels"):
                    x, y, rx, ry, _ = e.pixels(*job.frame_size(item))
                region = "" if item.region_id is None else item.region_id
                label = "" if item.label is None else item.label
                for row in zip(e.frame.tolist(), x.tolist(), y.tolist(), rx.tolist(), ry.tolist(),
                               e.rotation.tolist(), e.keyframe.tolist()):
                    writer.writerow((item.task_key, region, label, *row))
        finally:
            text.detach()  # flushes, and leaves `target` open for tracklabel to close
