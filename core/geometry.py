"""Box geometry on arrays: percent to pixels, rotated corners, bounding boxes, clipping, IoU.

Boxes are Label Studio's: (x, y) the top-left corner, rotation in degrees clockwise on screen
(y points down) about that corner.
"""

from __future__ import annotations

import numpy as np


def to_pixels(x, y, width, height, frame_width: float, frame_height: float):
    """Percent of the frame to pixels."""
    return (x * (frame_width / 100.0), y * (frame_height / 100.0),
            width * (frame_width / 100.0), height * (frame_height / 100.0))


def to_percent(x, y, width, height, frame_width: float, frame_height: float):
    """Pixels to percent of the frame."""
    return (x * (100.0 / frame_width), y * (100.0 / frame_height),
            width * (100.0 / frame_width), height * (100.0 / frame_height))


def corners(x, y, width, height, rotation):
    """The four corners in Label Studio's order: top-left, top-right, bottom-right, bottom-left
    of the rotated box, as arrays of shape (n, 4) for x and for y."""
    t = np.radians(rotation)
    cos, sin = np.cos(t), np.sin(t)
    xs = np.stack([x, x + width * cos, x + width * cos - height * sin, x - height * sin], axis=-1)
    ys = np.stack([y, y + width * sin, y + width * sin + height * cos, y + height * cos], axis=-1)
    return xs, ys


def bounding_box(x, y, width, height, rotation):
    """The axis-aligned box (left, top, width, height) around a rotated box."""
    if not np.any(rotation):
        return x, y, width, height
    xs, ys = corners(x, y, width, height, rotation)
    left, top = xs.min(axis=-1), ys.min(axis=-1)
    return left, top, xs.max(axis=-1) - left, ys.max(axis=-1) - top


def clip(left, top, width, height, frame_width: float, frame_height: float):
    """An axis-aligned box cut to the frame (empty boxes get zero size)."""
    right = np.clip(left + width, 0, frame_width)
    bottom = np.clip(top + height, 0, frame_height)
    left, top = np.clip(left, 0, frame_width), np.clip(top, 0, frame_height)
    return left, top, right - left, bottom - top


def iou(a, b):
    """IoU of axis-aligned boxes (left, top, width, height), row by row (0 for empty boxes)."""
    a, b = np.atleast_2d(np.asarray(a, dtype=np.float64)), np.atleast_2d(np.asarray(b, dtype=np.float64))
    w = np.clip(np.minimum(a[:, 0] + a[:, 2], b[:, 0] + b[:, 2]) - np.maximum(a[:, 0], b[:, 0]), 0, None)
    h = np.clip(np.minimum(a[:, 1] + a[:, 3], b[:, 1] + b[:, 3]) - np.maximum(a[:, 1], b[:, 1]), 0, None)
    inter = w * h
    union = a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
