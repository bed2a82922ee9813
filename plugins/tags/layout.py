"""<View> and <Header>: layout tags that hold others and show text."""

from pathlib import Path

from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.tags import Attr, Tag

MODULE = Path(__file__).with_suffix(".js")

_VISIBILITY = {
    "visibleWhen": Attr(str),
    "whenTagName": Attr(str),
    "whenLabelValue": Attr(str),
    "whenChoiceValue": Attr(str),
}


class View(Tag):
    """A container; the root of every config."""

    name = "View"
    kind = "layout"
    module = MODULE
    attributes = {"style": Attr(str), "className": Attr(str), "idAttr": Attr(str), **_VISIBILITY}


class Header(Tag):
    """A heading shown to the annotator (text in `value` or inside the tag)."""

    name = "Header"
    kind = "layout"
    module = MODULE
    attributes = {
        "value": Attr(str),
        "size": Attr(int, 4),
        "style": Attr(str),
        "underline": Attr(bool, False),
        **_VISIBILITY,
    }


@hookimpl
def register_tags(register):
    register(View())
    register(Header())
