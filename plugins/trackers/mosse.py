"""`mosse`: OpenCV's MOSSE correlation filter (fastest; reports loss itself)."""

import cv2

from tracklabel.core.hookspecs import hookimpl

from .opencv import OpenCVTracker


class MOSSE(OpenCVTracker):
    """Very fast, fixed box size; declares loss when its peak-to-sidelobe ratio drops."""

    name = "mosse"
    description = "OpenCV MOSSE: fastest, fixed size, reports loss"
    create = staticmethod(cv2.legacy.TrackerMOSSE_create)


@hookimpl
def register_trackers(register):
    register(MOSSE)
