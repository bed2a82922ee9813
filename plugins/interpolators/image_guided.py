"""`image-guided`: between two keyframes, track forward from the first and backward from the
second (guarded, `core.guard`) and blend the two paths by distance from each end, only where
both are confident and agree; linear elsewhere (where either is lost or unsure, or they
disagree). Paths are cached per (video, keyframe pair, tracker)."""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict

import numpy as np

from tracklabel.core.autotrack import follow
from tracklabel.core.errors import InputError
from tracklabel.core.files import new_file
from tracklabel.core.geometry import iou, to_percent, to_pixels
from tracklabel.core.guard import CONFIDENT
from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.interpolate import Interpolator
from tracklabel.core.track import Boxes, Track
from tracklabel.core.tracking import start_box
from tracklabel.plugins.trackers.kcf import KCF

from .linear import Linear

AGREE = 0.6  # IoU the forward and backward boxes keep where the blend is trusted
MEMORY = 256  # segment paths kept in memory
VERSION = "5"  # part of the cache key: change it when the paths would change


class ImageGuided(Interpolator):
    """Tracker-guided boxes between keyframes (KCF both ways, blended), linear as a fallback."""

    name = "image-guided"
    description = "track both ways between keyframes and blend; linear where trackers fail"
    needs_video = True
    tracker = KCF

    def __init__(self):
        self.linear = Linear()
        self.memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self.lock = threading.Lock()  # the host asks from several threads

    def boxes(self, track: Track, frames: np.ndarray, video=None) -> Boxes:
        frames = np.asarray(frames, dtype=np.int64)
        out = self.linear.boxes(track, frames)
        for s in range(len(track) - 1):
            first, last = int(track.frame[s]), int(track.frame[s + 1])
            rows = np.flatnonzero((frames > first) & (frames < last))
            if not len(rows) or not track.enabled[s] or (track.rotation[s:s + 2] % 360).any():
                continue
            path = self.path(video, track, s)
            for name, column in zip(("x", "y", "width", "height"), path[frames[rows] - first].T):
                getattr(out, name)[rows] = column
        return out

    def path(self, video, track: Track, s: int) -> np.ndarray:
        """Percent boxes on every frame of segment s (its keyframes included), cached."""
        ends = [s, s + 1]
        stat = os.stat(video.path)
        key = hashlib.sha256(repr((VERSION, os.path.realpath(video.path), stat.st_size, stat.st_mtime_ns,
                                   self.tracker.name, track.frame[ends].tolist(), track.x[ends].tolist(),
                                   track.y[ends].tolist(), track.width[ends].tolist(),
                                   track.height[ends].tolist())).encode()).hexdigest()
        with self.lock:
            if key in self.memory:
                self.memory.move_to_end(key)
                return self.memory[key]
        stored = video.cache.directory.parent / "guided" / f"{key}.npy" if video.cache is not None else None
        try:
            path = np.load(stored) if stored is not None else None
        except (OSError, ValueError):
            path = None
        if path is None:
            path = self.compute(video, track, s)
            if stored is not None:
                stored.parent.mkdir(parents=True, exist_ok=True)
                # a name of its own: threads of one process, and processes on other machines
                # sharing the data folder, may write the same path at once
                tmp = new_file(stored.parent, f".{key}.", ".npy")
                try:
                    np.save(tmp, path)
                    os.replace(tmp, stored)
                except BaseException:
                    tmp.unlink(missing_ok=True)
                    raise
        with self.lock:
            self.memory[key] = path
            if len(self.memory) > MEMORY:
                self.memory.popitem(last=False)
        return path

    def compute(self, video, track: Track, s: int) -> np.ndarray:
        """Blend the two tracked paths of segment s; linear where they are missing or disagree."""
        first, last = int(track.frame[s]), int(track.frame[s + 1])
        frames = np.arange(first, last + 1)
        two = Track(track.frame[s:s + 2], track.x[s:s + 2], track.y[s:s + 2], track.width[s:s + 2],
                    track.height[s:s + 2], np.zeros(2), np.ones(2, dtype=bool))
        linear = self.linear.boxes(two, frames)
        result = np.stack([linear.x, linear.y, linear.width, linear.height], axis=1)  # where tracking cannot start
        width, height = video.probe.width, video.probe.height
        paths, sure = [], []
        for k, (start, stop) in enumerate(((first, last), (last, first))):
            at = s + k
            try:
                box = start_box(to_pixels(track.x[at], track.y[at], track.width[at], track.height[at],
                                          width, height), width, height)
            except InputError:
                return result  # a box off the frame or too small: linear
            path, confident = np.full((len(frames), 4), np.nan), np.zeros(len(frames), dtype=bool)
            got, boxes, scores, _ = follow(video, self.tracker(), start, stop, box)
            path[np.array(got) - first] = [to_percent(*b, width, height) for b in boxes]
            confident[np.array(got) - first] = np.array(scores) >= CONFIDENT
            paths.append(path)
            sure.append(confident)
        return guided(frames, *paths, *sure)


def guided(frames: np.ndarray, forward: np.ndarray, backward: np.ndarray, sure_forward: np.ndarray,
           sure_backward: np.ndarray) -> np.ndarray:
    """The segment's boxes from the two tracked paths (NaN where a path has none) and where each
    is confident: blended by distance from each end where both are and agree; the one that is,
    where the other is lost or unsure; linear between those boxes (and the keyframes) elsewhere,
    so frames where the trackers disagree or neither is sure get no tracker's box."""
    weight = ((frames - frames[0]) / (frames[-1] - frames[0]))[:, None]
    both = sure_forward & sure_backward
    agree = np.zeros(len(frames), dtype=bool)
    agree[both] = iou(forward[both], backward[both]) >= AGREE
    out = np.full((len(frames), 4), np.nan)
    out[agree] = ((1 - weight) * forward + weight * backward)[agree]
    alone_forward, alone_backward = sure_forward & ~sure_backward, sure_backward & ~sure_forward
    out[alone_forward], out[alone_backward] = forward[alone_forward], backward[alone_backward]
    out[0], out[-1] = forward[0], backward[-1]  # the keyframes
    known = np.flatnonzero(~np.isnan(out[:, 0]))
    for c in range(4):
        out[:, c] = np.interp(frames, frames[known], out[known, c])
    return out


@hookimpl
def register_interpolators(register):
    register(ImageGuided())
