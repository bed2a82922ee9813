"""<VideoKeyPoint>: one point per region keyed on frames of a <Video>; regions of type
`videokeypoint`. The region's interpolator moves the point as a zero-size box, so `linear`
moves it linearly between keyframes and `step` holds each keyframe."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.schema import Keyframe, KeyframedValue
from tracklabel.core.shapes import Shapes
from tracklabel.core.tags import Tag

from .points import Coordinate, clip_coordinates, keyframe_arrays, point_track
from .video_controls import SHAPE_ATTRIBUTES, check_interpolation, check_targets

MODULE = Path(__file__).with_suffix(".js")
PATCH_PX = 24  # the smallest side of the patch a tracker follows around a point
PATCH_SHARE = 0.05  # ... or this share of the frame's shorter side, when larger


class KeyPointKeyframe(Keyframe, kw_only=True):
    """A keyframe whose shape is one point, in percent of the frame."""

    x: Coordinate
    y: Coordinate


class VideoKeyPointValue(KeyframedValue, kw_only=True):
    """The `value` of a videokeypoint region: point keyframes."""

    sequence: list[KeyPointKeyframe]


@dataclasses.dataclass(frozen=True)
class KeyPoints(Shapes):
    """One region's point at the requested frames, in percent of the frame."""

    kind = "point"
    closed = False

    x: np.ndarray
    y: np.ndarray

    def bbox(self, width: float, height: float):
        zero = np.zeros(len(self.x))
        return self.x * (width / 100.0), self.y * (height / 100.0), zero, zero

    def area(self, width: float, height: float) -> np.ndarray:
        return np.zeros(len(self.x))

    def outline(self, width: float, height: float) -> list[np.ndarray]:
        return list(np.stack([self.x * (width / 100.0), self.y * (height / 100.0)], axis=-1)[:, None, :])


class VideoKeyPoint(Tag):
    """Points keyed on frames of a <Video>; regions of type `videokeypoint`."""

    name = "VideoKeyPoint"
    kind = "control"
    module = MODULE
    attributes = SHAPE_ATTRIBUTES
    region_type = "videokeypoint"
    region_struct = VideoKeyPointValue
    keyframed = True
    trackable = True

    def check(self, node, config):
        yield from check_targets(node, config)
        yield from check_interpolation(node, config, moves_boxes=False)

    def shapes(self, value, frames, interpolator, video=None) -> KeyPoints:
        keyframes = value.sequence
        frame, enabled = keyframe_arrays(keyframes)
        x = np.fromiter((k.x for k in keyframes), np.float64, len(keyframes))
        y = np.fromiter((k.y for k in keyframes), np.float64, len(keyframes))
        boxes = interpolator.boxes(point_track(frame, enabled, x, y), frames)
        return KeyPoints(boxes.frame, boxes.visible, boxes.keyframe, boxes.x, boxes.y)

    def track_box(self, shapes: KeyPoints, width, height):
        """A square patch around the point (trackers need texture), moved inside the frame."""
        side = max(PATCH_PX, PATCH_SHARE * min(width, height))
        w, h = min(100.0, 100.0 * side / width), min(100.0, 100.0 * side / height)
        left = min(max(float(shapes.x[0]) - w / 2, 0.0), 100.0 - w)
        top = min(max(float(shapes.y[0]) - h / 2, 0.0), 100.0 - h)
        return left, top, w, h

    def tracked_keyframe(self, start, start_box, box):
        """The point moved as the patch's centre moved."""
        dx = (box[0] + box[2] / 2) - (start_box[0] + start_box[2] / 2)
        dy = (box[1] + box[3] / 2) - (start_box[1] + start_box[3] / 2)
        x, y = clip_coordinates([start["x"] + dx, start["y"] + dy]).tolist()
        return {"x": x, "y": y}


@hookimpl
def register_tags(register):
    register(VideoKeyPoint())
