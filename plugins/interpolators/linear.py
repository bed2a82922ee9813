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
            return Boxes(frames, nan, nan, nan, nan, nan, visible, exact)
        start = np.maximum(idx, 0)
        end = np.minimum(start + 1, last)
        span = track.frame[end] - track.frame[start]
        between = (idx >= 0) & (span > 0)
        ratio = np.where(between, (frames - track.frame[start]) / np.where(span > 0, span, 1), 0.0)
        values = {}
        for name in ("x", "y", "width", "height"):
            a = getattr(track, name)[start]
            values[name] = a + (getattr(track, name)[end] - a) * ratio
        rot_a = track.rotation[start]
        turned = norm_angle(rot_a + norm_angle(track.rotation[end] - rot_a) * ratio)
        rotation = np.where(ratio > 0, turned, rot_a)
        return Boxes(frames, values["x"], values["y"], values["width"], values["height"],
                     rotation, visible, exact)


@hookimpl
def register_interpolators(register):
    register(Linear())
