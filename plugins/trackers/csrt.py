"""`csrt`: OpenCV's CSRT (discriminative correlation filter with channel and spatial
reliability), with a template-similarity check that declares loss."""

import cv2

from tracklabel.core.hookspecs import hookimpl

from .opencv import SimilarityChecked


class CSRT(SimilarityChecked):
    """Accurate and scale-aware, slower than KCF."""

    name = "csrt"
    description = "OpenCV CSRT: accurate, follows scale; loss by template similarity"
    create = staticmethod(cv2.TrackerCSRT_create)


@hookimpl
def register_trackers(register):
    register(CSRT)
