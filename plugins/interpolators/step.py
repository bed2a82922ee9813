"""`step`: hold each keyframe's box until the next keyframe."""

import numpy as np

from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.interpolate import Interpolator
from tracklabel.core.track import Boxes, Track, lifespan


class Step(Interpolator):
    """The previous keyframe's box, unchanged, until the next keyframe."""

    name = "step"
    description = "hold the previous keyframe's box (no motion between keyframes)"

    def boxes(self, track: Track, frames: np.ndarray) -> Boxes:
        frames = np.asarray(frames, dtype=np.int64)
        idx, exact, visible = lifespan(track, frames)
        if len(track) == 0:
            nan = np.full(len(frames), np.nan)
            return Boxes(frames, visible, exact, nan, nan, nan, nan, nan)
        at = np.maximum(idx, 0)
        return Boxes(frames, visible, exact, track.x[at], track.y[at], track.width[at],
                     track.height[at], track.rotation[at])


@hookimpl
def register_interpolators(register):
    register(Step())
