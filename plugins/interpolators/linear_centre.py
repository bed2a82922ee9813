"""`linear-centre`: the box's centre, size and angle linear between keyframes (CVAT's rule for
rotated boxes), given in Label Studio's stored form (x, y the rotated box's top-left corner)."""

import numpy as np

from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.interpolate import Interpolator
from tracklabel.core.track import Boxes, Track

from .linear import linear_values, no_boxes, segments, turned


def half_diagonal(width, height, rotation, aspect: float = 1.0):
    """From a box's top-left corner to its centre, in percent of the frame: half of the rotated
    (width, height) vector. Rotation turns pixels, so percent across is scaled by `aspect`
    (frame height / frame width in pixels) against percent down (core/geometry.py's corners)."""
    t = np.radians(rotation)
    cos, sin = np.cos(t), np.sin(t)
    return (width * cos - height * aspect * sin) / 2.0, (width * sin / aspect + height * cos) / 2.0


class LinearCentre(Interpolator):
    """Centre, width, height linear between keyframes and rotation the shortest way round (as
    `linear` turns it); x, y then the corner the rotated box puts there."""

    name = "linear-centre"
    description = "CVAT's rule for rotated boxes: linear centre, size and shortest-way rotation"
    needs_size = True

    def boxes(self, track: Track, frames: np.ndarray, size: tuple[float, float] | None = None) -> Boxes:
        """`size`, the frame's (width, height) in pixels, makes the centre that of the box on
        screen for a frame that is not square; without it percent across and down count alike.
        An unrotated box needs none: its centre is the same either way."""
        if not len(track):
            return no_boxes(track, frames)
        aspect = 1.0 if size is None else size[1] / size[0]
        at = segments(track, frames)
        width = linear_values(track.width, at)
        height = linear_values(track.height, at)
        rotation = turned(track.rotation, at)
        dx, dy = half_diagonal(track.width, track.height, track.rotation, aspect)
        hx, hy = half_diagonal(width, height, rotation, aspect)
        moving = at.ratio > 0  # elsewhere the keyframe's box as stored, not through sin and cos
        x = np.where(moving, linear_values(track.x + dx, at) - hx, track.x[at.start])
        y = np.where(moving, linear_values(track.y + dy, at) - hy, track.y[at.start])
        return Boxes(at.frames, at.visible, at.exact, x, y, width, height, rotation)


@hookimpl
def register_interpolators(register):
    register(LinearCentre())
