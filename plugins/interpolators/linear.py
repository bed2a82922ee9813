"""`linear`: exactly the Label Studio editor's interpolation, vectorised over frames."""

import numpy as np

from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.interpolate import Interpolator
from tracklabel.core.track import Boxes, Track, lifespan, norm_angle


class Linear(Interpolator):
    """x, y, width, height linear between keyframes; rotation the shortest way round."""

    name = "linear"
    description = "Label Studio's editor: linear box, shortest-way rotation, top-left pivot"

    def boxes(self, track: Track, frames: np.ndarray) -> Boxes:
        frames = np.asarray(frames, dtype=np.int64)
        idx, exact, visible = lifespan(track, frames)
        last = len(track) - 1
        if last < 0:
            nan = np.full(len(frames), np.nan)
            return Boxes(frames, visible, exact, nan, nan, nan, nan, nan)
        start = np.maximum(idx, 0)
        following = np.minimum(np.arange(1, last + 2), last)  # per keyframe: the next one
        span = track.frame[following] - track.frame
        # after the last keyframe the span is 0: dividing by infinity holds the last box
        ratio = (frames - track.frame[start]) / np.where(span > 0, span, np.inf)[start]
        ratio[idx < 0] = 0.0  # before the first keyframe: its box (shown nowhere)
        values = {}
        for name in ("x", "y", "width", "height"):
            stored = getattr(track, name)
            values[name] = stored[start] + (stored[following] - stored)[start] * ratio
        # rotation: the shortest way round from the start's angle, in (-180, 180]
        turned = norm_angle(track.rotation)[start] + norm_angle(track.rotation[following] - track.rotation)[start] * ratio
        turned -= 360.0 * (turned > 180.0)
        turned += 360.0 * (turned <= -180.0)
        rotation = np.where(ratio > 0, turned, track.rotation[start])
        return Boxes(frames, visible, exact, values["x"], values["y"], values["width"],
                     values["height"], rotation)


@hookimpl
def register_interpolators(register):
    register(Linear())
