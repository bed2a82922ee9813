"""Box tracks as numpy arrays (what interpolators and trackers work on), and the keyframe and
lifespan rules of docs/frames.md that every keyframed tag shares."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from msgspec import UNSET

from .errors import Problem, Warnings
from .geometry import bounding_box, corners, to_pixels
from .schema import MAX_FRAME, BoxKeyframe, Keyframe
from .shapes import Shapes

FIELDS = ("x", "y", "width", "height", "rotation")


@dataclass(frozen=True)
class Track:
    """Box keyframes of one region, sorted by frame with one keyframe per frame, as arrays."""

    frame: np.ndarray  # int64, 1-based, strictly increasing
    x: np.ndarray
    y: np.ndarray
    width: np.ndarray
    height: np.ndarray
    rotation: np.ndarray  # degrees as stored
    enabled: np.ndarray  # bool

    def __len__(self) -> int:
        return len(self.frame)

    @classmethod
    def from_keyframes(cls, keyframes: list[BoxKeyframe]) -> "Track":
        """Arrays from keyframes already normalised (sorted, unique, frame and enabled set)."""
        return cls(
            frame=np.fromiter((k.frame for k in keyframes), np.int64, len(keyframes)),
            x=np.fromiter((k.x for k in keyframes), np.float64, len(keyframes)),
            y=np.fromiter((k.y for k in keyframes), np.float64, len(keyframes)),
            width=np.fromiter((k.width for k in keyframes), np.float64, len(keyframes)),
            height=np.fromiter((k.height for k in keyframes), np.float64, len(keyframes)),
            rotation=np.fromiter((k.rotation for k in keyframes), np.float64, len(keyframes)),
            enabled=np.fromiter((k.enabled for k in keyframes), bool, len(keyframes)),
        )


@dataclass(frozen=True)
class Boxes(Shapes):
    """Boxes of one track at the requested frames, in percent of the frame (top-left pivot,
    degrees clockwise)."""

    kind = "box"

    x: np.ndarray
    y: np.ndarray
    width: np.ndarray
    height: np.ndarray
    rotation: np.ndarray

    def bbox(self, width: float, height: float):
        x, y, w, h = to_pixels(self.x, self.y, self.width, self.height, width, height)
        return bounding_box(x, y, w, h, self.rotation)

    def area(self, width: float, height: float) -> np.ndarray:
        return self.width * (width / 100.0) * self.height * (height / 100.0)

    def outline(self, width: float, height: float) -> list[np.ndarray]:
        xs, ys = corners(*to_pixels(self.x, self.y, self.width, self.height, width, height), self.rotation)
        return list(np.stack([xs, ys], axis=-1))


def normalise_sequence(
    keyframes: list[Keyframe], path: str, warnings: Warnings, fps: float | None = None
) -> tuple[list[Keyframe], list[Problem]]:
    """Apply the import rules of docs/frames.md to one region's keyframes.

    The keyframes come checked by the schema (numbers in range). Returns them sorted by frame,
    one per frame (the last in file order wins), each with `frame` and `enabled` set, and the
    problems that make the region unusable.
    """
    problems: list[Problem] = []
    missing_enabled = False
    for i, key in enumerate(keyframes):
        where = f"{path}[{i}]"
        if key.frame is UNSET:
            if key.time in (UNSET, None):
                problems.append(Problem(where, "keyframe has neither `frame` nor `time`"))
                continue
            if not fps:
                problems.append(Problem(where, "keyframe has no `frame`, and no frame rate is "
                                               "known to derive it from `time`"))
                continue
            product = key.time * fps
            frame = round(product) if math.isfinite(product) else 0
            if not 1 <= frame <= MAX_FRAME:
                problems.append(Problem(f"{where}.time", f"keyframe has no `frame`, and time {key.time} "
                                                         f"at {fps:g} fps is no frame in 1..{MAX_FRAME}"))
                continue
            key.frame = frame
            warnings.add(where, f"keyframe has no `frame`; frame {key.frame} derived from time {key.time}")
        if key.enabled is UNSET:
            key.enabled = True
            missing_enabled = True
    if problems:
        return keyframes, problems
    if missing_enabled:
        warnings.add(path, "keyframes without `enabled` read as enabled (Label Studio's editor would hide them)")
    if not keyframes:
        warnings.add(path, "region has no keyframes; it shows no box")
    frames = [k.frame for k in keyframes]
    if any(a > b for a, b in zip(frames, frames[1:])):
        warnings.add(path, "keyframes were out of order; sorted by frame")
    by_frame: dict[int, Keyframe] = {}
    for key in keyframes:
        if key.frame in by_frame:
            warnings.add(path, f"several keyframes on frame {key.frame}; the last in file order is kept")
        by_frame[key.frame] = key
    return [by_frame[f] for f in sorted(by_frame)], problems


def norm_angle(angle):
    """Map degrees into (-180, 180]; works on floats and arrays."""
    return 180.0 - np.mod(180.0 - np.asarray(angle, dtype=np.float64), 360.0)


def lifespan(track: Track, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each frame: index of the last keyframe at or before it (-1 if none), whether a
    keyframe sits on it, and whether the box is shown there (docs/frames.md's lifespan rule)."""
    frames = np.asarray(frames, dtype=np.int64)
    if len(frames) > 1 and (frames[1:] > frames[:-1]).all():
        # ascending frames (a whole video): one search per keyframe instead of one per frame
        starts = np.searchsorted(frames, track.frame)
        inside = starts < len(frames)
        steps = np.zeros(len(frames), dtype=np.int64)
        np.add.at(steps, starts[inside], 1)
        idx = np.cumsum(steps) - 1
        exact = np.zeros(len(frames), dtype=bool)
        exact[starts[inside]] = frames[starts[inside]] == track.frame[inside]
    else:
        idx = np.searchsorted(track.frame, frames, side="right") - 1
        exact = (idx >= 0) & (track.frame[np.maximum(idx, 0)] == frames) if len(track) else idx < -1
    visible = np.concatenate(([False], track.enabled))[idx + 1] | exact
    return idx, exact, visible
