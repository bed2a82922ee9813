"""What the OpenCV trackers share: the cv2 calls (loss beyond their own is the engine's guard's)."""

from __future__ import annotations

from typing import Callable, ClassVar

import cv2
import numpy as np

from tracklabel.core.tracking import Box, Tracker


class OpenCVTracker(Tracker):
    """A cv2 tracker made by `create`; its own failure is a loss."""

    create: ClassVar[Callable[[], object]]

    def start(self, frame: np.ndarray, box: Box) -> None:
        self.tracker = type(self).create()
        self.tracker.init(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR), tuple(round(v) for v in box))

    def update(self, frame: np.ndarray) -> tuple[Box | None, float | None]:
        ok, rect = self.tracker.update(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
        return (tuple(float(v) for v in rect), None) if ok and rect[2] > 0 and rect[3] > 0 else (None, None)
