"""<Video>: the object tag that shows a video from a task field."""

from pathlib import Path

from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.tags import Attr, Tag

MODULE = Path(__file__).with_suffix(".js")


class Video(Tag):
    """A video; `frameRate` may be a number, a "$field" of the task, or left out (then the
    probed rate of each video is used)."""

    name = "Video"
    kind = "object"
    module = MODULE
    attributes = {
        "name": Attr(str, required=True),
        "value": Attr(str, required=True),
        "frameRate": Attr(float, field_ref=True),
        "sync": Attr(str),
        "height": Attr(int, 600),
        "timelineHeight": Attr(int, 64),
        "muted": Attr(bool, False),
        "defaultPlaybackSpeed": Attr(float, 1.0),
        "minPlaybackSpeed": Attr(float, 0.25),
    }

    def check(self, node, config):
        rate = node.attrs.get("frameRate")
        if isinstance(rate, float) and rate <= 0:
            yield f"frameRate={rate:g} must be positive"


@hookimpl
def register_tags(register):
    register(Video())
