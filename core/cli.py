"""The `tracklabel` command line."""

from __future__ import annotations

import json
import sys
from contextlib import closing
from pathlib import Path

import click

from . import cli_track, cli_video
from .cli_common import check_output, force_option, output_folder, output_stream, progress_bar as _progress
from .cli_common import read_config as _config, warn as _warn
from .cli_formats import FormatCommand, chosen, given_options
from .config import load_config
from .errors import InputError, PluginError, Problem
from .export import ExportJob, ExportOptions
from .importer import ImportOptions
from .plugins import REGISTRY_HOOKS, call_hook, get_plugin_manager, load_registry
from .schema import MAX_FRAMES_COUNT
from .tasks import load_tasks, read_tasks


class _Cli(click.Group):
    """Adds the plugins' commands (register_commands) when first asked, and turns
    tracklabel's own errors into a clear message and a fitting exit code."""

    plugins_added = False

    def _add_plugin_commands(self, ctx) -> None:
        if not self.plugins_added:
            self.plugins_added = True
            try:
                call_hook(get_plugin_manager(), "register_commands", cli=self)
            except PluginError as exc:
                click.echo(f"error: {exc}", err=True)
                ctx.exit(1)

    def list_commands(self, ctx):
        self._add_plugin_commands(ctx)
        return super().list_commands(ctx)

    def get_command(self, ctx, name):
        self._add_plugin_commands(ctx)
        return super().get_command(ctx, name)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InputError as exc:
            for problem in exc.problems:
                click.echo(f"error: {problem}", err=True)
            ctx.exit(2)
        except PluginError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=_Cli)
@click.version_option(package_name="tracklabel")
def main():
    """tracklabel: frame-accurate video annotation, from the command line."""


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def plugins(as_json):
    """List the loaded plugins, their distributions, hooks and what they registered."""
    registry = load_registry()
    rows = []
    for name, plugin in registry.pm.list_name_plugin():
        dist = registry.pm.distributions.get(name)
        hooks = sorted(h.name for h in registry.pm.get_hookcallers(plugin) or [])
        provides = {
            kind: sorted(getattr(registry, kind)[key].name
                         for (k, key), owner in registry.owners.items()
                         if k == kind and owner == name)
            for kind in REGISTRY_HOOKS
        }
        rows.append({
            "name": name,
            "distribution": dist.name if dist else "tracklabel (builtin)",
            "hooks": hooks,
            **{kind: names for kind, names in provides.items() if names},
        })
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(f"{row['name']}  [{row['distribution']}]")
        click.echo(f"    hooks: {', '.join(row['hooks'])}")
        for kind in REGISTRY_HOOKS:
            if kind in row:
                click.echo(f"    {kind}: {', '.join(row[kind])}")


@main.group()
def config():
    """Labeling configs."""


@config.command("check")
@click.argument("config_file", type=click.Path(dir_okay=False, path_type=Path))
def config_check(config_file):
    """Check a Label Studio labeling config; exit 2 listing every problem."""
    parsed = load_config(config_file, load_registry())
    _warn(parsed.warnings)
    controls = ", ".join(f"{n.xml_name} {n.name!r}" for n in parsed.controls())
    click.echo(f"{config_file}: valid ({controls or 'no controls'})")


def _export_options(command):
    """The flags every export shares (pixel size, rate, clipping, frame images, the video)."""
    options = [
        click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
                     help="The project's labeling config (labels, interpolation, frame rate)."),
        click.option("--out", "out", required=True,
                     help="Output path, or - for stdout (one-file formats)."),
        click.option("--frames-count", type=click.IntRange(1, MAX_FRAMES_COUNT),
                     help="Frame count for regions that lack framesCount."),
        click.option("--width", type=click.FloatRange(min=1, min_open=False),
                     help="Video width in pixels (pixel formats)."),
        click.option("--height", type=click.FloatRange(min=1, min_open=False),
                     help="Video height in pixels (pixel formats)."),
        click.option("--fps", type=click.FloatRange(min=0, min_open=True), help="Frame rate."),
        click.option("--clip", is_flag=True, help="Cut axis-aligned boxes to the frame."),
        click.option("--with-frames", is_flag=True,
                     help="Dataset formats: write the frame images too (needs the video)."),
        click.option("--media-root", type=click.Path(file_okay=False, path_type=Path),
                     help="Where the tasks' relative video paths are (default: beside the input)."),
        click.option("--video", "video_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="The video of a single-task file (for frames, sizes and image-guided boxes)."),
    ]
    for option in reversed(options):
        command = option(command)
    return force_option(cli_video.video_options(command))


