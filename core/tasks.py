"""Reading task files (Label Studio tasks or exports) into checked, normalised Structs."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import msgspec

from .errors import Problem, SchemaError, Warnings
from .schema import MAX_FPS, MAX_FRAMES_COUNT, MIN_FPS, Annotation, Region, Task, convert, filled_keys
from .track import normalise_sequence

_BYTE = re.compile(r"\(byte (\d+)\)")
JSON_MIN_HINT = ("this is a record of Label Studio's minimal export (`annotation_id`, no `data`), "
                 "not a task: read it with `tracklabel convert FILE --from FORMAT --config CONFIG "
                 "...` and an importer that reads such exports (`tracklabel plugins` lists them)")


@dataclass
class TaskFile:
    """The tasks of one file, with the warnings reading them produced."""

    source: str
    tasks: list[Task]
    warnings: Warnings = field(default_factory=Warnings)
    normalised: bool = False  # reading changed something: the input is not written as it came

    def regions(self) -> Iterator[tuple[tuple[int, str, int, int], Task, Annotation, Region]]:
        """Every typed region of every annotation and prediction, with where it sits:
        (task index, "annotations" or "predictions", annotation index, result index)."""
        for t, task in enumerate(self.tasks):
            for kind in ("annotations", "predictions"):
                for a, annotation in enumerate(getattr(task, kind) or ()):
                    if not isinstance(annotation, Annotation):
                        continue  # listed by id only
                    for r, item in enumerate(annotation.result):
                        if isinstance(item, Region):
                            yield (t, kind, a, r), task, annotation, item


def read_tasks(path: str | Path, registry, config=None, frames_count: int | None = None) -> TaskFile:
    """Read a task file; raise SchemaError with every problem (file and JSON path) found."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SchemaError(Problem(str(path), f"cannot read task file: {exc.strerror}")) from None
    return parse_tasks(data, registry, config, frames_count, source=str(path))


