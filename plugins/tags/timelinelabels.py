"""<TimelineLabels>: Label Studio's labelled frame ranges of a video (result type
`timelinelabels`), a timeline row per <Label>; ranges, not keyframed shapes."""

from pathlib import Path

from msgspec import UNSET, UnsetType

from tracklabel.core.errors import Problem
from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.schema import FrameNumber, Open
from tracklabel.core.tags import Attr, Tag

from .video_controls import check_targets

MODULE = Path(__file__).with_suffix(".js")


class FrameRange(Open, kw_only=True):
    """Frames `start` to `end`, 1-based and both included."""

    start: FrameNumber
    end: FrameNumber


class TimelineLabelsValue(Open, kw_only=True):
    """The `value` of a timelinelabels region: its ranges and its label."""

    ranges: list[FrameRange]
    timelinelabels: list[str] | UnsetType = UNSET


class TimelineLabels(Tag):
    """Labelled frame ranges of a <Video>, the labels being the tag's own <Label> children."""

    name = "TimelineLabels"
    kind = "control"
    module = MODULE
    attributes = {
        "name": Attr(str, required=True),
        "toName": Attr(str, required=True),
        "choice": Attr(str, "single", choices=("single", "multiple")),
        "maxUsages": Attr(int),
        "showInline": Attr(bool, True),
    }
    region_type = "timelinelabels"
    region_struct = TimelineLabelsValue
    keyframed = False
    trackable = False

    def check(self, node, config):
        yield from check_targets(node, config)
        if not any(child.tag.kind == "option" for child in node.children):
            yield "has no <Label>"

    def check_value(self, value, path, frames_count):
        for i, frame_range in enumerate(value.ranges):
            where = f"{path}.ranges[{i}]"
            if frame_range.end < frame_range.start:
                yield Problem(f"{where}.end", f"range ends (frame {frame_range.end}) before it "
                                              f"starts (frame {frame_range.start})")
            elif frames_count is not None and frame_range.end > frames_count:
                key = "start" if frame_range.start > frames_count else "end"
                yield Problem(f"{where}.{key}", f"frame {getattr(frame_range, key)} is past the "
                                                f"video's last frame ({frames_count})")

    def labels(self, value):
        return value.timelinelabels if isinstance(value.timelinelabels, list) else []


@hookimpl
def register_tags(register):
    register(TimelineLabels())
