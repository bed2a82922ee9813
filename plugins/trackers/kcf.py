"""`kcf`: OpenCV's kernelized correlation filter (the default tracker; reports loss itself)."""

import cv2

from tracklabel.core.hookspecs import hookimpl

from .opencv import OpenCVTracker


class KCF(OpenCVTracker):
    """Fast; declares loss when its correlation peak falls under its detection threshold."""

    name = "kcf"
    description = "OpenCV KCF: fast correlation filter, reports loss (default)"

    @staticmethod
    def create():
        """KCF whose search window is resampled to at most 64 x 64 pixels (OpenCV's default,
        80 x 80, took three times as long on a 72 x 60 box: the guard refines the position)."""
        params = cv2.TrackerKCF_Params()
        params.max_patch_size = 64 * 64
        return cv2.TrackerKCF_create(params)

    def start(self, frame, box):
        """OpenCV's KCF learns its model on the frame after init at the old position (its first
        update detects nothing): one update on the start frame itself trains it there."""
        super().start(frame, box)
        self.tracker.update(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))


@hookimpl
def register_trackers(register):
    register(KCF)
