"""The interpolator interface and the one place boxes for a region are computed."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .track import Boxes, Track


class Interpolator:
    """Base class of interpolation strategies; a plugin subclasses it and registers an instance.

    `boxes` gets a normalised Track and 1-based frame numbers and returns a Boxes row per frame.
    The lifespan (which rows are visible) follows docs/frames.md whatever the strategy. A strategy
    that looks at the images sets `needs_video`: `boxes` then also gets `video=`, the region's
    tracklabel.core.decoding.Video.
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""
    needs_video: ClassVar[bool] = False

    def boxes(self, track: Track, frames: np.ndarray) -> Boxes:
        raise NotImplementedError


def frame_range(frames_count: int) -> np.ndarray:
    """Every 1-based frame number of a video with `frames_count` frames."""
    return np.arange(1, frames_count + 1, dtype=np.int64)
