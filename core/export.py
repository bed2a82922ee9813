"""The exporter interface and the export job: tracks of a task file, shapes from the tag plugins."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Callable, ClassVar, Iterator

from msgspec import UNSET

from .decoding import IndexCache, Video
from .errors import InputError, PluginError, Problem, Warnings
from .interpolate import AtSize, frame_range
from .options import Option, option_values
from .schema import MAX_FPS, MAX_PIXELS, MIN_FPS, Annotation, Region, Task
from .shapes import Shapes
from .tasks import TaskFile, region_fps


ANY_KIND = "*"  # in `ExportJob.tracks(kinds=...)`: shapes of every kind


class Exporter:
    """Base class of output formats; a plugin subclasses it and registers an instance.

    A `single_file` exporter writes to a binary stream (a file, or stdout with `--out -`);
    otherwise `export` gets a fresh directory that is moved into place once complete.
    `suffix` and `media_type` describe the download a server makes of it (a folder's is a zip
    archive); `options` are the format's own choices beyond the common `ExportOptions`,
    read in `export` with `job.option(name)`.
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""
    single_file: ClassVar[bool] = True
    suffix: ClassVar[str] = ""
    media_type: ClassVar[str] = "application/octet-stream"
    options: ClassVar[tuple[Option, ...]] = ()

    def option_values(self, given: dict) -> dict:
        """Every option of this format: the given values checked and typed, else defaults;
        an InputError naming an option that is bad or not one of this format's."""
        return option_values(self.options, given, f"format {self.name!r}")

    def export(self, job: "ExportJob", target: BinaryIO) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class TrackItem:
    """One keyframed region, ready for an exporter: its task, tag, label, fps and per-frame shapes."""

    location: tuple[int, str, int, int]  # task index, kind, annotation index, result index
    task: Task
    annotation: Annotation
    region: Region
    tag: object  # the Tag whose regions these are
    shapes: Shapes  # every frame 1..framesCount, visible or not
    label: str | None
    fps: float | None

    @property
    def region_id(self):
        """The region's id, or None when it has none."""
        return None if self.region.id is UNSET else self.region.id

    @property
    def task_key(self):
        """The task's id, or its 1-based position in the file when it has none."""
        return _task_key(self.task, self.location)


@dataclass(frozen=True)
class ExportOptions:
    """The choices every export shares; each format reads the ones it needs, and its own
    options (`Exporter.options`) come through `ExportJob.option`."""

    width: int | None = None  # frame size in pixels, when no region or probe gives it
    height: int | None = None
    fps: float | None = None  # frame rate, when no config or region gives it
    clip: bool = False  # cut axis-aligned boxes to the frame
    with_frames: bool = False  # dataset formats: write the frame images too
    media_root: Path | None = None  # where relative video paths of tasks are found
    decoder: str = "pyav"
    data_dir: Path | None = None  # frame index cache
    video: Path | None = None  # the video of a single-task file, whatever its data says
    videos: dict | None = None  # task id -> its video file, where the caller knows them (a server)

    def __post_init__(self):
        """A frame size or rate out of range is an InputError naming the option."""
        for name, low, high, unit in (("width", 1, MAX_PIXELS, "pixels"), ("height", 1, MAX_PIXELS, "pixels"),
                                      ("fps", MIN_FPS, MAX_FPS, "frames a second")):
            value = getattr(self, name)
            if value is not None and not low <= value <= high:
                raise InputError(Problem(name, f"{name} {value:g} is outside {low:g}..{high:g} {unit}"))


