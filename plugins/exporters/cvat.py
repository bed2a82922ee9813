"""`cvat-video`: CVAT for video 1.1 XML (tracks of boxes with centre-pivot rotation, polygons,
points, and other outlines as polygons or polylines), and its importer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from lxml import etree

from tracklabel.core.errors import InputError, Problem
from tracklabel.core.export import ANY_KIND, Exporter, ExportJob, TrackItem, sequence_names
from tracklabel.core.geometry import to_pixels
from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.importer import (Importer, ImportOptions, in_range, percent_points,
                                      region_from_boxes, region_from_keyframes, task_for)
from tracklabel.core.options import Option
from tracklabel.core.schema import MAX_FRAMES_COUNT, MAX_PIXELS
from tracklabel.core.xmlsafe import parse_xml
from tracklabel.plugins.tags.points import HIGH, LOW
from tracklabel.plugins.tags.videokeypoint import VideoKeyPoint
from tracklabel.plugins.tags.videopolygon import VideoPolygon
from tracklabel.plugins.tags.videorectangle import VideoRectangle

_Z_ORDER = 2**31 - 1  # CVAT stores z_order as a 32-bit integer
LABEL_TYPES = {"box": "rectangle", "polygon": "polygon", "points": "points", "polyline": "polyline"}
EVERY_FRAME = Option("every_frame", bool, False, "Write every visible frame as a keyframe (CVAT then "
                                                 "shows exactly our shapes, whatever it interpolates).")


def _num(value: float) -> str:
    return f"{value:.2f}"


def centre_pivot(x, y, width, height, rotation):
    """Top-left pivot to CVAT's: the unrotated box (xtl, ytl, xbr, ybr) about the same centre."""
    t = np.radians(rotation)
    cx = x + (width * np.cos(t) - height * np.sin(t)) / 2
    cy = y + (width * np.sin(t) + height * np.cos(t)) / 2
    return cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2


def top_left_pivot(xtl, ytl, xbr, ybr, rotation):
    """CVAT's centre pivot back to (x, y, width, height) about the rotated top-left corner."""
    width, height = xbr - xtl, ybr - ytl
    cx, cy = (xtl + xbr) / 2, (ytl + ybr) / 2
    t = np.radians(rotation)
    x = cx - (width * np.cos(t) - height * np.sin(t)) / 2
    y = cy - (width * np.sin(t) + height * np.cos(t)) / 2
    return x, y, width, height


def element_of(shapes) -> str | None:
    """The CVAT shape a kind of shapes is written as (None: it has no outline to write)."""
    if shapes.kind == "box":
        return "box"
    if shapes.kind == "point":
        return "points"
    if shapes.take([0]).outline(1.0, 1.0) is None:
        return None
    return "polygon" if shapes.closed else "polyline"


class CvatVideoExporter(Exporter):
    """One task's tracks; every keyframe a `keyframe="1"` shape, lifespan ends as outside
    shapes on the frame after."""

    name = "cvat-video"
    description = "CVAT for video 1.1 XML (one task; boxes, polygons, points; --every-frame for CVAT to show exactly ours)"
    suffix = ".xml"
    media_type = "application/xml"
    options = (EVERY_FRAME,)

    def export(self, job: ExportJob, target) -> None:
        tasks = list(job.by_task(kinds=(ANY_KIND,)))
        if len(tasks) != 1:
            raise InputError(Problem(job.tasks.source, f"CVAT for video holds one task; this file "
                                                       f"has {len(tasks)} with tracks"))
        t, task, items = tasks[0]
        labels = job.labels()
        width, height = job.frame_size(items[0])
        frames_count = int(items[0].shapes.frame[-1])
        kept = []
        for item in items:
            if job.class_index(item, labels) is None:  # no label: left out (an unknown one raises)
                continue
            if element_of(item.shapes) is None:
                job.leave_out(item.region, item.location, "holds boxes, points and outlines, "
                                                          f"and {item.shapes.kind or 'these'} shapes have none")
            else:
                kept.append(item)
        items = sorted(kept, key=lambda i: i.region.value.sequence[0].frame if i.region.value.sequence else 1 << 62)
        types: dict[str, set] = {label: set() for label in labels}
        for item in items:
            types[item.label].add(LABEL_TYPES[element_of(item.shapes)])
        root = etree.Element("annotations")
        etree.SubElement(root, "version").text = "1.1"
        root.append(meta(task, sequence_names(job)[t], frames_count, types, width, height))
        for track_id, item in enumerate(items):
            root.append(self.track(job, item, track_id))
        target.write(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))

    def track(self, job: ExportJob, item: TrackItem, track_id: int) -> etree._Element:
        element = etree.Element("track", id=str(track_id), label=item.label or "",
                                source=str(item.region.extra.get("source", "manual")))
        if "group_id" in item.region.extra:
            element.set("group_id", str(item.region.extra["group_id"]))
        shapes = item.shapes
        width, height = job.frame_size(item)
        kind = element_of(shapes)
        geometry = _box_attributes(shapes, width, height) if kind == "box" else \
            _points_attributes(shapes, width, height)
        visible = shapes.visible
        written = visible if job.option("every_frame") else shapes.keyframe
        ends = visible & ~np.append(visible[1:], True)  # visible here, hidden on the next frame
        stored = {k.frame: k.extra for k in item.region.value.sequence}
        for i in np.flatnonzero(written | ends).tolist():
            frame = int(shapes.frame[i])
            extra = stored.get(frame, {})
            for outside in ([0] if written[i] else []) + ([1] if ends[i] else []):
                # an outside shape repeats the last visible one, with no flags of its own
                flags = {} if outside else extra
                place = geometry(i)
                rotation = place.pop("rotation", None)  # after z_order, as CVAT writes it
                shape = etree.SubElement(element, kind, {
                    "frame": str(frame - 1 + outside), "keyframe": "1", "outside": str(outside),
                    "occluded": "1" if flags.get("occluded") else "0", **place,
                    "z_order": str(flags.get("z_order", 0)),
                })
                if rotation is not None:
                    shape.set("rotation", rotation)
                for name, value in (flags.get("attributes") or {}).items():
                    etree.SubElement(shape, "attribute", name=str(name)).text = str(value)
        return element


