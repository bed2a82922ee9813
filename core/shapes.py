"""What a region looks like frame by frame: the Shapes a tag's interpolation gives, and the
geometry exporters ask of them (bounding box, area, outline in pixels; per-frame JSON)."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import numpy as np


@dataclasses.dataclass(frozen=True)
class Shapes:
    """One region's shapes at the requested frames; rows where `visible` is false show nothing.

    A tag's Shapes subclass adds its own per-frame fields (numpy arrays of one value per frame,
    or lists of one array per frame) after these three, and answers the geometry below. `kind`
    is the geometry exporters know by name: "box", "polygon", "point"; a plugin's own shape
    names its own kind and is written by exporters through its bounding box and outline.
    """

    kind: ClassVar[str] = ""
    closed: ClassVar[bool] = True  # the outline's last point joins its first

    frame: np.ndarray  # int64, 1-based
    visible: np.ndarray  # bool
    keyframe: np.ndarray  # bool: a keyframe sits on this frame

    def take(self, rows) -> "Shapes":
        """These rows only (numpy fancy index)."""
        rows = np.asarray(rows, dtype=np.int64)
        values = {}
        for f in dataclasses.fields(self):
            column = getattr(self, f.name)
            values[f.name] = column.take(rows) if isinstance(column, np.ndarray) else [column[i] for i in rows]
        return type(self)(**values)

    def only_visible(self) -> "Shapes":
        return self.take(np.flatnonzero(self.visible))

    def bbox(self, width: float, height: float):
        """Axis-aligned (left, top, width, height) in pixels of a width x height frame, per row."""
        raise NotImplementedError

    def area(self, width: float, height: float) -> np.ndarray:
        """Area in square pixels per row (the bounding box's unless the shape knows better)."""
        _, _, w, h = self.bbox(width, height)
        return np.asarray(w * h, dtype=np.float64)

    def outline(self, width: float, height: float) -> list[np.ndarray] | None:
        """Per row, the shape's points in pixels as a (k, 2) array (a polygon's vertices, a
        box's corners, a point's one point); None when the shape has no points to give."""
        return None

    def columns(self) -> dict[str, list]:
        """The per-frame fields as JSON-ready lists, one entry per row (what the player draws)."""
        out = {}
        for f in dataclasses.fields(self):
            column = getattr(self, f.name)
            out[f.name] = (column.tolist() if isinstance(column, np.ndarray)
                           else [np.asarray(c).tolist() for c in column])
        return out
