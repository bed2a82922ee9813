"""What a labeling-config tag is: its XML name, typed attributes, checks and region type."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Iterable

if TYPE_CHECKING:
    from .config import LabelingConfig

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
    regions, such as VideoRectangle or Labels) or "option" (a child such as Label). `module`
    is the path of an ES module the host serves at /api/tags/<name>.js; the player imports it
    to show the tag (see docs/plugins.md for what it exports).
    """

    name: ClassVar[str]
    kind: ClassVar[str]
    attributes: ClassVar[dict[str, Attr]] = {}
    parents: ClassVar[tuple[str, ...]] = ()
    region_type: ClassVar[str | None] = None
    region_struct: ClassVar[type | None] = None
    module: ClassVar[Path | None] = None  # the ES module that shows it in the player

    def check(self, node: "ConfigNode", config: "LabelingConfig") -> Iterable[str]:
        """Yield a message for each problem with this node beyond its attribute types."""
        return ()


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
        """The tag as an error message shows it, e.g. <VideoRectangle name="box">."""
        return f'<{self.xml_name} name="{self.name}">' if self.name else f"<{self.xml_name}>"

