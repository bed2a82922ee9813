"""`mil`: OpenCV's MIL (multiple instance learning), with a template-similarity check that
declares loss."""

import cv2

from tracklabel.core.hookspecs import hookimpl

from .opencv import SimilarityChecked


class MIL(SimilarityChecked):
    """Robust to small appearance changes, fixed box size."""

    name = "mil"
    description = "OpenCV MIL: fixed size; loss by template similarity"
    create = staticmethod(cv2.TrackerMIL_create)


@hookimpl
def register_trackers(register):
    register(MIL)
