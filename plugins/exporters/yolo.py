"""`yolo`, `yolo-obb` and `yolo-seg`: one label file per frame, normalised bounding boxes,
rotated corners or outlines."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from tracklabel.core.errors import InputError, Problem
from tracklabel.core.export import ANY_KIND, Exporter, ExportJob, TrackItem, sequence_names
from tracklabel.core.geometry import clip, corners, to_pixels
from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.textformat import format_rows


def frame_stem(index0: int, frames_count: int) -> str:
    """A frame's file name: its 0-based index, zero-padded (at least 6 digits)."""
    return str(index0).zfill(max(6, len(str(frames_count - 1))))


class YoloExporter(Exporter):
    """labels/<sequence>/<frame>.txt with `class cx cy w h` (each shape's bounding box),
    names.txt and data.yaml."""

    name = "yolo"
    description = "YOLO: one .txt per frame (class cx cy w h, normalised), 0-based classes"
    single_file = False
    suffix = ".zip"
    media_type = "application/zip"
    kinds = (ANY_KIND,)  # the shapes it writes

    def export(self, job: ExportJob, target: Path) -> None:
        labels = job.labels()
        names = sequence_names(job)
        (target / "names.txt").write_text("".join(f"{label}\n" for label in labels))
        (target / "data.yaml").write_text(
            "path: .\ntrain: images\nval: images\nnames:\n"
            + "".join(f"  {i}: {_yaml_text(label)}\n" for i, label in enumerate(labels)))
        for t, _, items in job.by_task(kinds=self.kinds):
            folder = target / "labels" / names[t]
            folder.mkdir(parents=True)
            frames, text = self.rows(job, items, labels)
            frames_count = int(items[0].shapes.frame[-1])
            write_per_frame(folder, frames, text, frames_count)
            if job.options.with_frames:
                write_frame_images(job, t, target / "images" / names[t], frames_count)

    def rows(self, job: ExportJob, items: list[TrackItem], labels: list[str]):
        """(1-based frame of each line, the lines' text), lines sorted by frame."""
        per_track = []
        for item in items:
            cls = job.class_index(item, labels)
            if cls is None:  # no label: left out
                continue
            shapes = item.shapes.only_visible()
            width, height = job.frame_size(item)
            fields = self.fields(shapes, width, height, job.options.clip)
            per_track.append((shapes.frame, np.full(len(shapes.frame), cls), *fields))
        if not per_track:
            return np.zeros(0, np.int64), b""
        frame, cls, *values = (np.concatenate(c) for c in zip(*per_track))
        order = np.argsort(frame, kind="stable")
        parts = [(cls[order], 0)]
        for column in values:
            parts += [b" ", (column[order], 6)]
        return frame[order], format_rows(parts + [b"\n"], len(order))

    def fields(self, shapes, width, height, cut):
        """The columns after the class, one value per row of `shapes`."""
        left, top, w, h = shapes.bbox(width, height)
        if cut:
            left, top, w, h = clip(left, top, w, h, width, height)
        return (left + w / 2) / width, (top + h / 2) / height, w / width, h / height


class YoloObbExporter(YoloExporter):
    """`class x1 y1 x2 y2 x3 y3 x4 y4`: the rotated box's corners, normalised."""

    name = "yolo-obb"
    description = "YOLO-OBB: one .txt per frame (class and 4 rotated corners, normalised)"
    kinds = ("box",)

    def fields(self, shapes, width, height, cut):
        pixels = to_pixels(shapes.x, shapes.y, shapes.width, shapes.height, width, height)
        xs, ys = corners(*pixels, shapes.rotation)
        out = []
        for k in range(4):
            out += [xs[:, k] / width, ys[:, k] / height]
        return out


class YoloSegExporter(YoloExporter):
    """`class x1 y1 x2 y2 ...`: each closed outline's points (a polygon's vertices, a box's
    corners), normalised, as Ultralytics' segmentation labels."""

    name = "yolo-seg"
    description = "YOLO segmentation: one .txt per frame (class and outline points, normalised)"

    def rows(self, job: ExportJob, items: list[TrackItem], labels: list[str]):
        lines = []  # (frame, order, text)
        for item in items:
            cls = job.class_index(item, labels)
            if cls is None:  # no label: left out
                continue
            if not item.shapes.closed:
                job.leave_out(item.region, item.location, "holds closed outlines, and these "
                                                          f"are {item.shapes.kind or 'open'} shapes")
                continue
            shapes = item.shapes.only_visible()
            width, height = job.frame_size(item)
            outlines = shapes.outline(width, height)
            if outlines is None:
                job.leave_out(item.region, item.location, "holds outlines, and these shapes have none")
                continue
            for frame, outline in zip(shapes.frame.tolist(), outlines):
                points = outline / [width, height]
                if job.options.clip:
                    points = np.clip(points, 0.0, 1.0)
                text = " ".join(f"{v:.6f}" for v in points.ravel().tolist())
                lines.append((frame, len(lines), f"{cls} {text}\n"))
        lines.sort()
        return (np.array([line[0] for line in lines], dtype=np.int64),
                "".join(line[2] for line in lines).encode())


def write_per_frame(folder: Path, frames: np.ndarray, text: bytes, frames_count: int) -> None:
    """Split sorted lines into one file per frame that has any."""
    ends = np.flatnonzero(np.frombuffer(text, np.uint8) == ord("\n")) + 1
    starts = np.concatenate([[0], ends[:-1]])
    first = np.flatnonzero(np.diff(frames, prepend=-1))
    last = np.append(first[1:], len(frames)) - 1
    for a, b in zip(first.tolist(), last.tolist()):
        name = frame_stem(int(frames[a]) - 1, frames_count)
        (folder / f"{name}.txt").write_bytes(text[starts[a]:ends[b]])


def write_frame_images(job: ExportJob, task_index: int, folder: Path, frames_count: int,
                       name=None) -> None:
    """Every frame of the task's video as a JPEG, decoded in one sequential pass.

    `name(i)` gives the file stem of 0-based frame i (default: frame_stem)."""
    video = job.video(task_index)
    if video is None:
        raise InputError(Problem(f"{job.tasks.source}: $[{task_index}].data",
                                 "--with-frames needs the task's video file; none was found "
                                 "(give --media-root)"))
    if video.index.count != frames_count:
        job.warnings.add(str(video.path), f"the video has {video.index.count} frames, the "
                                          f"annotations {frames_count}")
    name = name or (lambda i: frame_stem(i, frames_count))
    folder.mkdir(parents=True, exist_ok=True)
    for i, rgb in enumerate(video.frames(0, frames_count)):
        ok, data = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR),
                                [cv2.IMWRITE_JPEG_QUALITY, 95])
        (folder / f"{name(i)}.jpg").write_bytes(data.tobytes())


def _yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@hookimpl
def register_exporters(register):
    register(YoloExporter())
    register(YoloObbExporter())
    register(YoloSegExporter())
