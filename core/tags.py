"""What a labeling-config tag is: its XML name, typed attributes, checks, and for a tag that
makes regions, what its regions are (value schema, interpolation, geometry, tracking)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Iterable

import numpy as np

if TYPE_CHECKING:
    from .config import LabelingConfig
    from .errors import Problem
    from .shapes import Shapes

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


@dataclass(frozen=True)
class Attr:
    """One XML attribute of a tag: its Python type, default, and whether it is required."""

    type: type = str
    default: Any = None
    required: bool = False
    choices: tuple[str, ...] = ()
    field_ref: bool = False  # "$field" is accepted too: the value comes from each task's data

    def parse(self, text: str) -> Any:
        """Turn the attribute's text into a value of its type; raise ValueError when it cannot."""
        if self.field_ref and text.strip().startswith("$"):
            return text.strip()
        if self.type is bool:
            low = text.strip().lower()
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
            raise ValueError("is not a boolean (true or false)")
        if self.type in (int, float):
            try:
                value = self.type(text.strip())
            except ValueError:
                kind = "an integer" if self.type is int else "a number"
                raise ValueError(f"is not {kind}") from None
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError("is not a finite number")
            return value
        if self.choices and text not in self.choices:
            raise ValueError(f"must be one of {', '.join(self.choices)}")
        return text


class Tag:
    """Base class of config tags; a plugin subclasses it and registers an instance.

    kind is "layout" (View, Header), "object" (data such as Video), "control" (produces
    regions, or options for them such as Labels) or "option" (a child such as Label). `module`
    is the path of an ES module served at /api/tags/<name>.js; the player imports it
    to show the tag (see docs/plugins.md for what it exports).

    A control whose results are regions names their `region_type` (Label Studio's result
    `type`) and `region_struct` (the msgspec Struct its `value` is read into). A `keyframed`
    tag's value is a `sequence` of Keyframe Structs that follow docs/frames.md's keyframe and
    lifespan rules, and `shapes` gives its shape on any frame; one that is not (ranges of
    frames, say) checks its value in `check_value` and has no per-frame shapes. A `trackable`
    tag's regions can be moved by automatic tracking (`track_box`, `tracked_keyframe`).
    """

    name: ClassVar[str]
    kind: ClassVar[str]
    attributes: ClassVar[dict[str, Attr]] = {}
    parents: ClassVar[tuple[str, ...]] = ()
    module: ClassVar[Path | None] = None  # the ES module that shows it in the player
    region_type: ClassVar[str | None] = None
    region_struct: ClassVar[type | None] = None
    keyframed: ClassVar[bool] = False
    trackable: ClassVar[bool] = False

    def check(self, node: "ConfigNode", config: "LabelingConfig") -> Iterable[str]:
        """Yield a message for each problem with this node beyond its attribute types."""
        return ()

    def check_value(self, value: Any, path: str, frames_count: int | None) -> Iterable["Problem"]:
        """Yield a Problem for each way a region's value (read into `region_struct`, keyframes
        normalised) is unusable beyond its schema; `frames_count` is the video's, if known."""
        return ()

    def labels(self, value: Any) -> list[str]:
        """The label values a region carries (its class for exporters)."""
        labels = getattr(value, "labels", None)
        return labels if isinstance(labels, list) else []

    def shapes(self, value: Any, frames: np.ndarray, interpolator, video=None) -> "Shapes":
        """A keyframed region's shapes at these 1-based frames; `interpolator` is the one the
        config chose for the region, `video` its Video when the interpolator `needs_video`."""
        raise NotImplementedError(f"<{self.name}> regions have no per-frame shapes")

    def track_box(self, shapes: "Shapes", width: float, height: float) -> tuple[float, float, float, float]:
        """The axis-aligned box (x, y, width, height, percent of the frame) a tracker follows
        for the one shape in `shapes` on a width x height px frame; ValueError when the shape
        cannot be tracked from."""
        left, top, w, h = (float(v[0]) for v in shapes.bbox(100.0, 100.0))
        return left, top, w, h

    def tracked_keyframe(self, start: dict, start_box, box) -> dict:
        """The shape fields of a keyframe where the tracker moved `start_box` to `box` (both
        percent (x, y, width, height)); `start` is the shape where tracking began, as one row
        of its Shapes' columns."""
        raise NotImplementedError(f"<{self.name}> regions cannot be tracked")


@dataclass
class ConfigNode:
    """A tag as written in one config: typed attributes, line number, children."""

    tag: Tag
    xml_name: str
    line: int
    attrs: dict[str, Any]
    text: str = ""
    children: list["ConfigNode"] = field(default_factory=list)
    parent: "ConfigNode | None" = None

    @property
    def name(self) -> str | None:
        return self.attrs.get("name")

    @property
    def to_names(self) -> list[str]:
        value = self.attrs.get("toName") or ""
        return [part.strip() for part in value.split(",") if part.strip()]

    def describe(self) -> str:
        """The tag as an error message shows it, e.g. <Labels name="kind">."""
        return f'<{self.xml_name} name="{self.name}">' if self.name else f"<{self.xml_name}>"

