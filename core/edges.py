"""Objects at the frame's edge: a start box cut by a side is taken on beyond it (an object
entering), until the object has moved in and the pixels along that side tell whether it was
entering (they moved in with it) or whole (they did not: background left behind)."""

from __future__ import annotations

import numpy as np

from .tracking import Box

EDGE = 1.0  # pixels: a start box this near a side of the frame may go on beyond it
SEAM = 2  # pixels along a side of the frame that tell an entering object from a whole one
CHANGED = 12.0  # grey levels: pixels this unlike where they would have moved did not move (seams, template cells)
INWARD = {"left": (1, 0), "right": (-1, 0), "top": (0, 1), "bottom": (0, -1)}


def beyond_edges(box: Box, width: float, height: float) -> tuple[Box, str | None]:
    """A box cut by a side of the frame, taken on beyond it as far as the box is long the other
    way (its outside part unknown until it comes into view), and that side; the box as it is
    and None when no side cuts it short."""
    x, y, w, h = box
    if w < h and x <= EDGE:
        return (x + w - h, y, h, h), "left"
    if w < h and x + w >= width - EDGE:
        return (x, y, h, h), "right"
    if h < w and y <= EDGE:
        return (x, y + h - w, w, w), "top"
    if h < w and y + h >= height - EDGE:
        return (x, y, w, w), "bottom"
    return tuple(box), None


def tell(side: str, moved: float, shift: int, box: Box, previous: np.ndarray, image: np.ndarray) -> str | None:
    """"entering" or "whole" once the object has moved in from `side` (`moved` pixels since the
    start, `shift` since the previous frame), by whether the seam along it moved in with the
    object; None while it cannot be told yet."""
    if shift < 1 or moved < shift + 1:
        return None
    before, after = _seams(side, previous, image, box, shift)
    return "whole" if float(np.abs(after - before).mean()) >= CHANGED else "entering"


def given_moved(side: str, given: Box, box: Box) -> Box:
    """The box as given (before it was taken on beyond `side`), moved along with `box`."""
    (_, _, gw, gh), (x, y, w, h) = given, box
    if side in ("left", "right"):
        return (x + w - gw if side == "left" else x), y, gw, h
    return x, (y + h - gh if side == "top" else y), w, gh


def _seams(side: str, previous: np.ndarray, image: np.ndarray, box: Box, shift: int):
    """The SEAM pixels along the side on the previous frame, and where they are on this one if
    they moved in with the object (`shift` pixels), as float32 arrays."""
    height, width = image.shape
    x, y, w, h = box
    rows = slice(max(round(y), 0), min(round(y + h), height))
    columns = slice(max(round(x), 0), min(round(x + w), width))
    near, moved = {
        "left": ((rows, slice(0, SEAM)), (rows, slice(shift, shift + SEAM))),
        "right": ((rows, slice(width - SEAM, width)), (rows, slice(width - shift - SEAM, width - shift))),
        "top": ((slice(0, SEAM), columns), (slice(shift, shift + SEAM), columns)),
        "bottom": ((slice(height - SEAM, height), columns), (slice(height - shift - SEAM, height - shift), columns)),
    }[side]
    return previous[near].astype(np.float32), image[moved].astype(np.float32)
