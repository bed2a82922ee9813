"""<VideoRectangle>: tracked boxes on a video, with our `interpolation` attribute."""

from pathlib import Path

from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.schema import BoxKeyframe, KeyframedValue
from tracklabel.core.tags import Attr, Tag
from tracklabel.core.track import Boxes, Track

MODULE = Path(__file__).with_suffix(".js")


class VideoRectangleValue(KeyframedValue, kw_only=True):
    """The `value` of a videorectangle region: box keyframes."""

    sequence: list[BoxKeyframe]


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
    keyframed = True
    trackable = True

    def check(self, node, config):
        for target in node.to_names:
            obj = config.by_name.get(target)
            if obj is not None and obj.tag.kind == "object" and obj.tag.name != "Video":
                yield f'toName "{target}" must name a <Video>, not <{obj.xml_name}>'
        chosen = config.interpolator_name(node)
        if chosen not in config.registry.interpolators:
            known = ", ".join(sorted(config.registry.interpolators))
            yield f'interpolation "{chosen}" is not registered (loaded: {known})'

    def shapes(self, value, frames, interpolator, video=None) -> Boxes:
        track = Track.from_keyframes(value.sequence)
        if interpolator.needs_video:
            return interpolator.boxes(track, frames, video=video)
        return interpolator.boxes(track, frames)

    def track_box(self, shapes: Boxes, width, height):
        if shapes.rotation[0] % 360:
            raise ValueError("the box is rotated; trackers follow unrotated boxes")
        return float(shapes.x[0]), float(shapes.y[0]), float(shapes.width[0]), float(shapes.height[0])

    def tracked_keyframe(self, start, start_box, box):
        x, y, width, height = box
        return {"x": x, "y": y, "width": width, "height": height, "rotation": 0}


@hookimpl
def register_tags(register):
    register(VideoRectangle())
