"""A task's result as the tag and interpolator plugins shape it, frame by frame (with the task's
video for interpolators that look at the images): what the tracks routes answer and the
precompute job computes ahead."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from tracklabel.core.export import ExportJob, ExportOptions

from .plugins import registry
from .validate import check_tasks
from .videos import DECODER


def shapes_job(task: dict, config, result: list, frames_count: int | None) -> ExportJob:
    """The job that shapes the result's regions (`job.shapes(0, region, frames)`); close it after.
    A region's frame size is its own, else the video's, as in the host's exports."""
    keyframed, media = keyframed_types(), task.get("media") or {}
    result = [with_media(item, media, keyframed) for item in result]
    loaded = check_tasks({"data": task["data"], "annotations": [{"result": result}]}, config, frames_count)
    path = task.get("video_path")
    return ExportJob(loaded, registry(), config, options=ExportOptions(
        video=Path(path) if path and Path(path).is_file() else None, decoder=DECODER,
        data_dir=Path(current_app.config["DATA_DIR"])))


def keyframed_types() -> set[str]:
    """The region types (lower case) of the keyframed tags."""
    return {tag.region_type.lower() for tag in registry().tags.values() if tag.keyframed and tag.region_type}


def with_media(item, media: dict, keyframed: set[str]):
    """A keyframed region with the probed frame size and count where it has none."""
    if not (isinstance(item, dict) and isinstance(item.get("value"), dict)
            and str(item.get("type", "")).lower() in keyframed):
        return item
    item = {**item, "value": dict(item["value"])}
    if media.get("width") and media.get("height"):
        item.setdefault("original_width", media["width"])
        item.setdefault("original_height", media["height"])
    if media.get("frames"):
        item["value"].setdefault("framesCount", media["frames"])
    return item


def keyframed_regions(job: ExportJob) -> list:
    """The job's regions that are keyframed shapes (not ranges), in result order."""
    return [r for *_, r in job.tasks.regions() if job.registry.region_tag(r.type).keyframed]


def looks_at_video(config) -> bool:
    """Whether a control of the config chose an interpolator that needs the video (image-guided)."""
    reg = registry()
    return any(reg.interpolator(reg.choose_interpolator(control)).needs_video
               for control in config.by_name.values())
