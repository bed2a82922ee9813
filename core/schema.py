"""msgspec Structs for Label Studio tasks, annotations and regions: the range every number must
lie in, unknown keys kept, and each object written back as it was read (keys in their order)."""

from __future__ import annotations

import re
import sys
from functools import cache
from typing import Annotated, Any

import msgspec
import msgspec.inspect
from msgspec import UNSET, Meta, UnsetType

from .errors import Problem, SchemaError

_EXTRA = "__tracklabel_unknown_keys__"

# The range of every number a task file may hold. Inside them every export and interpolation
# stays finite (1e6 percent of a 1e6 px frame is 1e10 px, an area of 1e20 px²).
MAX_FRAME = 2**31 - 1  # keyframe `frame`, 1-based
MAX_FRAMES_COUNT = 10_000_000  # `framesCount`: a day and a half at 60 fps
MAX_PERCENT = 1e6  # |x|, |y|, width, height, in percent of the frame
MAX_DEGREES = 1e6  # |rotation|
MAX_PIXELS = 1e6  # original_width, original_height
MAX_SECONDS = sys.float_info.max  # time, duration: finite
MIN_FPS, MAX_FPS = 1e-6, 1e6  # a frame rate outside these is no video's (frame / fps stays finite)
_MAX_INT_SECONDS = 2**53  # an integer time or duration converts to a float exactly


def _between(low: float, high: float, *, above: bool = False):
    """int | float within [low, high] ((low, high] when `above`); NaN and infinities never are."""
    lower = {"gt": low} if above else {"ge": low}
    return (Annotated[int, Meta(**{k: int(v) for k, v in lower.items()}, le=int(min(high, _MAX_INT_SECONDS)))]
            | Annotated[float, Meta(**lower, le=high)])


Number = int | float  # unbounded: ints stay ints, so a round trip writes back the same text
Percent = _between(-MAX_PERCENT, MAX_PERCENT)
Size = _between(0, MAX_PERCENT)
Degrees = _between(-MAX_DEGREES, MAX_DEGREES)
Seconds = _between(0, MAX_SECONDS)
Pixels = _between(0, MAX_PIXELS, above=True)
FrameNumber = Annotated[int, Meta(ge=1, le=MAX_FRAME)]
FramesCount = Annotated[int, Meta(ge=1, le=MAX_FRAMES_COUNT)]


class Open(msgspec.Struct, kw_only=True, dict=True):
    """A Struct that keeps the keys it does not know and the object it was read from, so that
    writing it back gives that object again, with changed values in place."""

    extra: dict[str, Any] = msgspec.field(default_factory=dict, name=_EXTRA)


class Keyframe(Open, kw_only=True):
    """What every keyframe has: its 1-based frame (or a time to derive it from) and whether the
    lifespan goes on after it. A tag's keyframes subclass it with their shape's fields."""

    frame: FrameNumber | UnsetType = UNSET
    time: Seconds | None | UnsetType = UNSET
    enabled: bool | UnsetType = UNSET


class BoxKeyframe(Keyframe, kw_only=True):
    """A keyframe whose shape is a box: percent of the frame, top-left pivot, degrees clockwise."""

    x: Percent
    y: Percent
    width: Size
    height: Size
    rotation: Degrees = 0


class KeyframedValue(Open, kw_only=True):
    """The `value` of a region made of keyframes; a tag's value types the `sequence`."""

    sequence: list[Keyframe]
    labels: list[str] | UnsetType = UNSET
    framesCount: FramesCount | UnsetType = UNSET
    duration: Seconds | UnsetType = UNSET


class Region(Open, kw_only=True):
    """One result item of an annotation; `value` is typed by the tag that made the region."""

    type: str
    value: Any
    id: str | int | UnsetType = UNSET
    from_name: str | UnsetType = UNSET
    to_name: str | UnsetType = UNSET
    origin: str | UnsetType = UNSET
    original_width: Pixels | UnsetType = UNSET
    original_height: Pixels | UnsetType = UNSET


class Annotation(Open, kw_only=True):
    """An annotation or prediction: a list of results (regions, or raw objects we do not type)."""

    result: list[dict[str, Any]] = msgspec.field(default_factory=list)
    id: Any = UNSET


class Task(Open, kw_only=True):
    """A Label Studio task: its data, annotations and predictions. Label Studio's default
    export lists predictions (sometimes annotations) by id only: such ids are kept as they are."""

    data: dict[str, Any]
    id: Any = UNSET
    annotations: list[Annotation | int] | UnsetType = UNSET
    predictions: list[Annotation | int] | UnsetType = UNSET


