"""`ellipse-csv`: one CSV row per visible ellipse and frame (percent, 1-based frames)."""

import csv
import io

from tracklabel.core.export import Exporter

COLUMNS = ("task", "region", "label", "frame", "x", "y", "radiusX", "radiusY", "rotation", "keyframe")


class EllipseCsv(Exporter):
    """The visible ellipses of the annotations, sorted by task, region and frame; other
    regions are left out with a warning."""

    name = "ellipse-csv"
    description = "one CSV row per visible ellipse and frame (percent, 1-based frames)"

    def export(self, job, target):
        text = io.TextIOWrapper(target, encoding="utf-8", newline="")
        try:
            writer = csv.writer(text)
            writer.writerow(COLUMNS)
            for item in job.tracks(sort=True, kinds=("ellipse",)):
                e = item.shapes.only_visible()
                region = "" if item.region_id is None else item.region_id
                label = "" if item.label is None else item.label
                for row in zip(e.frame.tolist(), e.x.tolist(), e.y.tolist(), e.radiusX.tolist(),
                               e.radiusY.tolist(), e.rotation.tolist(), e.keyframe.tolist()):
                    writer.writerow((item.task_key, region, label, *row))
        finally:
            text.detach()  # flushes, and leaves `target` open for tracklabel to close
