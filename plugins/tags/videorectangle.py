"""<VideoRectangle>: tracked boxes on a video, with our `interpolation` attribute."""

from pathlib import Path

from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.schema import VideoRectangleValue
from tracklabel.core.tags import Attr, Tag

MODULE = Path(__file__).with_suffix(".js")


class VideoRectangle(Tag):
    """Boxes keyed on frames of a <Video>; regions of type `videorectangle`."""

    name = "VideoRectangle"
    kind = "control"
    module = MODULE
    attributes = {
        "name": Attr(str, required=True),
        "toName": Attr(str, required=True),
        "interpolation": Attr(str, "linear"),
        "opacity": Attr(float),
        "fillColor": Attr(str),
        "strokeColor": Attr(str),
        "strokeWidth": Attr(float),
        "smart": Attr(bool, False),
        "smartOnly": Attr(bool, False),
    }
    region_type = "videorectangle"
    region_struct = VideoRectangleValue

    def check(self, node, config):
        for target in node.to_names:
            obj = config.by_name.get(target)
            if obj is not None and obj.tag.kind == "object" and obj.tag.name != "Video":
                yield f'toName "{target}" must name a <Video>, not <{obj.xml_name}>'
        chosen = config.interpolator_name(node)
        if chosen not in config.registry.interpolators:
            known = ", ".join(sorted(config.registry.interpolators))
            yield f'interpolation "{chosen}" is not registered (loaded: {known})'


@hookimpl
def register_tags(register):
    register(VideoRectangle())


@hookimpl(trylast=True)
def choose_interpolator(control):
    return control.attrs.get("interpolation")