def _box_attributes(boxes, width: float, height: float):
    """Row → a <box>'s xtl, ytl, xbr, ybr (and rotation, when turned), centre pivot."""
    x, y, w, h = to_pixels(boxes.x, boxes.y, boxes.width, boxes.height, width, height)
    xtl, ytl, xbr, ybr = centre_pivot(x, y, w, h, boxes.rotation)
    rotation = np.mod(boxes.rotation, 360.0)

    def attributes(i: int) -> dict:
        out = {"xtl": _num(xtl[i]), "ytl": _num(ytl[i]), "xbr": _num(xbr[i]), "ybr": _num(ybr[i])}
        if round(rotation[i], 2) % 360:
            out["rotation"] = _num(rotation[i])
        return out
    return attributes


def _points_attributes(shapes, width: float, height: float):
    """Row → `points="x1,y1;x2,y2;..."` of its outline in pixels."""
    outlines = shapes.outline(width, height)
    return lambda i: {"points": ";".join(f"{_num(x)},{_num(y)}" for x, y in outlines[i].tolist())}


def meta(task, name: str, frames_count: int, types: dict[str, set], width, height) -> etree._Element:
    """<meta><task> as CVAT writes it for a video task; each label's type is the one shape
    its tracks have ("any" for none or several)."""
    meta_el = etree.Element("meta")
    task_el = etree.SubElement(meta_el, "task")
    for key, value in (("id", task.id if isinstance(task.id, int) else 0), ("name", name),
                       ("size", frames_count), ("mode", "interpolation"), ("overlap", 0),
                       ("start_frame", 0), ("stop_frame", frames_count - 1), ("frame_filter", "")):
        etree.SubElement(task_el, key).text = str(value)
    labels_el = etree.SubElement(task_el, "labels")
    for label, kinds in types.items():
        label_el = etree.SubElement(labels_el, "label")
        etree.SubElement(label_el, "name").text = label
        etree.SubElement(label_el, "type").text = next(iter(kinds)) if len(kinds) == 1 else "any"
        etree.SubElement(label_el, "attributes")
    size = etree.SubElement(task_el, "original_size")
    etree.SubElement(size, "width").text = str(int(round(width)))
    etree.SubElement(size, "height").text = str(int(round(height)))
    return meta_el


SHAPES = ("box", "polygon", "points")  # what the importer reads; other shapes are skipped


