"""`cvat-video`: CVAT for video 1.1 XML (tracks of boxes, centre-pivot rotation), and its importer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from lxml import etree

from tracklabel.core.errors import InputError, Problem
from tracklabel.core.export import Exporter, ExportJob, TrackItem, sequence_names
from tracklabel.core.geometry import centre_pivot, to_pixels, top_left_pivot
from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.importer import Importer, ImportOptions, in_range, region_from_boxes, task_for
from tracklabel.core.schema import MAX_FRAMES_COUNT, MAX_PIXELS
from tracklabel.core.xmlsafe import parse_xml

_Z_ORDER = 2**31 - 1  # CVAT stores z_order as a 32-bit integer


def _num(value: float) -> str:
    return f"{value:.2f}"


class CvatVideoExporter(Exporter):
    """One task's tracks; every keyframe a `keyframe="1"` box, lifespan ends as outside boxes."""

    name = "cvat-video"
    description = "CVAT for video 1.1 XML (one task; --every-frame for CVAT to show exactly our boxes)"

    def export(self, job: ExportJob, target) -> None:
        tasks = list(job.by_task(kinds=("box",)))
        if len(tasks) != 1:
            raise InputError(Problem(job.tasks.source, f"CVAT for video holds one task; this file "
                                                       f"has {len(tasks)} with tracks"))
        t, task, items = tasks[0]
        labels = job.labels()
        width, height = job.frame_size(items[0])
        frames_count = int(items[0].shapes.frame[-1])
        root = etree.Element("annotations")
        etree.SubElement(root, "version").text = "1.1"
        root.append(meta(task, sequence_names(job)[t], frames_count, labels, width, height))
        items = sorted(items, key=lambda i: i.region.value.sequence[0].frame if i.region.value.sequence else 1 << 62)
        for track_id, item in enumerate(items):
            job.class_index(item, labels)  # the label must be known
            root.append(self.track(job, item, track_id))
        target.write(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))

    def track(self, job: ExportJob, item: TrackItem, track_id: int) -> etree._Element:
        element = etree.Element("track", id=str(track_id), label=item.label or "",
                                source=str(item.region.extra.get("source", "manual")))
        if "group_id" in item.region.extra:
            element.set("group_id", str(item.region.extra["group_id"]))
        boxes = item.shapes
        width, height = job.frame_size(item)
        x, y, w, h = to_pixels(boxes.x, boxes.y, boxes.width, boxes.height, width, height)
        xtl, ytl, xbr, ybr = centre_pivot(x, y, w, h, boxes.rotation)
        rotation = np.mod(boxes.rotation, 360.0)
        visible = boxes.visible
        written = visible if job.options.every_frame else boxes.keyframe
        ends = visible & ~np.append(visible[1:], True)  # visible here, hidden on the next frame
        stored = {k.frame: k.extra for k in item.region.value.sequence}
        for i in np.flatnonzero(written | ends).tolist():
            frame = int(boxes.frame[i])
            extra = stored.get(frame, {})
            for outside in ([0] if written[i] else []) + ([1] if ends[i] else []):
                # an outside box repeats the last visible one, with no flags of its own
                flags = {} if outside else extra
                box = etree.SubElement(element, "box", {
                    "frame": str(frame - 1 + outside), "keyframe": "1", "outside": str(outside),
                    "occluded": "1" if flags.get("occluded") else "0",
                    "xtl": _num(xtl[i]), "ytl": _num(ytl[i]), "xbr": _num(xbr[i]), "ybr": _num(ybr[i]),
                    "z_order": str(flags.get("z_order", 0)),
                })
                if round(rotation[i], 2) % 360:
                    box.set("rotation", _num(rotation[i]))
                for name, value in (flags.get("attributes") or {}).items():
                    etree.SubElement(box, "attribute", name=str(name)).text = str(value)
        return element


def meta(task, name: str, frames_count: int, labels: list[str], width, height) -> etree._Element:
    """<meta><task> as CVAT writes it for a video task."""
    meta_el = etree.Element("meta")
    task_el = etree.SubElement(meta_el, "task")
    for key, value in (("id", task.id if isinstance(task.id, int) else 0), ("name", name),
                       ("size", frames_count), ("mode", "interpolation"), ("overlap", 0),
                       ("start_frame", 0), ("stop_frame", frames_count - 1), ("frame_filter", "")):
        etree.SubElement(task_el, key).text = str(value)
    labels_el = etree.SubElement(task_el, "labels")
    for label in labels:
        label_el = etree.SubElement(labels_el, "label")
        etree.SubElement(label_el, "name").text = label
        etree.SubElement(label_el, "type").text = "rectangle"
        etree.SubElement(label_el, "attributes")
    size = etree.SubElement(task_el, "original_size")
    etree.SubElement(size, "width").text = str(int(round(width)))
    etree.SubElement(size, "height").text = str(int(round(height)))
    return meta_el


