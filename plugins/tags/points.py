"""What <VideoPolygon> and <VideoKeyPoint> share: a point's coordinate type (percent of the
frame, with a small tolerance outside it), and moving points with the region's interpolator as
zero-size boxes."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from msgspec import Meta

from tracklabel.core.track import Track

TOLERANCE = 1  # percent: a point may lie this far outside the frame (a click on its edge)
LOW, HIGH = -TOLERANCE, 100 + TOLERANCE

Coordinate = (Annotated[int, Meta(ge=LOW, le=HIGH)]
              | Annotated[float, Meta(ge=float(LOW), le=float(HIGH))])
Point = Annotated[list[Coordinate], Meta(min_length=2, max_length=2)]


def point_track(frame: np.ndarray, enabled: np.ndarray, x: np.ndarray, y: np.ndarray) -> Track:
    """Keyframes of zero-size boxes at (x, y), for the region's interpolator to move."""
    zero = np.zeros(len(frame))
    return Track(frame=frame, x=np.asarray(x, np.float64), y=np.asarray(y, np.float64),
                 width=zero, height=zero, rotation=zero, enabled=enabled)


def keyframe_arrays(keyframes) -> tuple[np.ndarray, np.ndarray]:
    """The frames and `enabled` flags of normalised keyframes."""
    count = len(keyframes)
    return (np.fromiter((k.frame for k in keyframes), np.int64, count),
            np.fromiter((k.enabled for k in keyframes), bool, count))


def clip_coordinates(values):
    """Coordinates kept within the frame and its tolerance (for positions a tracker gives)."""
    return np.clip(np.asarray(values, np.float64), LOW, HIGH)