def parse_tasks(data: bytes | str, registry, config=None, frames_count: int | None = None,
                source: str = "tasks.json") -> TaskFile:
    """Parse task JSON: a list of tasks (Label Studio's export) or one task."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return load_tasks(decode_json(data, source), registry, config, frames_count, source)


def decode_json(data: bytes, source: str) -> Any:
    """JSON text to builtins; malformed or too deeply nested JSON is a SchemaError naming
    the file (and line and column where known)."""
    try:
        return msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise SchemaError(Problem(_where(source, data, str(exc)), f"malformed JSON: {exc}")) from None
    except RecursionError:
        raise SchemaError(Problem(source, "JSON nested too deeply to read (arrays and objects "
                                          "inside one another hundreds of levels deep)")) from None


def load_tasks(raw: Any, registry, config=None, frames_count: int | None = None,
               source: str = "tasks.json") -> TaskFile:
    """Check already-decoded task JSON and normalise its tracks (docs/frames.md's import rules)."""
    single = isinstance(raw, dict)
    items = [raw] if single else raw
    if not isinstance(items, list):
        raise SchemaError(Problem(f"{source}: $", "expected a list of tasks or one task object"))
    loader = _Loader(registry, config, frames_count)
    tasks = []
    for i, item in enumerate(items):
        path = f"{source}: $" if single else f"{source}: $[{i}]"
        task = loader.task(item, path)
        if task is not None:
            tasks.append(task)
    if loader.problems:
        raise SchemaError(loader.problems)
    loader.warn_ids_only()
    return TaskFile(source, tasks, loader.warnings, loader.normalised)


def _where(source: str, data: bytes, message: str) -> str:
    match = _BYTE.search(message)
    if match:
        offset = int(match.group(1))
    elif "truncated" in message:
        offset = len(data)
    else:
        return source
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return f"{source}:{line}:{column}"


class _Loader:
    def __init__(self, registry, config, frames_count):
        self.registry = registry
        self.config = config
        self.frames_count = frames_count
        self.problems: list[Problem] = []
        self.warnings = Warnings()
        self.normalised = False
        self.ids_only: dict[str, list[str]] = {}  # kind → paths of the lists that hold ids

    def fail(self, problems: list[Problem] | Problem) -> None:
        self.problems.extend(problems if isinstance(problems, list) else [problems])

    def task(self, raw: Any, path: str) -> Task | None:
        if isinstance(raw, dict) and "data" not in raw and "annotation_id" in raw:
            self.fail(Problem(path, JSON_MIN_HINT))
            return None
        try:
            task = convert(raw, Task, path)
        except SchemaError as exc:
            self.fail(exc.problems)
            return None
        for kind in ("annotations", "predictions"):
            for a, annotation in enumerate(getattr(task, kind) or ()):
                if not isinstance(annotation, Annotation):
                    self.ids_only.setdefault(kind, []).append(f"{path}.{kind}")
                    continue
                annotation.result = [
                    self.result_item(item, task, f"{path}.{kind}[{a}].result[{r}]")
                    for r, item in enumerate(annotation.result)
                ]
        return task

    def warn_ids_only(self) -> None:
        """One warning per kind for the whole file: some tasks list it by id only."""
        for kind, paths in self.ids_only.items():
            tasks = len(dict.fromkeys(paths))
            self.warnings.add(paths[0], f"{kind} were exported by id only (in {tasks} "
                                        f"task{'s' if tasks > 1 else ''}), as Label Studio's "
                                        "default JSON export writes them: the ids are kept and "
                                        "written back as they are; their results are not in the file")

    def result_item(self, raw: Any, task: Task, path: str) -> Any:
        """A region of a registered type becomes a Region; other objects are kept as they are."""
        if not isinstance(raw.get("type"), str):
            return raw
        tag = self.registry.region_tag(raw["type"])
        if tag is None or tag.region_struct is None:
            return raw
        try:
            region = convert(raw, Region, path)
            region.value = convert(raw.get("value"), tag.region_struct, f"{path}.value")
        except SchemaError as exc:
            self.fail(exc.problems)
            return raw
        if tag.keyframed:
            warned = len(self.warnings)
            if not self.normalise(region, task, path):
                return raw
            filled = filled_keys(type(region.value.sequence[0])) if region.value.sequence else set()
            complete = all(isinstance(k, dict) and filled <= k.keys() for k in raw["value"]["sequence"])
            self.normalised |= (len(self.warnings) > warned or not complete
                                or "framesCount" not in raw["value"])
        problems = list(tag.check_value(region.value, f"{path}.value", self._frames_count(region)))
        if problems:
            self.fail(problems)
            return raw
        return region

    def _frames_count(self, region: Region) -> int | None:
        """The region's video's frame count: its own framesCount, else the one passed in."""
        count = getattr(region.value, "framesCount", msgspec.UNSET)
        return count if isinstance(count, int) else self.frames_count

    def normalise(self, region: Region, task: Task, path: str) -> bool:
        """Apply the keyframe rules to a keyframed region; False (problems noted) when it is unusable."""
        value = region.value
        keyframes, problems = normalise_sequence(
            value.sequence, f"{path}.value.sequence", self.warnings, region_fps(region, task, self.config)
        )
        if problems:
            self.fail(problems)
            return False
        value.sequence = keyframes
        if value.framesCount is msgspec.UNSET:
            if self.frames_count is None:
                self.fail(Problem(f"{path}.value", "framesCount is missing; pass --frames-count"))
                return False
            value.framesCount = self.frames_count
        if not 1 <= value.framesCount <= MAX_FRAMES_COUNT:
            self.fail(Problem(f"{path}.value.framesCount",
                              f"framesCount {value.framesCount} is outside 1..{MAX_FRAMES_COUNT}"))
            return False
        past = [k.frame for k in keyframes if k.frame > value.framesCount]
        if past:
            self.warnings.add(f"{path}.value.sequence",
                              f"keyframes on frames {past[:5]} lie past the last frame "
                              f"({value.framesCount}); they show nowhere")
        return True


def region_fps(region: Region, task: Task, config=None) -> float | None:
    """The frame rate of a region's video: the config's frameRate (a number, or a "$field" of
    the task's data), else framesCount / duration."""
    if config is not None and isinstance(region.to_name, str):
        obj = config.by_name.get(region.to_name)
        rate = obj.attrs.get("frameRate") if obj is not None else None
        if isinstance(rate, str):
            rate = task.data.get(rate[1:])
            rate = float(rate) if isinstance(rate, (int, float, str)) and _is_number(rate) else None
        if _usable_rate(rate):
            return rate
    count, duration = (getattr(region.value, key, None) for key in ("framesCount", "duration"))
    if isinstance(count, int) and isinstance(duration, (int, float)) and duration > 0:
        rate = count / duration
        if _usable_rate(rate):
            return rate
    return None


def _usable_rate(rate) -> bool:
    """A frame rate a video can have (MIN_FPS..MAX_FPS); another one is not used."""
    return isinstance(rate, (int, float)) and MIN_FPS <= rate <= MAX_FPS


def _is_number(value) -> bool:
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False
