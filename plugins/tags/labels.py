"""<Labels> and <Label>: the label choices attached to regions."""

from pathlib import Path

from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.tags import Attr, Tag

MODULE = Path(__file__).with_suffix(".js")

_LOOK = {
    "opacity": Attr(float),
    "fillColor": Attr(str),
    "strokeColor": Attr(str),
    "strokeWidth": Attr(float),
}


class Labels(Tag):
    """A set of labels for regions on an object; `value="$field"` takes them from the task."""

    name = "Labels"
    kind = "control"
    module = MODULE
    attributes = {
        "name": Attr(str, required=True),
        "toName": Attr(str, required=True),
        "choice": Attr(str, "single", choices=("single", "multiple")),
        "maxUsages": Attr(int),
        "showInline": Attr(bool, True),
        "value": Attr(str),
        "allowEmpty": Attr(bool, False),
        **_LOOK,
    }
    region_type = "labels"

    def check(self, node, config):
        dynamic = (node.attrs.get("value") or "").startswith("$")
        if not dynamic and not any(child.tag.kind == "option" for child in node.children):
            yield "has no <Label>"


class Label(Tag):
    """One label value, with its colour, alias and hotkey."""

    name = "Label"
    kind = "option"
    module = MODULE
    parents = ("Labels", "TimelineLabels")
    attributes = {
        "value": Attr(str, required=True),
        "selected": Attr(bool, False),
        "maxUsages": Attr(int),
        "alias": Attr(str),
        "hotkey": Attr(str),
        "showAlias": Attr(bool, False),
        "aliasStyle": Attr(str),
        "size": Attr(str),
        "background": Attr(str),
        "selectedColor": Attr(str),
        "granularity": Attr(str),
        "html": Attr(str),
        "category": Attr(str),
    }

    def check(self, node, config):
        siblings = [c for c in node.parent.children if c.tag is self] if node.parent else []
        for earlier in siblings[: siblings.index(node)]:
            if earlier.attrs["value"] == node.attrs["value"]:
                yield f'value "{node.attrs["value"]}" repeats the label at line {earlier.line}'
                break


@hookimpl
def register_tags(register):
    register(Labels())
    register(Label())
