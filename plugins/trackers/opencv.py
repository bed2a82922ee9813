"""What the OpenCV trackers share: the cv2 calls, and a template-similarity check that
declares loss for trackers that never do on their own."""

from __future__ import annotations

from typing import Callable, ClassVar

import cv2
import numpy as np

from tracklabel.core.tracking import Box, Tracker

PATCH = 24  # side of the grey patches compared, in pixels


class OpenCVTracker(Tracker):
    """A cv2 tracker made by `create`; its own failure is a loss."""

    create: ClassVar[Callable[[], object]]

    def start(self, frame: np.ndarray, box: Box) -> None:
        self.tracker = type(self).create()
        self.tracker.init(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR), tuple(round(v) for v in box))

    def update(self, frame: np.ndarray) -> tuple[Box | None, float | None]:
        ok, rect = self.tracker.update(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
        return (tuple(float(v) for v in rect), None) if ok and rect[2] > 0 and rect[3] > 0 else (None, None)


def patch(frame: np.ndarray, box: Box) -> np.ndarray | None:
    """The box's grey pixels (cut to the frame) at PATCH x PATCH, zero mean and unit norm;
    None when too little of the box is inside the frame or it is flat."""
    x, y, w, h = (round(v) for v in box)
    height, width = frame.shape[:2]
    left, top, right, bottom = max(x, 0), max(y, 0), min(x + w, width), min(y + h, height)
    if right - left < 2 or bottom - top < 2 or (right - left) * (bottom - top) < 0.5 * w * h:
        return None
    grey = cv2.cvtColor(np.ascontiguousarray(frame[top:bottom, left:right]), cv2.COLOR_RGB2GRAY)
    values = cv2.resize(grey, (PATCH, PATCH), interpolation=cv2.INTER_AREA).astype(np.float32).ravel()
    values -= values.mean()
    norm = float(np.linalg.norm(values))
    return values / norm if norm > 1e-3 else None


class SimilarityChecked(OpenCVTracker):
    """Declares the object lost when the tracked box no longer looks like it: the normalised
    correlation with the first box and with a slowly updated recent look both fall under
    `threshold`. The score is the better of the two."""

    threshold: ClassVar[float] = 0.3
    refresh: ClassVar[float] = 0.6  # a look this similar updates the recent look
    blend: ClassVar[float] = 0.2

    def start(self, frame: np.ndarray, box: Box) -> None:
        super().start(frame, box)
        self.first = self.recent = patch(frame, box)

    def update(self, frame: np.ndarray) -> tuple[Box | None, float | None]:
        box, _ = super().update(frame)
        if box is None:
            return None, None
        look = patch(frame, box)
        if look is None or self.first is None:
            return None, None
        score = max(float(look @ self.first), float(look @ self.recent))
        if score < self.threshold:
            return None, score
        if score >= self.refresh:
            mixed = (1 - self.blend) * self.recent + self.blend * look
            self.recent = mixed / max(float(np.linalg.norm(mixed)), 1e-6)
        return box, score
