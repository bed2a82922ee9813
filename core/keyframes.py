"""From tracked boxes to few keyframes, and merging them into a region's keyframes without
touching the annotator's own (keyframes the engine writes carry `"auto": true`)."""

from __future__ import annotations

import numpy as np

from .geometry import iou
from .track import Track

TOLERANCE = 0.9  # IoU every tracked box keeps with the interpolation between kept keyframes
SMOOTHING = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0  # binomial, about a Gaussian of 1 frame


def is_auto(keyframe: dict) -> bool:
    """Whether the tracking engine wrote this keyframe (an edit clears the mark)."""
    return keyframe.get("auto") is True


def smooth(boxes: np.ndarray) -> np.ndarray:
    """Tracker jitter taken out of a path of (n, 4) boxes (one per consecutive frame): each
    value averaged with its neighbours (SMOOTHING; the ends held), the first box kept as is,
    and a box kept as tracked where averaging would move it off itself (IoU < TOLERANCE: a
    sharp turn of a fast object is motion, not jitter)."""
    boxes = np.asarray(boxes, dtype=np.float64)
    half = len(SMOOTHING) // 2
    if len(boxes) <= 2:
        return boxes.copy()
    padded = np.pad(boxes, ((half, half), (0, 0)), mode="edge")
    out = np.stack([np.convolve(padded[:, c], SMOOTHING, mode="valid") for c in range(4)], axis=1)
    out[0] = boxes[0]
    turned = iou(out, boxes) < TOLERANCE
    out[turned] = boxes[turned]
    return out


def _segment(interpolator, frames: np.ndarray, boxes: np.ndarray, a: int, b: int) -> np.ndarray:
    """The interpolator's boxes on frames a..b from keyframes a and b alone, as (n, 4)."""
    ends = [a, b]
    track = Track(frames[ends], boxes[ends, 0], boxes[ends, 1], boxes[ends, 2], boxes[ends, 3],
                  np.zeros(2), np.ones(2, dtype=bool))
    out = interpolator.boxes(track, frames[a:b + 1])
    return np.stack([out.x, out.y, out.width, out.height], axis=1)


def reduce_keyframes(frames: np.ndarray, boxes: np.ndarray, interpolator,
                     tolerance: float = TOLERANCE) -> list[int]:
    """Indices of the fewest keyframes (greedily, always the first and the last) whose
    interpolation by `interpolator` gives every box with IoU >= tolerance.

    `frames` are consecutive 1-based frame numbers in time order, `boxes` (n, 4) axis-aligned
    (x, y, width, height) in any one unit.
    """
    frames = np.asarray(frames, dtype=np.int64)
    boxes = np.asarray(boxes, dtype=np.float64)
    keep, a, last = [0], 0, len(frames) - 1
    while a < last:
        reach = a + 1
        for b in range(a + 2, last + 1):
            if iou(_segment(interpolator, frames, boxes, a, b), boxes[a:b + 1]).min() < tolerance:
                break
            reach = b
        keep.append(reach)
        a = reach
    return keep


def merge(sequence: list[dict], new: list[dict], first: int, last: int) -> list[dict]:
    """The region's keyframes with its auto keyframes on frames first..last replaced by `new`;
    a keyframe the annotator made or edited stays, and wins over a new one on its frame."""
    kept = [k for k in sequence if not (is_auto(k) and first <= k["frame"] <= last)]
    taken = {k["frame"] for k in kept}
    return sorted(kept + [k for k in new if k["frame"] not in taken], key=lambda k: k["frame"])
