"""`csrt`: OpenCV's CSRT (discriminative correlation filter with channel and spatial
reliability; it never reports loss: the engine's guard does)."""

import cv2

from tracklabel.core.hookspecs import hookimpl

from .opencv import OpenCVTracker


class CSRT(OpenCVTracker):
    """Accurate and scale-aware, slower than KCF."""

    name = "csrt"
    description = "OpenCV CSRT: accurate, follows scale, slower"
    create = staticmethod(cv2.TrackerCSRT_create)


@hookimpl
def register_trackers(register):
    register(CSRT)
