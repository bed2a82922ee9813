"""`coco-vid`: COCO-VID JSON (videos, one image per frame, instance ids), and its importer."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Annotated

import msgspec
import numpy as np
from msgspec import Meta

from tracklabel.core.errors import InputError, Problem
from tracklabel.core.export import ANY_KIND, Exporter, ExportJob, sequence_names
from tracklabel.core.geometry import clip
from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.importer import (Importer, ImportOptions, percent_points, region_from_boxes,
                                      region_from_keyframes, task_for)
from tracklabel.core.schema import MAX_FRAMES_COUNT, MAX_PIXELS, split_error
from tracklabel.core.tasks import decode_json
from tracklabel.core.textformat import format_rows
from tracklabel.plugins.exporters.yolo import frame_stem, write_frame_images
from tracklabel.plugins.tags.points import HIGH, LOW
from tracklabel.plugins.tags.videokeypoint import VideoKeyPoint
from tracklabel.plugins.tags.videopolygon import VideoPolygon
from tracklabel.plugins.tags.videorectangle import VideoRectangle


class CocoVidExporter(Exporter):
    """annotations.json in COCO-VID (mmtracking's CocoVID), also loadable as plain COCO;
    with --with-frames, images/<video>/<frame>.jpg as the file names say. Boxes are written
    as `bbox`, points as `keypoints` [x, y, 2], and every other shape with a closed outline
    (polygons, a plugin's own shapes) as a `segmentation` polygon with its bbox and area."""

    name = "coco-vid"
    description = "COCO-VID: videos, an image per frame (frame_id from 0), annotations with instance_id"
    single_file = False
    suffix = ".zip"
    media_type = "application/zip"

    def export(self, job: ExportJob, target: Path) -> None:
        labels = job.labels()
        names = sequence_names(job)
        videos, images, annotation_parts = [], [], []
        with_points: set[int] = set()  # categories with keypoints
        next_image, next_instance, next_annotation, tiny = 1, 1, 1, 0
        for video_id, (t, _, items) in enumerate(job.by_task(kinds=(ANY_KIND,)), 1):
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
                category = job.class_index(item, labels)
                if category is None:  # no label: left out
                    continue
                category += 1
                shapes = item.shapes.only_visible()
                width, height = job.frame_size(item)
                left, top, w, h = shapes.bbox(width, height)
                point = shapes.kind == "point"
                if point:
                    keypoints = (left, top)
                    with_points.add(category)
                if job.options.clip:
                    left, top, w, h = clip(left, top, w, h, width, height)
                n = len(shapes.frame)
                tiny += 0 if point else int(((w < 1) | (h < 1)).sum())
                ids = (np.arange(next_annotation, next_annotation + n), shapes.frame - 1 + next_image,
                       category, next_instance)
                if shapes.kind == "box":
                    annotation_parts.append(_box_rows(ids, (left, top, w, h), n))
                elif point:
                    annotation_parts.append(_point_rows(ids, (left, top, w, h), keypoints, n))
                else:
                    outlines = shapes.outline(width, height) if shapes.closed else None
                    annotation_parts.append(_outline_rows(ids, (left, top, w, h), shapes.area(width, height),
                                                          outlines))
                next_annotation += n
                next_instance += 1
            next_image += frames_count
        if tiny:
            job.warnings.add("annotations.json", f"{tiny} shapes are under 1 px wide or high; "
                                               "COCO-VID readers usually skip them")
        categories = [{"id": i, "name": label, **({"keypoints": ["point"], "skeleton": []}
                                                  if i in with_points else {})}
                      for i, label in enumerate(labels, 1)]
        annotations = b"".join(annotation_parts).rstrip(b",")
        with open(target / "annotations.json", "wb") as out:
            out.write(b'{"videos":' + msgspec.json.encode(videos))
            out.write(b',"images":' + msgspec.json.encode(images))
            out.write(b',"annotations":[' + annotations + b"]")
            out.write(b',"categories":' + msgspec.json.encode(categories) + b"}")


def _head(ids, bbox) -> list:
    """format_rows fields of an annotation's id, image, category, instance and bbox."""
    annotation_ids, image_ids, category, instance = ids
    left, top, w, h = bbox
    return [b'{"id":', (annotation_ids, 0), b',"image_id":', (image_ids, 0),
            b',"category_id":', (category, 0), b',"instance_id":', (instance, 0),
            b',"bbox":[', (left, 3), b",", (top, 3), b",", (w, 3), b",", (h, 3), b"]"]


def _box_rows(ids, bbox, n: int) -> bytes:
    _, _, w, h = bbox
    return format_rows(_head(ids, bbox) + [b',"area":', (w * h, 3), b',"iscrowd":0},'], n)


def _point_rows(ids, bbox, keypoints, n: int) -> bytes:
    x, y = keypoints
    return format_rows(_head(ids, bbox) + [b',"area":0,"keypoints":[', (x, 3), b",", (y, 3),
                                           b',2],"num_keypoints":1,"iscrowd":0},'], n)


def _outline_rows(ids, bbox, area, outlines) -> bytes:
    """Annotations with the shape's area and, when it has a closed outline, its polygon."""
    annotation_ids, image_ids, category, instance = ids
    rows = []
    for i, (annotation_id, image_id) in enumerate(zip(annotation_ids.tolist(), image_ids.tolist())):
        row = {"id": annotation_id, "image_id": image_id, "category_id": category,
               "instance_id": instance, "bbox": [round(float(v[i]), 3) for v in bbox],
               "area": round(float(area[i]), 3)}
        if outlines is not None:
            row["segmentation"] = [np.round(outlines[i], 3).ravel().tolist()]
        row["iscrowd"] = 0
        rows.append(_ENCODER.encode(row) + b",")
    return b"".join(rows)


_ENCODER = msgspec.json.Encoder()


class CocoVidImporter(Importer):
    """Each video a task, each instance_id a region whose keyframes are its annotations:
    boxes from `bbox`, polygons from `segmentation`, points from `keypoints`."""

    name = "coco-vid"
    description = "COCO-VID JSON (boxes, polygons, keypoints); tracks kept by instance_id"

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
        tracks: dict[tuple[int, int], list] = defaultdict(list)  # (video, instance): annotations
        for i, ann in enumerate(data.annotations):
            where = f"{path}: $.annotations[{i}]"
            image = images.get(ann.image_id)
            if image is None:
                raise InputError(Problem(where, f"image_id {ann.image_id} names no image"))
            if ann.category_id not in categories:
                raise InputError(Problem(where, f"category_id {ann.category_id} names no category"))
            kind = _kind(ann, where)
            if kind is None:
                continue  # a keypoint not labelled on this image
            instance = ann.instance_id if ann.instance_id is not None else -ann.id
            tracks[image.video_id, instance].append((image, ann, where, kind))
        frames_per_video = defaultdict(int)
        for j, image in enumerate(data.images):
            if image.frame_id >= MAX_FRAMES_COUNT:
                raise InputError(Problem(f"{path}: $.images[{j}].frame_id", f"frame_id {image.frame_id} "
                                         f"is past the {MAX_FRAMES_COUNT} frames a video may have"))
            frames_per_video[image.video_id] = max(frames_per_video[image.video_id], image.frame_id + 1)
        regions = defaultdict(list)
        for (_, instance), rows in tracks.items():
            rows.sort(key=lambda r: r[0].frame_id)
            for before, now in zip(rows, rows[1:]):
                if before[0].frame_id == now[0].frame_id:
                    raise InputError(Problem(now[2], f"instance_id {instance} has a shape on frame_id "
                                                     f"{now[0].frame_id} already"))
                if before[3] != now[3]:
                    raise InputError(Problem(now[2], f"instance_id {instance} is a {before[3]} track, "
                                                     f"and this annotation a {now[3]}"))
            image = rows[0][0]
            regions[image.video_id].append(_region(
                rows, str(instance), categories[rows[0][1].category_id], options,
                frame_width=options.width or image.width, frame_height=options.height or image.height,
                frames_count=options.frames_count or frames_per_video[image.video_id]))
        names = {video.id: video.name for video in data.videos}
        return [task_for(names.get(v, f"video-{v}"), regions[v], options)
                for v in sorted(set(names) | set(regions))]


def _kind(ann: "_Annotation", where: str) -> str | None:
    """What an annotation holds: "point", "polygon" or "box" (checked); None for a keypoint
    that is not labelled (visibility 0)."""
    if ann.keypoints is not None:
        if len(ann.keypoints) != 3:
            raise InputError(Problem(f"{where}.keypoints", f"{len(ann.keypoints) // 3} keypoints; a "
                                                           "point track holds one ([x, y, visibility])"))
        return "point" if ann.keypoints[2] else None
    if isinstance(ann.segmentation, list) and ann.segmentation:
        if len(ann.segmentation) != 1:
            raise InputError(Problem(f"{where}.segmentation", f"{len(ann.segmentation)} polygons; a "
                                                              "polygon track holds one per frame"))
        polygon = ann.segmentation[0]
        if len(polygon) < 6 or len(polygon) % 2:
            raise InputError(Problem(f"{where}.segmentation[0]", "a polygon is x, y pairs of at least "
                                                                 "3 points"))
        return "polygon"
    if ann.bbox is None:
        raise InputError(Problem(where, "no bbox, polygon segmentation or keypoints"))
    if ann.bbox[2] < 0 or ann.bbox[3] < 0:
        raise InputError(Problem(where, "negative bbox width or height"))
    return "box"


def _region(rows: list, region_id: str, label: str, options: ImportOptions, *, frame_width: float,
            frame_height: float, frames_count: int) -> dict:
    """One instance's region, of the tag its annotations' kind belongs to."""
    frames = np.array([r[0].frame_id + 1 for r in rows])
    kind, places = rows[0][3], [r[2] for r in rows]
    common = dict(region_id=region_id, label=label, frames=frames, frame_width=frame_width,
                  frame_height=frame_height, frames_count=frames_count, fps=options.fps,
                  options=options)
    if kind == "box":
        bbox = np.array([r[1].bbox for r in rows], dtype=np.float64)
        return region_from_boxes(region_type=VideoRectangle.region_type, x=bbox[:, 0], y=bbox[:, 1],
                                 width=bbox[:, 2], height=bbox[:, 3], rotation=np.zeros(len(rows)),
                                 places=places, **common)
    if kind == "polygon":
        shapes = [{"points": percent_points(r[1].segmentation[0], frame_width, frame_height,
                                            f"{where}.segmentation[0]", (LOW, HIGH))}
                  for r, where in zip(rows, places)]
        return region_from_keyframes(region_type=VideoPolygon.region_type, shapes=shapes,
                                     default_name="polygon", **common)
    shapes = []
    for r, where in zip(rows, places):
        (x, y), = percent_points(r[1].keypoints[:2], frame_width, frame_height, f"{where}.keypoints",
                                 (LOW, HIGH))
        shapes.append({"x": x, "y": y})
    return region_from_keyframes(region_type=VideoKeyPoint.region_type, shapes=shapes,
                                 default_name="point", **common)


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
    bbox: tuple[float, float, float, float] | None = None
    instance_id: int | None = None
    segmentation: list[list[float]] | dict | None = None  # polygons, or RLE (not read)
    keypoints: list[float] | None = None


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