def convert(raw: Any, kind: type, path: str) -> Any:
    """Validate builtins as `kind`, keeping unknown keys and the object read; raise
    SchemaError with the JSON path."""
    try:
        obj = msgspec.convert(raw, kind)
    except msgspec.ValidationError as exc:
        problem = split_error(exc, path)
        raise SchemaError(_with_value(problem, raw, path)) from None
    _keep_raw(obj, raw)
    return obj


def split_error(exc: msgspec.ValidationError, path: str = "$") -> Problem:
    """Turn msgspec's "message - at `$.a.b`" into a Problem at path + the sub path."""
    text = str(exc)
    message, sep, where = text.rpartition(" - at `")
    if not sep:
        return Problem(path, text)
    return Problem(path + where.rstrip("`")[1:], message)


_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def _with_value(problem: Problem, raw: Any, path: str) -> Problem:
    """A range message ("Expected `float` <= 1000000.0") also names the value refused."""
    if " >= " not in problem.message and " <= " not in problem.message and " > " not in problem.message:
        return problem
    value = raw
    for name, index in _STEP.findall(problem.where[len(path):]):
        try:
            value = value[int(index)] if index else value[name]
        except (KeyError, IndexError, TypeError):
            return problem
    return Problem(problem.where, f"{problem.message}, got {value!r}")


def _keep_raw(obj: Any, raw: Any) -> None:
    """Remember on each Struct the dict it came from, and the keys it does not know."""
    if not (isinstance(obj, Open) and isinstance(raw, dict)):
        return
    obj._raw = raw
    keys, nested = _fields(type(obj))
    if not keys.keys() >= raw.keys():
        obj.extra = {k: v for k, v in raw.items() if k not in keys}
    for key, name in nested:
        value = getattr(obj, name)
        if isinstance(value, Open):
            _keep_raw(value, raw.get(key))
        elif isinstance(value, list) and isinstance(raw.get(key), list):
            for item, raw_item in zip(value, raw[key]):
                if isinstance(item, Open):
                    _keep_raw(item, raw_item)


@cache
def _fields(kind: type) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """A Struct type's JSON keys (key → attribute, in field order, `extra` left out), and the
    (key, attribute) pairs whose values may hold Structs."""
    info = msgspec.inspect.type_info(kind)
    keys = {f.encode_name: f.name for f in info.fields if f.name != "extra"}
    nested = tuple((f.encode_name, f.name) for f in info.fields
                   if f.name != "extra" and _may_nest(f.type))
    return keys, nested


@cache
def filled_keys(kind: type) -> frozenset[str]:
    """The keys a Struct writes back even when what it was read from lacked them: fields with
    a default value, and a keyframe's `enabled` (filled in by the keyframe rules)."""
    info = msgspec.inspect.type_info(kind)
    keys = {f.encode_name for f in info.fields if f.name != "extra"
            and (f.default_factory is not msgspec.NODEFAULT
                 or f.default not in (msgspec.NODEFAULT, UNSET))}
    if issubclass(kind, Keyframe):
        keys.add("enabled")
    return frozenset(keys)


def _may_nest(t) -> bool:
    if isinstance(t, msgspec.inspect.UnionType):
        return any(_may_nest(member) for member in t.types)
    return isinstance(t, (msgspec.inspect.StructType, msgspec.inspect.ListType, msgspec.inspect.AnyType))


def to_builtins(obj: Any) -> Any:
    """Back to JSON-ready builtins. An object read from JSON comes back as read: its keys in
    their order, changed values in place, keys it lacked (such as a filled-in `enabled`) at
    the end; an object made in code has its fields in order, then its unknown keys."""
    if isinstance(obj, Open):
        return _object(obj)
    if isinstance(obj, list):
        return [_object(item) if isinstance(item, Open) else item for item in obj]
    if isinstance(obj, msgspec.Struct):
        return msgspec.to_builtins(obj)
    return obj


def _object(obj: Open) -> dict:
    keys, _ = _fields(type(obj))
    raw = obj.__dict__.get("_raw") or {}
    extra = obj.extra
    out = {}
    for key in raw:
        name = keys.get(key)
        if name is None:
            if key in extra:
                out[key] = extra[key]
            continue
        value = getattr(obj, name)
        if value is not UNSET:
            out[key] = to_builtins(value) if isinstance(value, (Open, list, msgspec.Struct)) else value
    for key, name in keys.items():
        if key not in raw:
            value = getattr(obj, name)
            if value is not UNSET:
                out[key] = to_builtins(value)
    if not extra.keys() <= raw.keys():  # unknown keys set in code
        for key, value in extra.items():
            out.setdefault(key, value)
    return out
