"""`mil`: OpenCV's MIL (multiple instance learning; it never reports loss: the engine's guard
does)."""

import cv2

from tracklabel.core.hookspecs import hookimpl

from .opencv import OpenCVTracker


class MIL(OpenCVTracker):
    """Robust to small appearance changes, fixed box size."""

    name = "mil"
    description = "OpenCV MIL: robust to small appearance changes"
    create = staticmethod(cv2.TrackerMIL_create)


@hookimpl
def register_trackers(register):
    register(MIL)
