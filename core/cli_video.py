"""Video commands: `probe`, `frame` and `proxy`."""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click
import cv2

from .cli_common import check_output, force_option, output_file
from .decoding import IndexCache, Video
from .errors import InputError, PluginError, Problem
from .plugins import load_registry


def _default_data_dir() -> str:
    return os.path.join(os.path.expanduser("~"), ".cache", "tracklabel")


def video_options(command):
    """--decoder and --data-dir."""
    command = click.option("--decoder", "decoder_name", default="pyav", show_default=True,
                           help="Decoder plugin (see `tracklabel plugins`).")(command)
    return click.option("--data-dir", envvar="TRACKLABEL_DATA", default=_default_data_dir,
                        type=click.Path(file_okay=False, path_type=Path),
                        help="Where frame indexes are cached [env TRACKLABEL_DATA; "
                             "default ~/.cache/tracklabel].")(command)


@contextmanager
def _open(path: str, decoder_name: str, data_dir: Path):
    """The video, indexed (with a progress bar on stderr when the index is not cached yet)."""
    try:
        decoder = load_registry().decoder(decoder_name)
    except PluginError as exc:
        raise click.BadParameter(str(exc), param_hint="--decoder") from None
    bar = None

    def progress(fraction: float) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=1000, label=f"indexing {path}", file=sys.stderr)
            bar.__enter__()
        bar.update(int(fraction * 1000) - bar.pos)

    try:
        video = Video(path, decoder, IndexCache(data_dir), progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    with video:
        yield video


def summary(video: Video) -> dict:
    """What `probe --json` prints for one video."""
    probe, index = video.probe, video.index
    return {
        "path": video.path, "container": probe.container, "codec": probe.codec,
        "width": probe.width, "height": probe.height, "display_aspect": probe.display_aspect,
        "rotation": probe.rotation, "frames": index.count, "header_frames": probe.header_frames,
        "fps": video.fps, "avg_rate": probe.avg_rate, "guessed_rate": probe.guessed_rate,
        "constant_rate": index.constant_rate, "reordered": index.reordered,
        "duration": index.duration, "start_time": index.start_time,
        "keyframes": len(index.keyframes), "max_keyframe_interval": index.max_keyframe_interval(),
        "skipped_packets": index.skipped_packets, "decoder": index.decoder,
        "proxy_reasons": video.proxy_reasons(),
    }


@click.command()
@click.argument("videos", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file (JSON lines).")
@video_options
def probe(videos, as_json, decoder_name, data_dir):
    """Probe and index videos: the decoded frame count, rate, size and start time of each."""
    problems = []
    if not as_json:
        click.echo(f"{'frames':>7} {'fps':>8} {'rate':8} {'duration':>9} {'start':>7} "
                   f"{'size':>9} {'codec':6} path")
    for path in videos:
        try:
            with _open(path, decoder_name, data_dir) as video:
                row = summary(video)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if as_json:
            click.echo(json.dumps(row))
            continue
        fps = f"{row['fps']:.3f}" if row["fps"] else "-"
        click.echo(f"{row['frames']:>7} {fps:>8} "
                   f"{'constant' if row['constant_rate'] else 'variable':8} "
                   f"{row['duration']:>9.3f} {row['start_time']:>7.3f} "
                   f"{str(row['width']) + 'x' + str(row['height']):>9} {row['codec'] or '-':6} {path}")
    if problems:
        raise InputError(problems)


@click.command()
@click.argument("video")
@click.argument("number", type=int)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="PNG file to write.")
@force_option
@video_options
def frame(video, number, out, force, decoder_name, data_dir):
    """Write frame NUMBER (1-based, as Label Studio counts) of VIDEO as a PNG."""
    check_output(out, False, force)
    with _open(video, decoder_name, data_dir) as opened:
        rgb = opened.frame_number(number)
    ok, png = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if not ok:
        raise InputError(Problem(str(out), "could not encode the PNG"))
    with output_file(out, force) as tmp:
        Path(tmp).write_bytes(png.tobytes())
    click.echo(f"wrote {out} (frame {number} of {video}, {rgb.shape[1]}x{rgb.shape[0]})", err=True)


@click.command()
@click.argument("video")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The proxy mp4 to write.")
@force_option
@video_options
def proxy(video, out, force, decoder_name, data_dir):
    """Transcode VIDEO to a browser proxy: H.264 mp4 with the same frames and timestamps."""
    if out.exists() and out.resolve() == Path(video).resolve():
        raise InputError(Problem(str(out), "the proxy would overwrite its source"))
    check_output(out, False, force)
    with _open(video, decoder_name, data_dir) as opened:
        reasons = opened.proxy_reasons()
        with output_file(out, force) as tmp, click.progressbar(length=opened.index.count, file=sys.stderr,
                                                    label=f"transcoding {video}") as bar:
            opened.write_proxy(tmp, lambda fraction: bar.update(
                round(fraction * opened.index.count) - bar.pos))
        count = opened.index.count
    why = "; ".join(reasons) if reasons else "the source itself is browser-playable"
    click.echo(f"wrote {out} ({count} frames; {why})", err=True)
