"""<VideoPolygon>: closed polygons keyed on frames of a <Video>; regions of type `videopolygon`.

Between two keyframes with the same number of points each point moves from its place on the
first to its place on the second. With different numbers both outlines are resampled at the
union of their vertices' positions along the outline (arc length from the first point, both
outlines turning the same way), so both have the same count and each still traces its own
outline; the points then move as above. A keyframe's frame always shows its points as stored.

How far the points have moved at a frame comes from the region's interpolator
(tracklabel.core.interpolate.progress): `linear` moves points linearly, `step` holds each
keyframe, and an easing plugin eases them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import numpy as np
from msgspec import Meta

from tracklabel.core.errors import Problem
from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.interpolate import progress
from tracklabel.core.schema import Keyframe, KeyframedValue
from tracklabel.core.shapes import Shapes
from tracklabel.core.tags import Attr, Tag

from .points import Point, clip_coordinates, keyframe_arrays
from .video_controls import SHAPE_ATTRIBUTES, check_interpolation, check_targets

MODULE = Path(__file__).with_suffix(".js")
MIN_POINTS = 3
_NO_POINTS = np.empty((0, 2))
_NO_POINTS.flags.writeable = False


class PolygonKeyframe(Keyframe, kw_only=True):
    """A keyframe whose shape is a polygon: its points [x, y] in percent of the frame."""

    points: Annotated[list[Point], Meta(min_length=MIN_POINTS)]


class VideoPolygonValue(KeyframedValue, kw_only=True):
    """The `value` of a videopolygon region: polygon keyframes of a closed outline."""

    sequence: list[PolygonKeyframe]
    closed: bool = True


@dataclasses.dataclass(frozen=True)
class Polygons(Shapes):
    """Polygons of one region at the requested frames: per row a (k, 2) array of points in
    percent of the frame (k may change from row to row)."""

    kind = "polygon"
    closed = True

    points: list[np.ndarray]

    def _flat(self, width: float, height: float):
        """Every row's points in pixels, one after another, and where each row starts."""
        counts = np.fromiter((len(p) for p in self.points), np.int64, len(self.points))
        flat = np.concatenate([*self.points, _NO_POINTS]) * [width / 100.0, height / 100.0]
        return flat, counts, np.concatenate(([0], np.cumsum(counts)[:-1]))

    def bbox(self, width: float, height: float):
        flat, counts, starts = self._flat(width, height)
        filled = counts > 0
        low = np.full((len(counts), 2), np.nan)
        high = np.full((len(counts), 2), np.nan)
        if filled.any():
            low[filled] = np.minimum.reduceat(flat, starts[filled])
            high[filled] = np.maximum.reduceat(flat, starts[filled])
        return low[:, 0], low[:, 1], high[:, 0] - low[:, 0], high[:, 1] - low[:, 1]

    def area(self, width: float, height: float) -> np.ndarray:
        """The shoelace area in square pixels (0 where a row has no points)."""
        flat, counts, starts = self._flat(width, height)
        row = np.repeat(np.arange(len(counts)), counts)
        following = np.arange(len(flat)) + 1
        last = starts + counts - 1
        following[last[counts > 0]] = starts[counts > 0]  # each outline closes on its first point
        cross = flat[:, 0] * flat[following, 1] - flat[following, 0] * flat[:, 1]
        return np.abs(np.bincount(row, cross, minlength=len(counts))) / 2.0

    def outline(self, width: float, height: float) -> list[np.ndarray]:
        scale = np.array([width / 100.0, height / 100.0])
        return [p * scale for p in self.points]


def polygons(keyframes: list[PolygonKeyframe], frames: np.ndarray, interpolator) -> Polygons:
    """The polygons at these 1-based frames from normalised keyframes (module docstring)."""
    frames = np.asarray(frames, dtype=np.int64)
    idx, fraction, exact, visible = progress(interpolator, *keyframe_arrays(keyframes), frames)
    if not keyframes:
        return Polygons(frames, visible, exact, [_NO_POINTS] * len(frames))
    at = np.maximum(idx, 0)
    stored = [_frozen(k.points) for k in keyframes]
    points = [stored[s] for s in at.tolist()]
    moving = np.flatnonzero(fraction != 0)
    if len(moving):
        moving = moving[np.argsort(at[moving], kind="stable")]
        segments, starts = np.unique(at[moving], return_index=True)
        for s, rows in zip(segments.tolist(), np.split(moving, starts[1:])):
            first, second = matched(stored[s], stored[min(s + 1, len(stored) - 1)])
            shapes = first + (second - first) * fraction[rows, None, None]
            for row, shape in zip(rows.tolist(), shapes):
                points[row] = shape
    return Polygons(frames, visible, exact, points)