class CvatVideoImporter(Importer):
    """Keyframe shapes only (as CVAT's own importer): box, polygon and points tracks; outside
    shapes end lifespans."""

    name = "cvat-video"
    description = "CVAT for video 1.1 XML (box, polygon, points tracks); keyframes become keyframes, outside ends a lifespan"

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
        rows, kind = [], None
        for shape in track:
            if shape.tag not in SHAPES or shape.get("keyframe", "1") != "1":
                continue
            where = f"{path}:{shape.sourceline}"
            if kind not in (None, shape.tag):
                raise InputError(Problem(where, f"<{shape.tag}> in a track of <{kind}>"))
            kind = shape.tag
            frame, values = _shape_values(shape, where, frames_count)
            rows.append((frame, shape.get("outside") == "1", values, _extra(shape, path, where), where))
        rows.sort(key=lambda r: r[0])
        frames, shapes, enabled, extras, places = [], [], [], [], []
        for frame, outside, values, extra, where in rows:
            if frames and frames[-1] == frame + 1 and not outside:
                raise InputError(Problem(where, f"two keyframes on frame {frame}"))
            if outside:
                if frames and enabled[-1]:
                    last = frames[-1]  # 1-based; the object is last visible on frame `frame` (1-based)
                    if last < frame:  # CVAT moves towards the outside shape until it hides
                        r = (frame - last) / (frame + 1 - last)
                        start = shapes[-1]
                        shapes.append(start + (values - start) * r if values.shape == start.shape else start)
                        frames.append(frame)
                        extras.append(extras[-1])
                        enabled.append(True)
                        places.append(where)
                    enabled[-1] = False
                continue
            frames.append(frame + 1)
            shapes.append(values)
            enabled.append(True)
            extras.append(extra)
            places.append(where)
        if not frames:
            return None
        common = dict(region_id=track.get("id", ""), label=track.get("label"), frames=np.array(frames),
                      frame_width=width, frame_height=height, frames_count=frames_count,
                      fps=options.fps, options=options, extras=extras)
        if kind == "box":
            xtl, ytl, xbr, ybr, rotation = np.array(shapes).T
            x, y, w, h = top_left_pivot(xtl, ytl, xbr, ybr, rotation)
            region = region_from_boxes(region_type=VideoRectangle.region_type, x=x, y=y, width=w,
                                       height=h, rotation=rotation, places=places, **common)
        elif kind == "polygon":
            keys = [{"points": percent_points(v, width, height, where, (LOW, HIGH))}
                    for v, where in zip(shapes, places)]
            region = region_from_keyframes(region_type=VideoPolygon.region_type, shapes=keys,
                                           default_name="polygon", **common)
        else:
            keys = [dict(zip("xy", percent_points(v, width, height, where, (LOW, HIGH))[0]))
                    for v, where in zip(shapes, places)]
            region = region_from_keyframes(region_type=VideoKeyPoint.region_type, shapes=keys,
                                           default_name="point", **common)
        for key, on in zip(region["value"]["sequence"], enabled):
            key["enabled"] = on
        for key in ("source", "group_id"):
            if track.get(key) is not None and (key, track.get(key)) != ("source", "manual"):
                region[key] = track.get(key)
        return region


def _shape_values(shape, where: str, frames_count: int) -> tuple[int, np.ndarray]:
    """A shape's 0-based frame and its numbers: a box's xtl, ytl, xbr, ybr, rotation; a
    polygon's or point's points as a (k, 2) array in pixels."""
    try:
        frame = int(shape.get("frame"))
        if shape.tag == "box":
            values = np.array([float(shape.get(k)) for k in ("xtl", "ytl", "xbr", "ybr")]
                              + [float(shape.get("rotation", 0))])
        else:
            values = np.array([[float(v) for v in pair.split(",")] for pair in shape.get("points").split(";")])
    except (TypeError, ValueError, AttributeError):
        needs = "xtl, ytl, xbr, ybr" if shape.tag == "box" else 'points "x1,y1;x2,y2;..."'
        raise InputError(Problem(where, f"<{shape.tag}> needs numeric frame, {needs}")) from None
    if not 0 <= frame < frames_count:
        raise InputError(Problem(where, f"frame {frame} is outside 0..{frames_count - 1}"))
    if not np.isfinite(values).all():
        what = "xtl, ytl, xbr, ybr and rotation" if shape.tag == "box" else "points"
        raise InputError(Problem(where, f"<{shape.tag}> {what} must be finite"))
    if shape.tag == "box":
        if values[2] < values[0] or values[3] < values[1]:
            raise InputError(Problem(where, "xbr < xtl or ybr < ytl"))
    elif values.ndim != 2 or values.shape[1] != 2:
        raise InputError(Problem(where, f'<{shape.tag}> points are "x,y" pairs joined by ";"'))
    elif shape.tag == "polygon" and len(values) < 3:
        raise InputError(Problem(where, f"<polygon> has {len(values)} points; a polygon has at least 3"))
    elif shape.tag == "points" and len(values) != 1:
        raise InputError(Problem(where, f"<points> has {len(values)} points; a point track holds one"))
    return frame, values


def _extra(shape, path: Path, where: str) -> dict:
    """A shape's occluded flag, z_order and attributes, as keyframe fields."""
    extra = {}
    if shape.get("occluded") == "1":
        extra["occluded"] = True
    if shape.get("z_order", "0") != "0":
        extra["z_order"] = in_range(shape.get("z_order"), "z_order", where, -_Z_ORDER, _Z_ORDER, whole=True)
    attributes = {}
    for attribute in shape.iter("attribute"):
        if not attribute.get("name"):
            raise InputError(Problem(f"{path}:{attribute.sourceline}", "<attribute> needs a name"))
        attributes[attribute.get("name")] = attribute.text or ""
    if attributes:
        extra["attributes"] = attributes
    return extra


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