class CvatVideoImporter(Importer):
    """Keyframe boxes only (as CVAT's own importer); outside boxes end lifespans."""

    name = "cvat-video"
    description = "CVAT for video 1.1 XML; keyframes become keyframes, outside ends a lifespan"

    def read(self, path: Path, options: ImportOptions) -> list[dict]:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(Problem(str(path), f"cannot read: {exc.strerror}")) from None
        root = parse_xml(data, str(path))
        if root.tag != "annotations":
            raise InputError(Problem(f"{path}:{root.sourceline}", f"expected <annotations>, not <{root.tag}>"))
        task = root.find("meta/task")
        where = f"{path}:{(task if task is not None else root).sourceline}"
        width = options.width or _number(task, "original_size/width", path, 1, MAX_PIXELS)
        height = options.height or _number(task, "original_size/height", path, 1, MAX_PIXELS)
        if not (width and height):
            raise InputError(Problem(where, "no <original_size>: pass --width and --height"))
        frames_count = options.frames_count or _number(task, "size", path, 1, MAX_FRAMES_COUNT, whole=True)
        if not frames_count:
            raise InputError(Problem(where, "no <size>: pass --frames-count"))
        name = (task.findtext("name") if task is not None else None) or path.stem
        regions = [self.region(track, path, int(frames_count), width, height, options)
                   for track in root.iter("track")]
        return [task_for(name, [r for r in regions if r is not None], options)]

    def region(self, track, path: Path, frames_count: int, width, height, options) -> dict | None:
        rows = []
        for box in track.iter("box"):
            if box.get("keyframe", "1") != "1":
                continue
            where = f"{path}:{box.sourceline}"
            try:
                values = [float(box.get(k)) for k in ("xtl", "ytl", "xbr", "ybr")]
                frame = int(box.get("frame"))
                rotation = float(box.get("rotation", 0))
            except (TypeError, ValueError):
                raise InputError(Problem(where, "<box> needs numeric frame, xtl, ytl, xbr, ybr")) from None
            if not 0 <= frame < frames_count:
                raise InputError(Problem(where, f"frame {frame} is outside 0..{frames_count - 1}"))
            if not np.isfinite([*values, rotation]).all():
                raise InputError(Problem(where, "<box> xtl, ytl, xbr, ybr and rotation must be finite"))
            if values[2] < values[0] or values[3] < values[1]:
                raise InputError(Problem(where, "xbr < xtl or ybr < ytl"))
            extra = {}
            if box.get("occluded") == "1":
                extra["occluded"] = True
            if box.get("z_order", "0") != "0":
                extra["z_order"] = in_range(box.get("z_order"), "z_order", where, -_Z_ORDER, _Z_ORDER, whole=True)
            attributes = {}
            for attribute in box.iter("attribute"):
                if not attribute.get("name"):
                    raise InputError(Problem(f"{path}:{attribute.sourceline}", "<attribute> needs a name"))
                attributes[attribute.get("name")] = attribute.text or ""
            if attributes:
                extra["attributes"] = attributes
            rows.append((frame, box.get("outside") == "1", values, rotation, extra, where))
        rows.sort(key=lambda r: r[0])
        frames, boxes, enabled, extras, places = [], [], [], [], []
        for frame, outside, values, rotation, extra, where in rows:
            if frames and frames[-1] == frame + 1 and not outside:
                raise InputError(Problem(where, f"two keyframes on frame {frame}"))
            if outside:
                if frames and enabled[-1]:
                    last = frames[-1]  # 1-based; the object is last visible on frame `frame` (1-based)
                    if last < frame:  # CVAT moves towards the outside box until it hides
                        r = (frame - last) / (frame + 1 - last)
                        start = boxes[-1]
                        boxes.append(tuple(a + (b - a) * r for a, b in zip(start, (*values, rotation))))
                        frames.append(frame)
                        extras.append(extras[-1])
                        enabled.append(True)
                        places.append(where)
                    enabled[-1] = False
                continue
            frames.append(frame + 1)
            boxes.append((*values, rotation))
            enabled.append(True)
            extras.append(extra)
            places.append(where)
        if not frames:
            return None
        xtl, ytl, xbr, ybr, rotation = (np.array(c) for c in zip(*boxes))
        x, y, w, h = top_left_pivot(xtl, ytl, xbr, ybr, rotation)
        region = region_from_boxes(
            region_id=track.get("id", ""), label=track.get("label"), frames=np.array(frames),
            x=x, y=y, width=w, height=h, rotation=rotation, frame_width=width,
            frame_height=height, frames_count=frames_count, fps=options.fps, options=options,
            extras=extras, places=places)
        for key, on in zip(region["value"]["sequence"], enabled):
            key["enabled"] = on
        for key in ("source", "group_id"):
            if track.get(key) is not None and (key, track.get(key)) != ("source", "manual"):
                region[key] = track.get(key)
        return region


def _number(task, path: str, source: Path, low: float, high: float, *, whole: bool = False):
    """The number in <meta><task>'s element at `path`, checked against low..high; None when
    the element is missing or empty."""
    element = task.find(path) if task is not None else None
    if element is None or not (element.text or "").strip():
        return None
    return in_range(element.text.strip(), f"<{path}>", f"{source}:{element.sourceline}", low, high,
                    whole=whole)


@hookimpl
def register_exporters(register):
    register(CvatVideoExporter())


@hookimpl
def register_importers(register):
    register(CvatVideoImporter())
