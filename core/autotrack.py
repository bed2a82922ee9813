"""The tracking engine: follow the box of a trackable region's shape from a frame, forward or
backward, until a stop frame or until the tracker loses it, and write the result back as a few
auto keyframes (the shape moved with the box, as its tag says)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from .decoding import Video
from .errors import InputError, Problem
from .guard import Guard
from .look import inside
from .geometry import to_percent, to_pixels
from .keyframes import TOLERANCE, is_auto, merge, reduce_keyframes, smooth
from .schema import Region, to_builtins
from .tracking import start_box

CHUNK = 32  # frames decoded in one forward pass when tracking backward

Progress = Callable[[float], None]


@dataclass(frozen=True)
class Tracked:
    """The region's new keyframes and what happened: the tracked boxes (1-based frames in time
    order, (n, 4) percent boxes, the start's included), the first frame where the object was
    lost (None if it never was), and the span re-tracked."""

    sequence: list[dict]
    frames: np.ndarray
    boxes: np.ndarray
    lost_at: int | None
    span: tuple[int, int]

    @property
    def tracked(self) -> int:
        """Frames tracked past the start."""
        return len(self.frames) - 1


def find_region(tasks, region_id: str, registry):
    """(location, task, region) of the one region with this id, of a tag that can be tracked;
    InputError when there is none or more than one."""
    found = [(location, task, region) for location, task, _, region in tasks.regions()
             if str(region.id) == region_id]
    if len(found) != 1:
        what = "no region" if not found else f"{len(found)} regions"
        raise InputError(Problem(tasks.source, f"{what} with id {region_id!r}"))
    region = found[0][2]
    if not registry.region_tag(region.type).trackable:
        raise InputError(Problem(tasks.source, f"region {region_id!r} is of type {region.type}, "
                                               "which automatic tracking cannot move"))
    return found[0]


def frames_between(video: Video, first: int, last: int) -> Iterator[tuple[int, np.ndarray]]:
    """(1-based frame, RGB frame) from `first` to `last` inclusive, in that order; backward in
    chunks decoded forward, so no frame needs a seek of its own."""
    if first <= last:
        yield from zip(range(first, last + 1), video.frames(first - 1, last))
        return
    high = first
    while high >= last:
        low = max(last, high - CHUNK + 1)
        chunk = list(video.frames(low - 1, high))
        for k in range(len(chunk) - 1, -1, -1):
            yield low + k, chunk[k]
        high = low - 1


def follow(video: Video, tracker, first: int, last: int, box, progress: Progress | None = None
           ) -> tuple[list[int], list, list[float], int | None]:
    """Run `tracker`, guarded (`core.guard`), from `box` on frame `first` through frame `last`
    (either way): the frames, pixel boxes (cut to the frame) and match scores it gave, the
    start's included, and the frame where it lost the object (the frames after the last good
    one are left out)."""
    frames, boxes, scores, total = [first], [box], [1.0], abs(last - first) + 1
    guard = Guard(tracker)
    for n, (frame, image) in enumerate(frames_between(video, first, last)):
        if n == 0:
            guard.start(image, box)
        else:
            step = guard.update(image)
            if step.box is None:
                keep = max(1, len(frames) - step.back)  # up to the last good frame
                return frames[:keep], boxes[:keep], scores[:keep], frames[keep] if keep < len(frames) else frame
            frames.append(frame)
            boxes.append(inside(step.box, video.probe.width, video.probe.height))
            scores.append(step.score)
        if progress is not None:
            progress((n + 1) / total)
    return frames, boxes, scores, None


def new_key(frame: int, shape: dict, fps: float | None) -> dict:
    """An auto keyframe with these shape fields."""
    return {"frame": frame, **({"time": frame / fps} if fps else {}), **shape, "enabled": True, "auto": True}


@dataclass(frozen=True)
class Plan:
    """A checked request: the start shape (one row of its Shapes' columns), the box tracked
    (percent, and pixels for the tracker), the last frame of the span, the annotator's keyframe
    that ends it (if it does), and the keyframe already on the start frame (if any)."""

    start: dict
    shown: tuple[float, float, float, float]
    box: tuple[float, float, float, float]
    end: int
    anchor: int | None
    own: dict | None
    sequence: list[dict]


def plan(region: Region, tag, start: int, interpolator, count: int, width: float, height: float,
         backward: bool = False, stop: int | None = None, where: str = "") -> Plan:
    """Check a tracking request against the region and the video's frame count and size
    (InputError naming what is wrong) and work out its span, without decoding a frame."""
    sequence = [to_builtins(k) for k in region.value.sequence]
    step = -1 if backward else 1
    where = where or f"region {region.id!r}"
    if not 1 <= start <= count:
        raise InputError(Problem(where, f"start frame {start} is outside the video's frames 1..{count}"))
    if stop is not None and (stop - start) * step < 0:
        way = "before" if not backward else "after"
        raise InputError(Problem(where, f"stop frame {stop} is {way} start frame {start}"))
    manual = [k["frame"] for k in sequence if not is_auto(k) and (k["frame"] - start) * step > 0]
    anchor = min(manual, key=lambda f: abs(f - start)) if manual else None  # the next manual keyframe
    end = max(1, min(stop if stop is not None else (1 if backward else count), count))
    if anchor is not None and (anchor - end) * step <= 0:
        end = anchor
    own = next((k for k in sequence if k["frame"] == start), None)
    if own is not None and not own["enabled"] and not is_auto(own) and not backward:
        raise InputError(Problem(where, f"the region's lifespan ends at frame {start} (enabled "
                                        "false): turn its interpolation on to track forward from it"))
    at = tag.shapes(region.value, np.array([start]), interpolator)
    if not at.visible[0]:
        raise InputError(Problem(where, f"the region has no shape at frame {start}"))
    try:
        shown = tag.track_box(at, width, height)
    except ValueError as exc:
        raise InputError(Problem(where, f"at frame {start}: {exc}")) from None
    box = start_box(to_pixels(*shown, width, height), width, height, where)
    columns = at.columns()
    start_shape = {key: column[0] for key, column in columns.items() if key not in ("frame", "visible", "keyframe")}
    return Plan(start_shape, shown, box, end, anchor if anchor == end else None, own, sequence)


def track_region(video: Video, region: Region, tag, start: int, tracker, interpolator,
                 backward: bool = False, stop: int | None = None, tolerance: float = TOLERANCE,
                 fps: float | None = None, progress: Progress | None = None,
                 where: str = "") -> Tracked:
    """Track `region` (normalised, of the trackable `tag`) from frame `start` with a new `tracker`
    (an instance), towards `stop` (default: the region's next manual keyframe that way, else
    the video's end), and return its keyframes with the span's auto keyframes replaced by the
    fewest whose `interpolator` (linear) reproduces every tracked box (smoothed) with
    IoU >= tolerance. Nothing is changed on error; `progress` may raise to cancel."""
    width, height = video.probe.width, video.probe.height
    p = plan(region, tag, start, interpolator, video.index.count, width, height, backward, stop, where)
    step = -1 if backward else 1
    last_tracked = p.end - step if p.anchor else p.end
    frames, boxes, _, lost_at = follow(video, tracker, start, last_tracked, p.box, progress)

    percent = smooth(np.array([p.shown] + [to_percent(*b, width, height) for b in boxes[1:]]).reshape(-1, 4))
    order = np.argsort(frames)
    frames, percent = np.array(frames)[order], percent[order]
    path = (frames, percent)
    if lost_at is None and p.anchor:  # end on the annotator's keyframe, as it is
        at_end = [_box_at(tag, region, p.anchor, interpolator, width, height)]
        frames, percent = ((np.append(frames, p.anchor), np.vstack([percent, at_end])) if not backward
                           else (np.insert(frames, 0, p.anchor), np.vstack([at_end, percent])))
    chosen = reduce_keyframes(frames, percent, interpolator, tolerance)
    new = []
    for i in chosen:
        frame = int(frames[i])
        ended = lost_at is not None and not backward and frame == frames[-1]
        if frame == p.anchor:
            continue
        shape = tag.tracked_keyframe(p.start, p.shown, tuple(float(v) for v in percent[i]))
        new.append({**new_key(frame, shape, fps), "enabled": not ended})
    if p.own is not None and not is_auto(p.own):
        new = [k for k in new if k["frame"] != start]
        if lost_at is not None and not backward and len(frames) == 1:
            # lost at once: the annotator's keyframe stays on, so the lifespan ends one frame on
            new.append({**new_key(lost_at, tag.tracked_keyframe(p.start, p.shown, p.shown), fps),
                        "enabled": False})
    span = (min(start, p.end), max(start, p.end))
    return Tracked(merge(p.sequence, new, *span), *path, lost_at, span)


def _box_at(tag, region: Region, frame: int, interpolator, width: float, height: float) -> list[float]:
    """The box a tracker would follow for the region's shape at `frame` (its bounding box in
    percent where the tag refuses to track from that shape)."""
    at = tag.shapes(region.value, np.array([frame]), interpolator)
    try:
        return list(tag.track_box(at, width, height))
    except ValueError:
        return [float(v[0]) for v in at.bbox(100.0, 100.0)]
