"""The importer interface, the checks importers share, and turning per-frame pixel boxes
into a Label Studio region."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np

from .errors import InputError, PluginError, Problem
from .geometry import to_percent
from .options import Option, option_values
from .schema import MAX_DEGREES, MAX_PERCENT


@dataclass(frozen=True)
class ImportOptions:
    """What an importer may need beyond its file; None where the user gave nothing."""

    width: float | None = None
    height: float | None = None
    fps: float | None = None
    frames_count: int | None = None
    to_name: str = "video"  # the object the regions label, and the task's data field
    data_field: str = "video"
    config: object = None  # the labeling config given (--config), for formats that need it
    registry: object = None  # the plugin registry the tasks will be read with
    format_options: dict = field(default_factory=dict)  # the importer's own, checked (Importer.option_values)

    @classmethod
    def for_config(cls, config, **kwargs) -> "ImportOptions":
        """The object name and data field of the object the config's first keyframed
        control labels."""
        for control in config.controls() if config is not None else ():
            video = config.object_of(control)
            if control.tag.keyframed and video is not None and "value" in video.attrs:
                return cls(to_name=video.name, data_field=video.attrs["value"][1:], config=config,
                           **kwargs)
        return cls(config=config, **kwargs)

    def names(self, region_type: str, default: str) -> tuple[str, str]:
        """(from_name, to_name) for regions of this type: the config's first control that
        makes them and the object it labels; without one, `default` and `to_name`."""
        for control in self.config.controls() if self.config is not None else ():
            target = self.config.object_of(control)
            if control.tag.region_type == region_type and target is not None:
                return control.name, target.name
        return default, self.to_name


class Importer:
    """Base class of input formats; a plugin subclasses it and registers an instance.

    `read` returns Label Studio tasks as plain JSON data (lists and dicts); tracklabel then
    checks and normalises them like any task file. `options` are the format's own choices,
    read in `read` with `self.option(options, name)`.
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""
    options: ClassVar[tuple[Option, ...]] = ()

    def read(self, path: Path, options: ImportOptions) -> list[dict]:
        raise NotImplementedError

    def option_values(self, given: dict) -> dict:
        """Every option of this format: the given values checked and typed, else defaults."""
        return option_values(self.options, given, f"import format {self.name!r}")

    def option(self, options: ImportOptions, name: str):
        """One of this importer's own options: as given, else its default."""
        if name in options.format_options:
            return options.format_options[name]
        for option in self.options:
            if option.name == name:
                return option.default
        raise PluginError(f"import format {self.name!r} declares no option {name!r}")


def in_range(value, what: str, where: str, low: float, high: float, *, whole: bool = False):
    """`value` (a number or its text) as a number when it lies in low..high, an int when
    `whole`; else an InputError naming `where`. NaN and infinities lie in no range."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(Problem(where, f"{what} is {value!r}, not a number")) from None
    if not low <= number <= high:
        raise InputError(Problem(where, f"{what} {value} is outside {low:.15g}..{high:.15g}"))
    if whole and not number.is_integer():
        raise InputError(Problem(where, f"{what} {value} is not a whole number"))
    return int(number) if whole else number


def read_text(path: Path) -> str:
    """A text file's UTF-8 text (a byte order mark is dropped); unreadable or not UTF-8 is an
    InputError naming file and line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(Problem(str(path), f"cannot read: {exc.strerror or exc}")) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(Problem(f"{path}:{line}", "not UTF-8 text")) from None


def region_from_boxes(*, region_type: str, region_id: str, label: str | None, frames: np.ndarray,
                      x, y, width, height, rotation, frame_width: float, frame_height: float,
                      frames_count: int, fps: float | None, options: ImportOptions,
                      extras: list[dict] | None = None, places: list[str] | None = None,
                      default_name: str = "box") -> dict:
    """A region of `region_type` (a box tag's) whose keyframes are the given per-frame pixel
    boxes, as `region_from_keyframes` makes it.

    A box whose numbers are not finite or out of the task file's ranges is an InputError
    naming its place (`places`: where each box is in the input, e.g. "gt.txt:12").
    """
    px, py, pw, ph = to_percent(np.asarray(x, float), np.asarray(y, float),
                                np.asarray(width, float), np.asarray(height, float),
                                frame_width, frame_height)
    rotation = np.asarray(rotation, float)
    _check_boxes(px, py, pw, ph, rotation, places)
    shapes = [{"x": kx, "y": ky, "width": kw, "height": kh, "rotation": rot} for kx, ky, kw, kh, rot
              in zip(px.tolist(), py.tolist(), pw.tolist(), ph.tolist(), rotation.tolist())]
    return region_from_keyframes(
        region_type=region_type, region_id=region_id, label=label, frames=frames, shapes=shapes,
        frame_width=frame_width, frame_height=frame_height, frames_count=frames_count, fps=fps,
        options=options, extras=extras, default_name=default_name)


