"""The importer interface, the checks importers share, and turning per-frame pixel boxes
into a Label Studio region."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from .errors import InputError, Problem
from .geometry import to_percent
from .schema import MAX_DEGREES, MAX_PERCENT


@dataclass(frozen=True)
class ImportOptions:
    """What an importer may need beyond its file; None where the user gave nothing."""

    width: float | None = None
    height: float | None = None
    fps: float | None = None
    frames_count: int | None = None
    origin: int = 1  # MOT pixel origin
    from_name: str = "box"  # the config's VideoRectangle and Video names, and the task field
    to_name: str = "video"
    data_field: str = "video"
    config: object = None  # the labeling config given (--config), for formats that need it

    @classmethod
    def for_config(cls, config, **kwargs) -> "ImportOptions":
        """Names taken from the config's first VideoRectangle and its Video."""
        for control in config.controls() if config is not None else ():
            if control.tag.region_type == "videorectangle":
                video = config.object_of(control)
                return cls(from_name=control.name, to_name=video.name,
                           data_field=video.attrs["value"][1:], config=config, **kwargs)
        return cls(config=config, **kwargs)


class Importer:
    """Base class of input formats; a plugin subclasses it and registers an instance.

    `read` returns Label Studio tasks as plain JSON data (lists and dicts); tracklabel then
    checks and normalises them like any task file.
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""

    def read(self, path: Path, options: ImportOptions) -> list[dict]:
        raise NotImplementedError


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


def region_from_boxes(*, region_id: str, label: str | None, frames: np.ndarray, x, y, width,
                      height, rotation, frame_width: float, frame_height: float,
                      frames_count: int, fps: float | None, options: ImportOptions,
                      extras: list[dict] | None = None, places: list[str] | None = None) -> dict:
    """A videorectangle region whose keyframes are the given per-frame pixel boxes.

    The lifespan ends (`enabled: false`) on the last box before each gap in `frames`, and on
    the last box when it is not on the last frame, so the region shows exactly these boxes.
    A box whose numbers are not finite or out of the task file's ranges is an InputError
    naming its place (`places`: where each box is in the input, e.g. "gt.txt:12").
    """
    px, py, pw, ph = to_percent(np.asarray(x, float), np.asarray(y, float),
                                np.asarray(width, float), np.asarray(height, float),
                                frame_width, frame_height)
    _check_boxes(px, py, pw, ph, np.asarray(rotation, float), places)
    frames = np.asarray(frames, dtype=np.int64)
    following = np.append(frames[1:], frames_count + 1)
    enabled = following == frames + 1
    sequence = []
    for i, (f, kx, ky, kw, kh, rot, on) in enumerate(zip(
            frames.tolist(), px.tolist(), py.tolist(), pw.tolist(), ph.tolist(),
            np.asarray(rotation, float).tolist(), enabled.tolist())):
        key = {"frame": f, "x": kx, "y": ky, "width": kw, "height": kh, "rotation": rot,
               "enabled": on}
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
    return {"id": region_id, "type": "videorectangle", "from_name": options.from_name,
            "to_name": options.to_name, "origin": "manual", "original_width": frame_width,
            "original_height": frame_height, "value": value}


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
