"""<VideoEllipse name toName>: ellipses keyed on frames of a <Video>, tracked like boxes."""

from __future__ import annotations

import math
from pathlib import Path

from tracklabel.core.tags import Attr, Tag

from .shapes import Ellipses, VideoEllipseValue, interpolate


class VideoEllipse(Tag):
    """Regions of type `videoellipse`; the player module is videoellipse.js beside this file."""

    name = "VideoEllipse"
    kind = "control"
    module = Path(__file__).with_name("videoellipse.js")
    attributes = {
        "name": Attr(str, required=True),
        "toName": Attr(str, required=True),
        "interpolation": Attr(str, "linear"),
        "strokeColor": Attr(str),
        "opacity": Attr(float),
    }
    region_type = "videoellipse"
    region_struct = VideoEllipseValue
    keyframed = True
    trackable = True

    def check(self, node, config):
        for target in node.to_names:
            obj = config.by_name.get(target)
            if obj is not None and obj.tag.kind == "object" and obj.tag.name != "Video":
                yield f'toName "{target}" must name a <Video>, not <{obj.xml_name}>'
        interpolator = config.registry.interpolators.get(config.interpolator_name(node))
        if interpolator is None or interpolator.needs_video:
            yield (f'interpolation "{config.interpolator_name(node)}" is not one that moves '
                   f"shapes (loaded: {', '.join(sorted(config.registry.interpolators))})")

    def shapes(self, value, frames, interpolator, video=None) -> Ellipses:
        return interpolate(value.sequence, frames, interpolator)

    def track_box(self, shapes: Ellipses, width, height):
        """The rotated ellipse's bounding box, in percent of the frame."""
        left, top, w, h = (float(v[0]) for v in shapes.bbox(width, height))
        return left * 100 / width, top * 100 / height, w * 100 / width, h * 100 / height

    def tracked_keyframe(self, start, start_box, box):
        """The centre moves with the box's centre; each axis of the ellipse stretches as the
        box does along it; the rotation stays."""
        (x0, y0, w0, h0), (x1, y1, w1, h1) = start_box, box
        sx, sy = w1 / w0, h1 / h0
        turn = math.radians(start["rotation"])
        return {"x": start["x"] + (x1 + w1 / 2) - (x0 + w0 / 2),
                "y": start["y"] + (y1 + h1 / 2) - (y0 + h0 / 2),
                "radiusX": start["radiusX"] * math.hypot(sx * math.cos(turn), sy * math.sin(turn)),
                "radiusY": start["radiusY"] * math.hypot(sx * math.sin(turn), sy * math.cos(turn)),
                "rotation": start["rotation"]}
