"""`linear`: exactly the Label Studio editor's interpolation, vectorised over frames."""

from typing import NamedTuple

import numpy as np

from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.interpolate import Interpolator
from tracklabel.core.track import Boxes, Track, lifespan, norm_angle


class Segments(NamedTuple):
    """Where each requested frame falls among a track's keyframes (see `segments`)."""

    frames: np.ndarray  # int64, as requested
    idx: np.ndarray  # the keyframe at or before each frame, -1 before the first
    exact: np.ndarray  # a keyframe sits on the frame
    visible: np.ndarray  # the lifespan rule of docs/frames.md
    start: np.ndarray  # idx, 0 before the first keyframe
    following: np.ndarray  # per keyframe: the index of the next one (the last: itself)
    ratio: np.ndarray  # the way from keyframe `start` to the next: 0 on it, before the first, after the last


def segments(track: Track, frames: np.ndarray) -> Segments:
    """The lifespan of each frame and its place between two keyframes (the track not empty)."""
    frames = np.asarray(frames, dtype=np.int64)
    idx, exact, visible = lifespan(track, frames)
    last = len(track) - 1
    start = np.maximum(idx, 0)
    following = np.minimum(np.arange(1, last + 2), last)  # per keyframe: the next one
    span = track.frame[following] - track.frame
    # after the last keyframe the span is 0: dividing by infinity holds the last box
    ratio = (frames - track.frame[start]) / np.where(span > 0, span, np.inf)[start]
    ratio[idx < 0] = 0.0  # before the first keyframe: its box (shown nowhere)
    return Segments(frames, idx, exact, visible, start, following, ratio)


def linear_values(stored: np.ndarray, at: Segments) -> np.ndarray:
    """One stored column straight from each frame's keyframe to the next."""
    return stored[at.start] + (stored[at.following] - stored)[at.start] * at.ratio


def turned(rotation: np.ndarray, at: Segments) -> np.ndarray:
    """Rotation the shortest way round from the start's angle, in (-180, 180]; the stored angle
    where the ratio is 0 (a keyframe's own frame, before the first, after the last)."""
    angle = norm_angle(rotation)[at.start] + norm_angle(rotation[at.following] - rotation)[at.start] * at.ratio
    angle -= 360.0 * (angle > 180.0)
    angle += 360.0 * (angle <= -180.0)
    return np.where(at.ratio > 0, angle, rotation[at.start])


def no_boxes(track: Track, frames: np.ndarray) -> Boxes:
    """The rows of an empty track: none shown."""
    frames = np.asarray(frames, dtype=np.int64)
    _, exact, visible = lifespan(track, frames)
    nan = np.full(len(frames), np.nan)
    return Boxes(frames, visible, exact, nan, nan, nan, nan, nan)


class Linear(Interpolator):
    """x, y, width, height linear between keyframes; rotation the shortest way round."""

    name = "linear"
    description = "Label Studio's editor: linear box, shortest-way rotation, top-left pivot"

    def boxes(self, track: Track, frames: np.ndarray) -> Boxes:
        if not len(track):
            return no_boxes(track, frames)
        at = segments(track, frames)
        values = {name: linear_values(getattr(track, name), at) for name in ("x", "y", "width", "height")}
        return Boxes(at.frames, at.visible, at.exact, values["x"], values["y"], values["width"],
                     values["height"], turned(track.rotation, at))


@hookimpl
def register_interpolators(register):
    register(Linear())
