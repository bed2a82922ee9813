"""`yolo` and `yolo-obb`: one label file per frame, normalised boxes or rotated corners."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tracklabel.core.export import Exporter, ExportJob, TrackItem, sequence_names
from tracklabel.core.geometry import bounding_box, clip, corners, to_pixels
from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.textformat import format_rows


def frame_stem(index0: int, frames_count: int) -> str:
    """A frame's file name: its 0-based index, zero-padded (at least 6 digits)."""
    return str(index0).zfill(max(6, len(str(frames_count - 1))))


class YoloExporter(Exporter):
    """labels/<sequence>/<frame>.txt with `class cx cy w h`, names.txt and data.yaml."""

    name = "yolo"
    description = "YOLO: one .txt per frame (class cx cy w h, normalised), 0-based classes"
    single_file = False

    def export(self, job: ExportJob, target: Path) -> None:
        labels = job.labels()
        names = sequence_names(job)
        (target / "names.txt").write_text("".join(f"{label}\n" for label in labels))
        (target / "data.yaml").write_text(
            "path: .\ntrain: images\nval: images\nnames:\n"
            + "".join(f"  {i}: {_yaml_text(label)}\n" for i, label in enumerate(labels)))
        for t, _, items in job.by_task():
            folder = target / "labels" / names[t]
            folder.mkdir(parents=True)
            frames, text = self.rows(job, items, labels)
            write_per_frame(folder, frames, text, int(items[0].boxes.frame[-1]))

    def rows(self, job: ExportJob, items: list[TrackItem], labels: list[str]):
        """(1-based frame of each line, the lines' text), lines sorted by frame."""
        per_track = []
        for item in items:
            boxes = item.boxes.only_visible()
            width, height = job.frame_size(item)
            pixels = to_pixels(boxes.x, boxes.y, boxes.width, boxes.height, width, height)
            fields = self.fields(pixels, boxes.rotation, width, height, job.options.clip)
            per_track.append((boxes.frame, np.full(len(boxes.frame), job.class_index(item, labels)), *fields))
        if not per_track:
            return np.zeros(0, np.int64), b""
        frame, cls, *values = (np.concatenate(c) for c in zip(*per_track))
        order = np.argsort(frame, kind="stable")
        parts = [(cls[order], 0)]
        for column in values:
            parts += [b" ", (column[order], 6)]
        return frame[order], format_rows(parts + [b"\n"], len(order))

    def fields(self, pixels, rotation, width, height, cut):
        left, top, w, h = bounding_box(*pixels, rotation)
        if cut:
            left, top, w, h = clip(left, top, w, h, width, height)
        return (left + w / 2) / width, (top + h / 2) / height, w / width, h / height


class YoloObbExporter(YoloExporter):
    """`class x1 y1 x2 y2 x3 y3 x4 y4`: the rotated box's corners, normalised."""

    name = "yolo-obb"
    description = "YOLO-OBB: one .txt per frame (class and 4 rotated corners, normalised)"

    def fields(self, pixels, rotation, width, height, cut):
        xs, ys = corners(*pixels, rotation)
        out = []
        for k in range(4):
            out += [xs[:, k] / width, ys[:, k] / height]
        return out


def write_per_frame(folder: Path, frames: np.ndarray, text: bytes, frames_count: int) -> None:
    """Split sorted lines into one file per frame that has any."""
    ends = np.flatnonzero(np.frombuffer(text, np.uint8) == ord("\n")) + 1
    starts = np.concatenate([[0], ends[:-1]])
    first = np.flatnonzero(np.diff(frames, prepend=-1))
    last = np.append(first[1:], len(frames)) - 1
    for a, b in zip(first.tolist(), last.tolist()):
        name = frame_stem(int(frames[a]) - 1, frames_count)
        (folder / f"{name}.txt").write_bytes(text[starts[a]:ends[b]])


def _yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@hookimpl
def register_exporters(register):
    register(YoloExporter())
    register(YoloObbExporter())
