"""`tracklabel track`: track one region of a task file through its video."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .autotrack import find_region, track_region
from .cli_common import check_output, force_option, output_stream, progress_bar, read_config
from .cli_video import _open, video_options
from .errors import InputError, PluginError, Problem
from .export import ExportJob
from .keyframes import TOLERANCE
from .plugins import load_registry
from .tasks import load_tasks, region_fps


@click.command()
@click.argument("tasks_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--region", "region_id", required=True, help="The id of the region to track.")
@click.option("--from", "start", required=True, type=int, help="The 1-based frame to start from.")
@click.option("--to", "stop", type=int,
              help="The frame to stop at (default: the next manual keyframe, else the video's end).")
@click.option("--backward", is_flag=True, help="Track towards earlier frames.")
@click.option("--tracker", "tracker_name", default="kcf", show_default=True,
              help="Tracker plugin (see `tracklabel plugins`).")
@click.option("--tolerance", type=click.FloatRange(0, 1, min_open=True), default=TOLERANCE,
              show_default=True, help="IoU the kept keyframes' interpolation keeps with every tracked box.")
@click.option("--video", "video_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The task's video (default: the path in the task's data, beside the task file).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="The project's labeling config (frame rate, video field).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the task file with the region's keyframes updated.")
@force_option
@video_options
def track(tasks_file, region_id, start, stop, backward, tracker_name, tolerance, video_path,
          config_file, out, force, decoder_name, data_dir):
    """Track a region from a frame until the object is lost or a stop frame, and write the
    task file back with a few auto keyframes in place of the span's old ones."""
    check_output(out, False, force)
    registry = load_registry()
    try:
        tracker = registry.tracker(tracker_name)
    except PluginError as exc:
        raise click.BadParameter(str(exc), param_hint="--tracker") from None
    config = read_config(config_file, registry)
    try:
        raw = json.loads(tasks_file.read_bytes())
    except OSError as exc:
        raise InputError(Problem(str(tasks_file), f"cannot read task file: {exc.strerror}")) from None
    except ValueError as exc:
        raise InputError(Problem(str(tasks_file), f"malformed JSON: {exc}")) from None
    tasks = load_tasks(raw, registry, config, source=str(tasks_file))
    (t, kind, a, r), task, region = find_region(tasks, region_id, registry)
    if video_path is None:
        video_path = ExportJob(tasks, registry, config).video_path(task)
        if video_path is None:
            raise InputError(Problem(f"{tasks_file}: $[{t}]", "the task's video file is not found: pass --video"))
    with _open(str(video_path), decoder_name, data_dir) as video, \
            progress_bar(1000, f"tracking {region_id}") as bar:
        done = [0]

        def progress(fraction: float) -> None:
            bar(int(fraction * 1000) - done[0])
            done[0] = int(fraction * 1000)

        result = track_region(video, region, registry.region_tag(region.type), start, tracker(), registry.interpolator("linear"),
                              backward, stop, tolerance, region_fps(region, task, config) or video.fps,
                              progress, where=f"{tasks_file}: region {region_id!r}")
    items = [raw] if isinstance(raw, dict) else raw
    items[t][kind][a]["result"][r]["value"]["sequence"] = result.sequence
    with output_stream(out, force) as stream:
        stream.write(json.dumps(raw, ensure_ascii=False, indent=2).encode() + b"\n")
    ended = f"lost at frame {result.lost_at}" if result.lost_at else "not lost"
    auto = sum(1 for k in result.sequence if k.get("auto") and result.span[0] <= k["frame"] <= result.span[1])
    click.echo(f"wrote {out}: tracked {result.tracked} frames ({ended}), {auto} auto keyframes "
               f"in frames {result.span[0]}..{result.span[1]}", err=True)
