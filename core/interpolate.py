"""The interpolator interface and the one place boxes for a region are computed."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .track import Boxes, Track, lifespan


class Interpolator:
    """Base class of interpolation strategies; a plugin subclasses it and registers an instance.

    `boxes` gets a normalised Track and 1-based frame numbers and returns a Boxes row per frame.
    The lifespan (which rows are visible) follows docs/frames.md whatever the strategy. A strategy
    that looks at the images sets `needs_video`: `boxes` then also gets `video=`, the region's
    tracklabel.core.decoding.Video. One whose boxes depend on the frame's shape in pixels sets
    `needs_size`: its callers then give it through `AtSize`, and `boxes` gets `size=(width, height)`.
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""
    needs_video: ClassVar[bool] = False
    needs_size: ClassVar[bool] = False

    def boxes(self, track: Track, frames: np.ndarray) -> Boxes:
        raise NotImplementedError


class AtSize:
    """An interpolator that `needs_size`, told the frame's (width, height) in pixels: what a tag's
    `shapes` is given, so that every `boxes` call it makes passes `size=`."""

    def __init__(self, interpolator: Interpolator, size: tuple[float, float]):
        self.interpolator = interpolator
        self.size = size

    def __getattr__(self, name):
        if name == "interpolator":  # not set yet (a copy being made): not the wrapped one's
            raise AttributeError(name)
        return getattr(self.interpolator, name)

    def boxes(self, track: Track, frames: np.ndarray, **options) -> Boxes:
        return self.interpolator.boxes(track, frames, size=self.size, **options)


def frame_range(frames_count: int) -> np.ndarray:
    """Every 1-based frame number of a video with `frames_count` frames."""
    return np.arange(1, frames_count + 1, dtype=np.int64)


def progress(interpolator, frame: np.ndarray, enabled: np.ndarray, frames: np.ndarray):
    """How a keyframed shape that is not a box moves under the region's interpolator.

    `frame` and `enabled` are its keyframes' (sorted, one per frame). For each of `frames`:
    the index of the keyframe at or before it (-1 before the first), the fraction of the way
    to the next keyframe the interpolator has gone (0 on a keyframe, before the first and
    after the last; t for `linear`, 0 for `step`, eased for an easing plugin), whether a
    keyframe sits on it, and whether the shape is shown (docs/frames.md's lifespan rule). The
    interpolator moves one zero-size box whose x is the keyframe's index.
    """
    frame = np.asarray(frame, dtype=np.int64)
    frames = np.asarray(frames, dtype=np.int64)
    zero = np.zeros(len(frame))
    track = Track(frame=frame, x=np.arange(len(frame), dtype=np.float64), y=zero, width=zero,
                  height=zero, rotation=zero, enabled=np.asarray(enabled, dtype=bool))
    idx, exact, visible = lifespan(track, frames)
    if not len(frame):
        return idx, np.zeros(len(frames)), exact, visible
    fraction = interpolator.boxes(track, frames).x - np.maximum(idx, 0)
    fraction[(idx < 0) | exact] = 0.0
    return idx, fraction, exact, visible
