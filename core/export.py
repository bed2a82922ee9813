"""The exporter interface and the export job: tracks of a task file, boxes from the plugins."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO, Callable, ClassVar, Iterator

from msgspec import UNSET

from .interpolate import frame_range
from .schema import Annotation, Region, Task, VideoRectangleValue
from .tasks import TaskFile, region_fps
from .track import Boxes, Track


class Exporter:
    """Base class of output formats; a plugin subclasses it and registers an instance.

    A `single_file` exporter writes to a binary stream (a file, or stdout with `--out -`);
    otherwise `export` gets a fresh directory that is moved into place once complete.
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""
    single_file: ClassVar[bool] = True

    def export(self, job: "ExportJob", target: BinaryIO) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class TrackItem:
    """One region's track, ready for an exporter: its task, label, fps and per-frame boxes."""

    location: tuple[int, str, int, int]  # task index, kind, annotation index, result index
    task: Task
    annotation: Annotation
    region: Region
    track: Track
    boxes: Boxes  # every frame 1..framesCount, visible or not
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


@dataclass
class ExportJob:
    """What an exporter works from: the tasks, the config (if any) and the plugin registry."""

    tasks: TaskFile
    registry: object
    config: object = None
    progress: Callable[[int], None] = field(default=lambda n: None)

    def track_count(self) -> int:
        return sum(isinstance(item[3].value, VideoRectangleValue) for item in self.tasks.regions())

    def interpolator_for(self, region: Region):
        control = None
        if self.config is not None and isinstance(region.from_name, str):
            control = self.config.by_name.get(region.from_name)
        name = self.registry.choose_interpolator(control) if control is not None else "linear"
        return self.registry.interpolator(name)

    def tracks(self, predictions: bool = False, sort: bool = False) -> Iterator[TrackItem]:
        """Every videorectangle track of the annotations (and predictions if asked), in file
        order or sorted by task id (else position) and region id."""
        regions = self.tasks.regions()
        if sort:
            regions = sorted(regions, key=lambda r: (_order(_task_key(r[1], r[0])), _order(r[3].id)))
        for location, task, annotation, region in regions:
            if not isinstance(region.value, VideoRectangleValue):
                continue
            if not predictions and location[1] == "predictions":
                self.progress(1)
                continue
            value = region.value
            track = Track.from_keyframes(value.sequence)
            boxes = self.interpolator_for(region).boxes(track, frame_range(value.framesCount))
            labels = value.labels if isinstance(value.labels, list) else []
            yield TrackItem(location, task, annotation, region, track, boxes,
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
