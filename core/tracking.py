"""The tracker interface: a tracker follows one box, in pixels, through frames fed in order."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .errors import InputError, Problem

Box = tuple[float, float, float, float]  # x, y (top-left corner), width, height in pixels


class Tracker:
    """Base class of trackers; a plugin subclasses it and registers the class.

    The engine makes one instance per run: `start` on the first frame and box, then `update`
    with each next frame (forward or backward in time), which returns the box, or None once
    the object is lost, and a score (higher is surer) or None when the tracker has none.
    Frames are H x W x 3 uint8 RGB arrays.
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""

    def start(self, frame: np.ndarray, box: Box) -> None:
        raise NotImplementedError

    def update(self, frame: np.ndarray) -> tuple[Box | None, float | None]:
        raise NotImplementedError


def start_box(box: Box, width: float, height: float, where: str = "") -> Box:
    """The box, checked to have a visible part: InputError when none of it (1 px a side) is
    inside the frame. A box partly outside (an object entering or leaving) is tracked by its
    visible part."""
    x, y, w, h = box
    left, top = max(x, 0.0), max(y, 0.0)
    right, bottom = min(x + w, width), min(y + h, height)
    if right - left < 1 or bottom - top < 1:
        raise InputError(Problem(where, f"the box ({x:.1f}, {y:.1f}, {w:.1f} x {h:.1f} px) has no "
                                        f"visible part in the {width:g} x {height:g} frame"))
    return box