def matched(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two outlines with the same number of points: as they are when they have, else both
    resampled at every position along the outline where either has a vertex."""
    if len(first) == len(second):
        return first, second
    if _signed_area(first) * _signed_area(second) < 0:
        second = np.concatenate([second[:1], second[:0:-1]])  # turn the same way, same first point
    at = merged_positions(outline_positions(first), outline_positions(second))
    return resample(first, at), resample(second, at)


def merged_positions(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Every position either outline has a vertex at, in order; a position where one outline
    has several vertices (points repeated) as many times as the outline with more there."""
    values = np.union1d(first, second)
    counts = [np.unique(p, return_counts=True) for p in (first, second)]
    times = np.zeros((2, len(values)), dtype=np.int64)
    for row, (at, count) in enumerate(counts):
        times[row, np.searchsorted(values, at)] = count
    return np.repeat(values, times.max(axis=0))


def outline_positions(points: np.ndarray) -> np.ndarray:
    """Each vertex's distance along the closed outline from the first, as a fraction of its
    length (evenly spaced when the outline has no length)."""
    edges = np.roll(points, -1, axis=0) - points
    lengths = np.hypot(edges[:, 0], edges[:, 1])
    total = lengths.sum()
    if not total > 0:
        return np.arange(len(points)) / len(points)
    return np.concatenate(([0.0], np.cumsum(lengths[:-1]) / total))


def resample(points: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The points on the closed outline at these sorted fractions of its length (0 <= at < 1),
    which hold every vertex's own position (as often as vertices share it): there, the
    vertices themselves, exactly and in order."""
    where = outline_positions(points)
    ring = np.vstack([points, points[:1]])
    ends = np.append(where, 1.0)
    out = np.stack([np.interp(at, ends, ring[:, 0]), np.interp(at, ends, ring[:, 1])], axis=-1)
    repeat = np.arange(len(where)) - np.searchsorted(where, where)  # vertices before at the same place
    out[np.searchsorted(at, where) + repeat] = points
    return out


def _signed_area(points: np.ndarray) -> float:
    following = np.roll(points, -1, axis=0)
    return float(np.sum(points[:, 0] * following[:, 1] - following[:, 0] * points[:, 1]))


def _frozen(points) -> np.ndarray:
    array = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    array.flags.writeable = False
    return array


class VideoPolygon(Tag):
    """Polygons keyed on frames of a <Video>; regions of type `videopolygon`."""

    name = "VideoPolygon"
    kind = "control"
    module = MODULE
    attributes = {
        **SHAPE_ATTRIBUTES,
        "pointSize": Attr(str, "small", choices=("small", "medium", "large")),
        "pointStyle": Attr(str, "rectangle", choices=("rectangle", "circle")),
    }
    region_type = "videopolygon"
    region_struct = VideoPolygonValue
    keyframed = True
    trackable = True

    def check(self, node, config):
        yield from check_targets(node, config)
        yield from check_interpolation(node, config, moves_boxes=False)

    def check_value(self, value, path, frames_count):
        if value.closed is not True:
            yield Problem(f"{path}.closed", "a polygon's outline is closed: `closed` must be true")

    def shapes(self, value, frames, interpolator, video=None) -> Polygons:
        return polygons(value.sequence, frames, interpolator)

    def track_box(self, shapes: Polygons, width, height):
        """The polygon's bounding box cut to the frame (the tracker sees only the frame)."""
        left, top, w, h = (float(v[0]) for v in shapes.bbox(100.0, 100.0))
        right, bottom = min(left + w, 100.0), min(top + h, 100.0)
        left, top = max(left, 0.0), max(top, 0.0)
        return left, top, max(right - left, 0.0), max(bottom - top, 0.0)

    def tracked_keyframe(self, start, start_box, box):
        """The start's points scaled and moved as the box was."""
        x0, y0, w0, h0 = start_box
        x1, y1, w1, h1 = box
        points = np.asarray(start["points"], dtype=np.float64)
        scale = np.array([w1 / w0 if w0 else 1.0, h1 / h0 if h0 else 1.0])
        moved = clip_coordinates(np.array([x1, y1]) + (points - [x0, y0]) * scale)
        return {"points": moved.tolist()}


@hookimpl
def register_tags(register):
    register(VideoPolygon())