def region_from_keyframes(*, region_type: str, region_id: str, label: str | None,
                          frames: np.ndarray, shapes: list[dict], frame_width: float,
                          frame_height: float, frames_count: int, fps: float | None,
                          options: ImportOptions, extras: list[dict] | None = None,
                          default_name: str = "region") -> dict:
    """A keyframed region of `region_type` with a keyframe on each of `frames` (1-based,
    ascending) holding that frame's shape fields (`shapes`, in the tag's own units) and its
    `extras`, named as `options.names(region_type, default_name)` says.

    The lifespan ends (`enabled: false`) on the last keyframe before each gap in `frames`,
    and on the last one when it is not on the last frame, so the region shows exactly these
    frames.
    """
    frames = np.asarray(frames, dtype=np.int64)
    following = np.append(frames[1:], frames_count + 1)
    enabled = following == frames + 1
    sequence = []
    for i, (f, shape, on) in enumerate(zip(frames.tolist(), shapes, enabled.tolist())):
        key = {"frame": f, **shape, "enabled": on}
        if fps:
            key["time"] = f / fps
        if extras:
            key.update(extras[i])
        sequence.append(key)
    value = {"sequence": sequence, "framesCount": int(frames_count)}
    if label is not None:
        value["labels"] = [label]
    if fps:
        value["duration"] = frames_count / fps
    from_name, to_name = options.names(region_type, default_name)
    return {"id": region_id, "type": region_type, "from_name": from_name, "to_name": to_name,
            "origin": "manual", "original_width": frame_width, "original_height": frame_height,
            "value": value}


def percent_points(points, frame_width: float, frame_height: float, where: str,
                   limits: tuple[float, float] = (-MAX_PERCENT, MAX_PERCENT)) -> list[list[float]]:
    """Pixel points (k, 2) as [[x, y], ...] in percent of the frame; a coordinate that is not
    finite or out of `limits` (the tag's range, else the task file's) is an InputError naming
    `where`."""
    low, high = limits
    scaled = np.asarray(points, dtype=np.float64).reshape(-1, 2) * [100.0 / frame_width, 100.0 / frame_height]
    bad = ~((scaled >= low) & (scaled <= high))  # NaN too
    if bad.any():
        i, axis = (int(v) for v in np.argwhere(bad)[0])
        raise InputError(Problem(where, f"point {i + 1}'s {'xy'[axis]} is {scaled[i, axis]:g} percent of the "
                                        f"frame, outside {low:g}..{high:g}"))
    return scaled.tolist()


def _check_boxes(x, y, width, height, rotation, places: list[str] | None) -> None:
    share = "percent of the frame"
    fields = (("x", x, -MAX_PERCENT, MAX_PERCENT, share), ("y", y, -MAX_PERCENT, MAX_PERCENT, share),
              ("width", width, 0, MAX_PERCENT, share), ("height", height, 0, MAX_PERCENT, share),
              ("rotation", rotation, -MAX_DEGREES, MAX_DEGREES, "degrees"))
    problems = []
    for name, values, low, high, unit in fields:
        for i in np.flatnonzero(~((values >= low) & (values <= high))).tolist():  # NaN too
            where = places[i] if places else f"box {i + 1}"
            problems.append(Problem(where, f"{name} is {values[i]:g} {unit}, outside {low:g}..{high:g}"))
    if problems:
        raise InputError(problems)


def task_for(video: str, regions: list[dict], options: ImportOptions) -> dict:
    """A task holding one annotation with these regions."""
    return {"data": {options.data_field: video}, "annotations": [{"result": regions}]}
