"""`coco-vid`: COCO-VID JSON (videos, one image per frame, instance ids), and its importer."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Annotated

import msgspec
import numpy as np
from msgspec import Meta

from tracklabel.core.errors import InputError, Problem
from tracklabel.core.export import Exporter, ExportJob, sequence_names
from tracklabel.core.geometry import bounding_box, clip, to_pixels
from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.importer import Importer, ImportOptions, region_from_boxes, task_for
from tracklabel.core.schema import MAX_FRAMES_COUNT, MAX_PIXELS, split_error
from tracklabel.core.tasks import decode_json
from tracklabel.core.textformat import format_rows
from tracklabel.plugins.exporters.yolo import frame_stem, write_frame_images


class CocoVidExporter(Exporter):
    """annotations.json in COCO-VID (mmtracking's CocoVID), also loadable as plain COCO;
    with --with-frames, images/<video>/<frame>.jpg as the file names say."""

    name = "coco-vid"
    description = "COCO-VID: videos, an image per frame (frame_id from 0), annotations with instance_id"
    single_file = False

    def export(self, job: ExportJob, target: Path) -> None:
        labels = job.labels()
        names = sequence_names(job)
        videos, images, annotation_parts = [], [], []
        next_image, next_instance, next_annotation, tiny = 1, 1, 1, 0
        for video_id, (t, _, items) in enumerate(job.by_task(kinds=("box",)), 1):
            frames_count = int(items[0].shapes.frame[-1])
            width, height = job.frame_size(items[0])
            videos.append({"id": video_id, "name": names[t]})
            if job.options.with_frames:
                write_frame_images(job, t, target / "images" / names[t], frames_count)
            images += [{"id": next_image + i, "video_id": video_id, "frame_id": i,
                        "file_name": f"{names[t]}/{frame_stem(i, frames_count)}.jpg",
                        "width": int(round(width)), "height": int(round(height))}
                       for i in range(frames_count)]
            for item in items:
                boxes = item.shapes.only_visible()
                width, height = job.frame_size(item)
                left, top, w, h = bounding_box(*to_pixels(boxes.x, boxes.y, boxes.width,
                                                          boxes.height, width, height), boxes.rotation)
                if job.options.clip:
                    left, top, w, h = clip(left, top, w, h, width, height)
                n = len(boxes.frame)
                tiny += int(((w < 1) | (h < 1)).sum())
                annotation_parts.append(format_rows([
                    b'{"id":', (np.arange(next_annotation, next_annotation + n), 0),
                    b',"image_id":', (boxes.frame - 1 + next_image, 0),
                    b',"category_id":', (job.class_index(item, labels) + 1, 0),
                    b',"instance_id":', (next_instance, 0),
                    b',"bbox":[', (left, 3), b",", (top, 3), b",", (w, 3), b",", (h, 3),
                    b'],"area":', (w * h, 3), b',"iscrowd":0},',
                ], n))
                next_annotation += n
                next_instance += 1
            next_image += frames_count
        if tiny:
            job.warnings.add("annotations.json", f"{tiny} boxes are under 1 px wide or high; "
                                               "COCO-VID readers usually skip them")
        categories = [{"id": i, "name": label} for i, label in enumerate(labels, 1)]
        annotations = b"".join(annotation_parts).rstrip(b",")
        with open(target / "annotations.json", "wb") as out:
            out.write(b'{"videos":' + msgspec.json.encode(videos))
            out.write(b',"images":' + msgspec.json.encode(images))
            out.write(b',"annotations":[' + annotations + b"]")
            out.write(b',"categories":' + msgspec.json.encode(categories) + b"}")


class CocoVidImporter(Importer):
    """Each video a task, each instance_id a region whose keyframes are its boxes."""

    name = "coco-vid"
    description = "COCO-VID JSON; tracks kept by instance_id"

    def read(self, path: Path, options: ImportOptions) -> list[dict]:
        if path.is_dir():
            path = path / "annotations.json"
        try:
            text = path.read_bytes()
        except OSError as exc:
            raise InputError(Problem(str(path), f"cannot read: {exc.strerror}")) from None
        try:
            data = msgspec.json.decode(text, type=CocoVid)
        except msgspec.ValidationError as exc:
            problem = split_error(exc)
            raise InputError(Problem(f"{path}: {problem.where}", f"not COCO-VID: {problem.message}")) from None
        except (msgspec.DecodeError, RecursionError):
            decode_json(text, str(path))  # malformed or too deep: raises, naming line and column
            raise
        images = {image.id: image for image in data.images}
        categories = {c.id: c.name for c in data.categories}
        tracks: dict[tuple[int, int], list] = defaultdict(list)  # (video, instance): boxes
        for i, ann in enumerate(data.annotations):
            where = f"{path}: $.annotations[{i}]"
            image = images.get(ann.image_id)
            if image is None:
                raise InputError(Problem(where, f"image_id {ann.image_id} names no image"))
            if ann.category_id not in categories:
                raise InputError(Problem(where, f"category_id {ann.category_id} names no category"))
            if ann.bbox[2] < 0 or ann.bbox[3] < 0:
                raise InputError(Problem(where, "negative bbox width or height"))
            instance = ann.instance_id if ann.instance_id is not None else -ann.id
            tracks[image.video_id, instance].append((image, ann, where))
        frames_per_video = defaultdict(int)
        for j, image in enumerate(data.images):
            if image.frame_id >= MAX_FRAMES_COUNT:
                raise InputError(Problem(f"{path}: $.images[{j}].frame_id", f"frame_id {image.frame_id} "
                                         f"is past the {MAX_FRAMES_COUNT} frames a video may have"))
            frames_per_video[image.video_id] = max(frames_per_video[image.video_id], image.frame_id + 1)
        regions = defaultdict(list)
        for (_, instance), rows in tracks.items():
            rows.sort(key=lambda r: r[0].frame_id)
            image = rows[0][0]
            frames = np.array([r[0].frame_id + 1 for r in rows])
            for (before, _, _), (now, _, where) in zip(rows, rows[1:]):
                if before.frame_id == now.frame_id:
                    raise InputError(Problem(where, f"instance_id {instance} has a box on frame_id "
                                                    f"{now.frame_id} already"))
            bbox = np.array([r[1].bbox for r in rows], dtype=np.float64)
            regions[image.video_id].append(region_from_boxes(
                region_id=str(instance), label=categories[rows[0][1].category_id], frames=frames,
                x=bbox[:, 0], y=bbox[:, 1], width=bbox[:, 2], height=bbox[:, 3],
                rotation=np.zeros(len(rows)), frame_width=options.width or image.width,
                frame_height=options.height or image.height,
                frames_count=options.frames_count or frames_per_video[image.video_id],
                fps=options.fps, options=options, places=[r[2] for r in rows]))
        names = {video.id: video.name for video in data.videos}
        return [task_for(names.get(v, f"video-{v}"), regions[v], options)
                for v in sorted(set(names) | set(regions))]


class _Video(msgspec.Struct):
    id: int
    name: str = ""


class _Image(msgspec.Struct):
    id: int
    width: Annotated[float, Meta(ge=1, le=MAX_PIXELS)]
    height: Annotated[float, Meta(ge=1, le=MAX_PIXELS)]
    video_id: int = 1
    frame_id: Annotated[int, Meta(ge=0)] = 0


class _Annotation(msgspec.Struct):
    id: int
    image_id: int
    category_id: int
    bbox: tuple[float, float, float, float]
    instance_id: int | None = None


class _Category(msgspec.Struct):
    id: int
    name: str


class CocoVid(msgspec.Struct):
    images: list[_Image]
    annotations: list[_Annotation]
    categories: list[_Category]
    videos: list[_Video] = []


@hookimpl
def register_exporters(register):
    register(CocoVidExporter())


@hookimpl
def register_importers(register):
    register(CocoVidImporter())