@dataclass
class ExportJob:
    """What an exporter works from: the tasks, the config (if any) and the plugin registry."""

    tasks: TaskFile
    registry: object
    config: object = None
    progress: Callable[[int], None] = field(default=lambda n: None)
    options: ExportOptions = field(default_factory=ExportOptions)
    warnings: Warnings = field(default_factory=Warnings)
    format: str = ""  # the exporter's name, for its warnings and its options' defaults
    format_options: dict = field(default_factory=dict)  # its own options, checked (Exporter.option_values)
    _videos: dict = field(default_factory=dict, repr=False)
    _left_out: set = field(default_factory=set, repr=False)

    def option(self, name: str):
        """One of the exporter's own options: as given, else the default it declares."""
        if name in self.format_options:
            return self.format_options[name]
        exporter = self.registry.exporters.get(self.format)
        for option in getattr(exporter, "options", ()):
            if option.name == name:
                return option.default
        if exporter is None:
            raise PluginError(f"option {name!r} asked of an export job for no registered format "
                              f"({self.format!r}): give ExportJob its format")
        raise PluginError(f"export format {self.format!r} declares no option {name!r}")

    def labels(self) -> list[str]:
        """Label values in class order: the config's, else first seen in the annotations."""
        if self.config is not None:
            values: list[str] = []
            for control in self.config.controls():
                if control.tag.keyframed:
                    values += [v for v in self.config.labels_for(control) if v not in values]
            if values:
                return values
        seen: dict[str, None] = {}
        for _, _, _, region in self.tasks.regions():
            tag = self.registry.region_tag(region.type)
            if tag.keyframed:
                seen.update(dict.fromkeys(tag.labels(region.value)))
        return list(seen)

    def class_index(self, item: TrackItem, labels: list[str]) -> int | None:
        """The 0-based class of a track's label; None for a region with no label, which the
        format leaves out (warned of once per export, at the first); an unknown label is an
        InputError."""
        if item.label in labels:
            return labels.index(item.label)
        if item.label is None:
            if None not in self._left_out:  # the key of unlabelled regions (types are strings)
                self._left_out.add(None)
                self.warnings.add(self.where(item), f"regions with no label are left out: "
                                                    f"{self.format or 'this format'} needs a class for each")
            return None
        raise InputError(Problem(self.where(item), f"region has label {item.label!r}, not among {labels}; "
                                                   "this format needs a class"))

    def frame_size(self, item: TrackItem) -> tuple[float, float]:
        """The video's width and height in pixels: from the options, the region, or the
        probe of the task's video file."""
        size = self.known_size(item.location[0], item.region)
        if size is None:
            raise InputError(Problem(self.where(item), "the video's width and height are unknown: "
                                                       "pass --width and --height, or make the "
                                                       "task's video file readable (--media-root)"))
        return size

    def known_size(self, task_index: int, region: Region) -> tuple[float, float] | None:
        """The frame size `frame_size` gives, or None where nothing gives it."""
        if self.options.width and self.options.height:
            return self.options.width, self.options.height
        width, height = region.original_width, region.original_height
        if width is not UNSET and height is not UNSET:
            return width, height
        video = self.video(task_index)
        return None if video is None else (video.probe.width, video.probe.height)

    def video(self, task_index: int):
        """The task's video through the chosen decoder when its file is at hand, else None;
        an InputError naming the task when the file is there but cannot be decoded."""
        if task_index not in self._videos:
            path = self.video_path(self.tasks.tasks[task_index])
            if path is None:
                self._videos[task_index] = None
            else:
                cache = IndexCache(self.options.data_dir) if self.options.data_dir else None
                try:
                    self._videos[task_index] = Video(path, self.registry.decoder(self.options.decoder), cache)
                except InputError as exc:
                    raise InputError([Problem(f"{self._task_where(task_index)}: video {path}", p.message)
                                      for p in exc.problems]) from None
        return self._videos[task_index]

    def video_path(self, task: Task) -> Path | None:
        """The task's video file: --video for a single-task file, else its data field (the
        config's Video value, else any string) as a path, absolute or under the media root
        (default: the task file's folder)."""
        if self.options.video is not None:
            if len(self.tasks.tasks) != 1:
                raise InputError(Problem(self.tasks.source, f"--video names one video, and the file has "
                                                            f"{len(self.tasks.tasks)} tasks"))
            return self.options.video
        if self.options.videos and task.id in self.options.videos:
            return Path(self.options.videos[task.id])
        fields = [o.attrs["value"][1:] for o in self.config.objects()] if self.config is not None else []
        values = [task.data.get(f) for f in fields] or list(task.data.values())
        root = self.options.media_root or Path(self.tasks.source).parent
        for value in values:
            if isinstance(value, str) and value and "://" not in value:
                path = Path(value) if Path(value).is_absolute() else root / value
                if path.is_file():
                    return path
        return None

    def close(self) -> None:
        for video in self._videos.values():
            if video is not None:
                video.close()
        self._videos.clear()

    def fps(self, item: TrackItem) -> float | None:
        return item.fps or self.options.fps

    def where(self, item: TrackItem) -> str:
        t, kind, a, r = item.location
        return f"{self.tasks.source}: $[{t}].{kind}[{a}].result[{r}]"

    def by_task(self, kinds: tuple[str, ...] | None = None) -> Iterator[tuple[int, Task, list[TrackItem]]]:
        """The annotation tracks (of `kinds`, as `tracks`) grouped by task, tasks in file order."""
        current, items = None, []
        for item in self.tracks(kinds=kinds):
            if current is not None and item.location[0] != current:
                yield current, self.tasks.tasks[current], items
                items = []
            current = item.location[0]
            items.append(item)
        if current is not None:
            yield current, self.tasks.tasks[current], items

    def track_count(self) -> int:
        return sum(self.registry.region_tag(item[3].type).keyframed for item in self.tasks.regions())

    def shapes(self, task_index: int, region: Region, frames) -> Shapes:
        """The region's shapes at these frames from its tag and interpolator, with the task's
        video or the frame's size when the interpolator needs them (an InputError naming the task
        when they cannot be had)."""
        tag = self.registry.region_tag(region.type)
        interpolator = self.interpolator_for(region)
        if interpolator.needs_size:
            size = self.known_size(task_index, region)
            if size is None:
                raise InputError(Problem(self._task_where(task_index),
                                         f"interpolator {interpolator.name!r} needs the video's width and "
                                         "height: pass --width and --height, or make the task's video file "
                                         "readable (--media-root)"))
            interpolator = AtSize(interpolator, size)
        if not interpolator.needs_video:
            return tag.shapes(region.value, frames, interpolator)
        video = self.video(task_index)
        if video is None:
            raise InputError(Problem(self._task_where(task_index),
                                     f"interpolator {interpolator.name!r} needs the task's video, and no "
                                     "file named in its data is found: pass --video or --media-root"))
        return tag.shapes(region.value, frames, interpolator, video=video)

    def leave_out(self, region: Region, location: tuple, why: str) -> None:
        """Warn, once per region type, that this format does not write such regions: `why`
        continues the format's name ("holds ... shapes, and these are ...")."""
        if region.type.lower() in self._left_out:
            return
        self._left_out.add(region.type.lower())
        t, kind, a, r = location
        fmt = self.format or "this format"
        self.warnings.add(f"{self.tasks.source}: $[{t}].{kind}[{a}].result[{r}]",
                          f"{region.type} regions are left out: {fmt} {why}")

    def _task_where(self, task_index: int) -> str:
        task = self.tasks.tasks[task_index]
        return f"{self.tasks.source}: task {_task_key(task, (task_index,))}"

    def interpolator_for(self, region: Region):
        control = None
        if self.config is not None and isinstance(region.from_name, str):
            control = self.config.by_name.get(region.from_name)
        name = self.registry.choose_interpolator(control) if control is not None else "linear"
        return self.registry.interpolator(name)

    def tracks(self, predictions: bool = False, sort: bool = False,
               kinds: tuple[str, ...] | None = None) -> Iterator[TrackItem]:
        """Every keyframed region of the annotations (and predictions if asked), in file order
        or sorted by task id (else position) and region id.

        With `kinds` (Shapes kinds; ANY_KIND for any), only regions whose shapes are of one of
        them, and regions without shapes are left out too: both warned of, once per region
        type. Without, every keyframed region, and the others silently (for formats that
        write those their own way)."""
        regions = self.tasks.regions()
        if sort:
            regions = sorted(regions, key=lambda r: (_order(_task_key(r[1], r[0])), _order(r[3].id)))
        for location, task, annotation, region in regions:
            tag = self.registry.region_tag(region.type)
            unasked = not predictions and location[1] == "predictions"
            if not tag.keyframed:
                if kinds is not None and not unasked:
                    self.leave_out(region, location, "writes shapes, and these have none")
                continue
            if unasked:
                self.progress(1)
                continue
            shapes = self.shapes(location[0], region, frame_range(region.value.framesCount))
            if kinds is not None and shapes.kind not in kinds and ANY_KIND not in kinds:
                self.leave_out(region, location, f"holds {', '.join(kinds)} shapes, and these are "
                                                 f"{shapes.kind or 'another kind'} shapes")
                self.progress(1)
                continue
            labels = tag.labels(region.value)
            yield TrackItem(location, task, annotation, region, tag, shapes,
                            labels[0] if labels else None, region_fps(region, task, self.config))
            self.progress(1)


def _task_key(task: Task, location: tuple):
    return task.id if isinstance(task.id, (int, str)) else location[0] + 1


def _order(key):
    """Sort ints numerically before strings, strings as text, anything else last."""
    if isinstance(key, int):
        return (0, key, "")
    if isinstance(key, str):
        return (1, 0, key)
    return (2, 0, "")


def sequence_names(job: ExportJob) -> dict[int, str]:
    """A unique, file-safe name per task index: its video's file stem, else task-<id>."""
    names: dict[int, str] = {}
    used: set[str] = set()
    fields = [o.attrs["value"][1:] for o in job.config.objects()] if job.config is not None else []
    for t, task in enumerate(job.tasks.tasks):
        source = next((task.data[f] for f in fields if isinstance(task.data.get(f), str)), None)
        if source is None:
            source = next((v for v in task.data.values() if isinstance(v, str)), None)
        stem = PurePosixPath(source.split("?")[0]).stem if source else ""
        base = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or f"task-{_task_key(task, (t,))}"
        name, n = base, 2
        while name in used:
            name, n = f"{base}-{n}", n + 1
        used.add(name)
        names[t] = name
    return names