@main.command(cls=FormatCommand, formats={"--format": "exporters"})
@click.argument("tasks_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "format_name", required=True,
              help="Export format (see `tracklabel plugins`); `--format NAME --help` shows its own options.")
@_export_options
def export(tasks_file, format_name, config_file, out, frames_count, force, **flags):
    """Export a task file (Label Studio tasks or export JSON) in any registered format."""
    exporter, registry = chosen("--format")
    own = given_options(exporter, flags)
    _check_out(out, exporter, force)
    config = _config(config_file, registry)
    tasks = read_tasks(tasks_file, registry, config, frames_count)
    _warn(tasks.warnings)
    _write(_job(tasks, registry, config, exporter, own, flags), exporter, out, force)


@main.command(cls=FormatCommand, formats={"--from": "importers", "--to": "exporters"})
@click.argument("source", type=click.Path(exists=False, path_type=Path))
@click.option("--from", "from_name", required=True,
              help="Input format (see `tracklabel plugins`); with --to and --help, both formats' own options.")
@click.option("--to", "to_name", required=True, help="Output format.")
@_export_options
def convert(source, from_name, to_name, config_file, out, frames_count, force, **flags):
    """Convert between formats; needs no video when --width, --height, --fps and
    --frames-count are given (or the input carries them)."""
    importer, registry = chosen("--from")
    exporter, _ = chosen("--to")
    imported, own = given_options(importer, flags), given_options(exporter, flags)
    _check_out(out, exporter, force)
    export_options = _options(flags)  # checks --width, --height and --fps before the importer
    config = _config(config_file, registry)
    if not source.exists():
        raise InputError(Problem(str(source), "no such file or folder"))
    options = ImportOptions.for_config(
        config, width=flags["width"], height=flags["height"], fps=flags["fps"],
        frames_count=frames_count, format_options=imported, registry=registry)
    raw = importer.read(source, options)
    tasks = load_tasks(raw, registry, config, frames_count, source=str(source))
    _warn(tasks.warnings)
    _write(_job(tasks, registry, config, exporter, own, flags, export_options), exporter, out, force)


def _job(tasks, registry, config, exporter, own: dict, flags, options=None) -> ExportJob:
    return ExportJob(tasks, registry, config, options=options or _options(flags),
                     format=exporter.name, format_options=own)


def _options(flags) -> ExportOptions:
    return ExportOptions(width=flags["width"], height=flags["height"], fps=flags["fps"],
                         clip=flags["clip"], with_frames=flags["with_frames"],
                         media_root=flags["media_root"], decoder=flags["decoder_name"],
                         data_dir=flags["data_dir"], video=flags["video_path"])


def _check_out(out: str, exporter, force: bool) -> None:
    """Refuse a bad --out before any work: stdout for a folder format, an existing path."""
    if out == "-":
        if not exporter.single_file:
            raise click.BadParameter(f"format {exporter.name!r} writes a folder", param_hint="--out")
        return
    check_output(Path(out), not exporter.single_file, force)


def _write(job: ExportJob, exporter, out: str, force: bool) -> None:
    """Run the exporter into `out` (written beside it, then moved in), or to stdout for `-`."""
    with _progress(job.track_count(), f"exporting {exporter.name}") as bar, closing(job):
        job.progress = bar
        if out == "-":
            exporter.export(job, sys.stdout.buffer)
            sys.stdout.buffer.flush()
            _warn(job.warnings)
            return
        writing = output_stream if exporter.single_file else output_folder
        with writing(Path(out), force) as target:
            exporter.export(job, target)
    _warn(job.warnings)
    click.echo(f"wrote {out} ({exporter.name}, {job.track_count()} tracks)", err=True)


main.add_command(cli_video.probe)
main.add_command(cli_video.frame)
main.add_command(cli_video.proxy)
main.add_command(cli_track.track)
