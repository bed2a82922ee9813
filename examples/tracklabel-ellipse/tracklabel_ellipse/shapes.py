"""Ellipse keyframes as Label Studio's image Ellipse writes them, their interpolation (centre
and radii as the region's interpolator moves things, rotation the shortest way round), and the
geometry exporters ask for."""

from __future__ import annotations

import dataclasses

import numpy as np

from tracklabel.core.interpolate import progress
from tracklabel.core.schema import Degrees, Keyframe, KeyframedValue, Percent, Size
from tracklabel.core.shapes import Shapes
from tracklabel.core.track import norm_angle

FIELDS = ("x", "y", "radiusX", "radiusY", "rotation")
OUTLINE_POINTS = 32


class EllipseKeyframe(Keyframe, kw_only=True):
    """The centre (x, y) in percent of the frame, radiusX in percent of its width, radiusY in
    percent of its height, rotation in degrees clockwise about the centre."""

    x: Percent
    y: Percent
    radiusX: Size
    radiusY: Size
    rotation: Degrees = 0


class VideoEllipseValue(KeyframedValue, kw_only=True):
    """The `value` of a videoellipse region: ellipse keyframes."""

    sequence: list[EllipseKeyframe]


@dataclasses.dataclass(frozen=True)
class Keys:
    """One region's keyframes as arrays: what lifespan() and the interpolation read."""

    frame: np.ndarray
    enabled: np.ndarray
    values: np.ndarray  # (n, 5), FIELDS in order

    def __len__(self) -> int:
        return len(self.frame)

    @classmethod
    def of(cls, sequence: list[EllipseKeyframe]) -> "Keys":
        """From keyframes normalised by tracklabel (sorted, one per frame, frame and enabled set)."""
        return cls(np.array([k.frame for k in sequence], dtype=np.int64),
                   np.array([k.enabled for k in sequence], dtype=bool),
                   np.array([[getattr(k, f) for f in FIELDS] for k in sequence],
                            dtype=np.float64).reshape(-1, len(FIELDS)))


@dataclasses.dataclass(frozen=True)
class Ellipses(Shapes):
    """Ellipses of one region at the requested frames, in percent of the frame."""

    kind = "ellipse"

    x: np.ndarray
    y: np.ndarray
    radiusX: np.ndarray
    radiusY: np.ndarray
    rotation: np.ndarray

    def pixels(self, width: float, height: float):
        """Centre, radii (pixels) and rotation (radians) per row."""
        return (self.x * (width / 100.0), self.y * (height / 100.0), self.radiusX * (width / 100.0),
                self.radiusY * (height / 100.0), np.radians(self.rotation))

    def bbox(self, width: float, height: float):
        cx, cy, rx, ry, turn = self.pixels(width, height)
        half_w = np.hypot(rx * np.cos(turn), ry * np.sin(turn))
        half_h = np.hypot(rx * np.sin(turn), ry * np.cos(turn))
        return cx - half_w, cy - half_h, 2 * half_w, 2 * half_h

    def area(self, width: float, height: float) -> np.ndarray:
        _, _, rx, ry, _ = self.pixels(width, height)
        return np.pi * rx * ry

    def outline(self, width: float, height: float) -> list[np.ndarray]:
        cx, cy, rx, ry, turn = (v[:, None] for v in self.pixels(width, height))
        t = np.linspace(0.0, 2 * np.pi, OUTLINE_POINTS, endpoint=False)
        along, across = rx * np.cos(t), ry * np.sin(t)
        xs = cx + along * np.cos(turn) - across * np.sin(turn)
        ys = cy + along * np.sin(turn) + across * np.cos(turn)
        return list(np.stack([xs, ys], axis=-1))


def interpolate(sequence: list[EllipseKeyframe], frames, interpolator) -> Ellipses:
    """The ellipses at these 1-based frames: tracklabel's lifespan rule, each keyframe exact
    on its own frame; between keyframes centre and radii go the fraction of the way the
    region's interpolator says (linear: in proportion), rotation the shortest way round."""
    keys = Keys.of(sequence)
    frames = np.asarray(frames, dtype=np.int64)
    idx, t, exact, visible = progress(interpolator, keys.frame, keys.enabled, frames)
    if not len(keys):
        nan = np.full(len(frames), np.nan)
        return Ellipses(frames, visible, exact, nan, nan, nan, nan, nan)
    start = np.maximum(idx, 0)
    end = np.minimum(start + 1, len(keys) - 1)
    a, b = keys.values[start], keys.values[end]
    x, y, rx, ry = (a[:, i] + (b[:, i] - a[:, i]) * t for i in range(4))
    turn = norm_angle(b[:, 4] - a[:, 4])
    rotation = np.where(t > 0, norm_angle(a[:, 4] + turn * t), a[:, 4])
    return Ellipses(frames, visible, exact, x, y, rx, ry, rotation)
