"""The builtin plugins: ordinary plugin modules, registered before any installed third-party one."""

DEFAULT_PLUGINS = (
    "tracklabel.plugins.tags.layout",
    "tracklabel.plugins.tags.video",
    "tracklabel.plugins.tags.videorectangle",
    "tracklabel.plugins.tags.labels",
    "tracklabel.plugins.interpolators.linear",
    "tracklabel.plugins.interpolators.step",
    "tracklabel.plugins.interpolators.image_guided",
    "tracklabel.plugins.exporters.ls_json",
    "tracklabel.plugins.exporters.jsonl",
    "tracklabel.plugins.exporters.mot",
    "tracklabel.plugins.exporters.cvat",
    "tracklabel.plugins.exporters.yolo",
    "tracklabel.plugins.exporters.coco_vid",
    "tracklabel.plugins.decoders.pyav",
    "tracklabel.plugins.decoders.opencv",
    "tracklabel.plugins.trackers.kcf",
    "tracklabel.plugins.trackers.csrt",
    "tracklabel.plugins.trackers.mosse",
    "tracklabel.plugins.trackers.mil",
    "tracklabel.host.commands",
)
