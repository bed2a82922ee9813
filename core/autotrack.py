"""The tracking engine: follow a region's box from a frame, forward or backward, until a stop
frame or until the tracker loses it, and write the result back as a few auto keyframes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from .decoding import Video
from .errors import InputError, Problem
from .geometry import to_percent, to_pixels
from .keyframes import TOLERANCE, is_auto, merge, reduce_keyframes, smooth
from .schema import Region, VideoRectangleValue, to_builtins
from .track import Track
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


def find_region(tasks, region_id: str):
    """(location, task, region) of the one videorectangle region with this id; InputError
    when there is none or more than one."""
    found = [(location, task, region) for location, task, _, region in tasks.regions()
             if isinstance(region.value, VideoRectangleValue) and str(region.id) == region_id]
    if len(found) != 1:
        what = "no videorectangle region" if not found else f"{len(found)} regions"
        raise InputError(Problem(tasks.source, f"{what} with id {region_id!r}"))
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
           ) -> tuple[list[int], list, int | None]:
    """Run `tracker` from `box` on frame `first` through frame `last` (either way): the frames
    and pixel boxes it gave, the start's included, and the frame where it lost the object."""
    frames, boxes, total = [first], [box], abs(last - first) + 1
    for n, (frame, image) in enumerate(frames_between(video, first, last)):
        if n == 0:
            tracker.start(image, box)
        else:
            found, _ = tracker.update(image)
            if found is None:
                return frames, boxes, frame
            frames.append(frame)
            boxes.append(found)
        if progress is not None:
            progress((n + 1) / total)
    return frames, boxes, None


def new_key(frame: int, box, fps: float | None) -> dict:
    """An auto keyframe with this percent box."""
    return {"frame": frame, **({"time": frame / fps} if fps else {}), "x": float(box[0]),
            "y": float(box[1]), "width": float(box[2]), "height": float(box[3]), "rotation": 0,
            "enabled": True, "auto": True}


@dataclass(frozen=True)
class Plan:
    """A checked request: the start box (percent as shown, and pixels for the tracker), the
    last frame of the span, the annotator's keyframe that ends it (if it does), and the
    keyframe already on the start frame (if any)."""

    shown: tuple[float, float, float, float]
    box: tuple[float, float, float, float]
    end: int
    anchor: int | None
    own: dict | None
    sequence: list[dict]


def plan(region: Region, start: int, interpolator, count: int, width: float, height: float,
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
    at = interpolator.boxes(Track.from_keyframes(region.value.sequence), np.array([start]))
    if not at.visible[0]:
        raise InputError(Problem(where, f"the region has no box at frame {start}"))
    if at.rotation[0] % 360:
        raise InputError(Problem(where, f"the box at frame {start} is rotated; trackers follow unrotated boxes"))
    shown = (float(at.x[0]), float(at.y[0]), float(at.width[0]), float(at.height[0]))
    box = start_box(to_pixels(*shown, width, height), width, height, where)
    return Plan(shown, box, end, anchor if anchor == end else None, own, sequence)


def track_region(video: Video, region: Region, start: int, tracker, interpolator,
                 backward: bool = False, stop: int | None = None, tolerance: float = TOLERANCE,
                 fps: float | None = None, progress: Progress | None = None,
                 where: str = "") -> Tracked:
    """Track `region` (a normalised videorectangle) from frame `start` with a new `tracker`
    (an instance), towards `stop` (default: the region's next manual keyframe that way, else
    the video's end), and return its keyframes with the span's auto keyframes replaced by the
    fewest whose `interpolator` (linear) reproduces every tracked box (smoothed) with
    IoU >= tolerance. Nothing is changed on error; `progress` may raise to cancel."""
    width, height = video.probe.width, video.probe.height
    p = plan(region, start, interpolator, video.index.count, width, height, backward, stop, where)
    step = -1 if backward else 1
    last_tracked = p.end - step if p.anchor else p.end
    frames, boxes, lost_at = follow(video, tracker, start, last_tracked, p.box, progress)

    percent = smooth(np.array([p.shown] + [to_percent(*b, width, height) for b in boxes[1:]]).reshape(-1, 4))
    order = np.argsort(frames)
    frames, percent = np.array(frames)[order], percent[order]
    path = (frames, percent)
    if lost_at is None and p.anchor:  # end on the annotator's keyframe, as it is
        kept = next(k for k in p.sequence if k["frame"] == p.anchor)
        at_end = [[kept["x"], kept["y"], kept["width"], kept["height"]]]
        frames, percent = ((np.append(frames, p.anchor), np.vstack([percent, at_end])) if not backward
                           else (np.insert(frames, 0, p.anchor), np.vstack([at_end, percent])))
    chosen = reduce_keyframes(frames, percent, interpolator, tolerance)
    new = []
    for i in chosen:
        frame = int(frames[i])
        ended = lost_at is not None and not backward and frame == frames[-1]
        if frame == p.anchor:
            continue
        new.append({**new_key(frame, percent[i], fps), "enabled": not ended})
    if p.own is not None and not is_auto(p.own):
        new = [k for k in new if k["frame"] != start]
        if lost_at is not None and not backward and len(frames) == 1:
            # lost at once: the annotator's keyframe stays on, so the lifespan ends one frame on
            new.append({**new_key(lost_at, percent[0], fps), "enabled": False})
    span = (min(start, p.end), max(start, p.end))
    return Tracked(merge(p.sequence, new, *span), *path, lost_at, span)
