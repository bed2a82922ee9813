"""<VideoRectangle>: tracked boxes on a video, with our `interpolation` attribute."""

from pathlib import Path

from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.schema import BoxKeyframe, KeyframedValue
from tracklabel.core.tags import Attr, Tag
from tracklabel.core.track import Boxes, Track

from .video_controls import SHAPE_ATTRIBUTES, check_interpolation, check_targets

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
        **SHAPE_ATTRIBUTES,
        "smart": Attr(bool, False),
        "smartOnly": Attr(bool, False),
    }
    region_type = "videorectangle"
    region_struct = VideoRectangleValue
    keyframed = True
    trackable = True

    def check(self, node, config):
        yield from check_targets(node, config)
        yield from check_interpolation(node, config, moves_boxes=True)

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
