"""What the builtin controls on a <Video> share: the attributes of the shape tags, the check that
`toName` names a <Video>, and the check of the `interpolation` a shape tag asks for."""

from tracklabel.core.tags import Attr

SHAPE_ATTRIBUTES = {
    "name": Attr(str, required=True),
    "toName": Attr(str, required=True),
    "interpolation": Attr(str, "linear"),
    "opacity": Attr(float),
    "fillColor": Attr(str),
    "strokeColor": Attr(str),
    "strokeWidth": Attr(float),
}


def check_targets(node, config):
    """A message for each `toName` that names an object other than a <Video>."""
    for target in node.to_names:
        obj = config.by_name.get(target)
        if obj is not None and obj.tag.kind == "object" and obj.tag.name != "Video":
            yield f'toName "{target}" must name a <Video>, not <{obj.xml_name}>'


def check_interpolation(node, config, moves_boxes: bool):
    """A message when the chosen interpolation is not registered, or follows boxes in the
    picture (needs the video) and the tag's shapes are not boxes."""
    chosen = config.interpolator_name(node)
    interpolator = config.registry.interpolators.get(chosen)
    if interpolator is None:
        known = ", ".join(sorted(config.registry.interpolators))
        yield f'interpolation "{chosen}" is not registered (loaded: {known})'
    elif interpolator.needs_video and not moves_boxes:
        yield (f'interpolation "{chosen}" follows boxes in the picture; <{node.xml_name}> '
               "moves points, with an interpolator that does not need the video (linear, step, ...)")
