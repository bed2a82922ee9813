"""`kcf`: OpenCV's kernelized correlation filter (the default tracker; reports loss itself)."""

import cv2

from tracklabel.core.hookspecs import hookimpl

from .opencv import OpenCVTracker


class KCF(OpenCVTracker):
    """Fast; declares loss when its correlation peak falls under its detection threshold."""

    name = "kcf"
    description = "OpenCV KCF: fast correlation filter, reports loss (default)"
    create = staticmethod(cv2.TrackerKCF_create)


@hookimpl
def register_trackers(register):
    register(KCF)
