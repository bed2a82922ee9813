"""Tracking that knows when it is wrong: a tracker plugin proposes each frame's box, and the
guard checks it against the object's look (`core.look`), estimates its size, searches wider
along the object's motion when unsure, and declares the object lost when nothing looks like it,
when it stays unsure, or when tracking back over the last frames does not come back to where
the track was (forward-backward consistency)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np

from .edges import CHANGED, INWARD, beyond_edges, given_moved, tell
from .geometry import iou
from .look import Look, crop, grey
from .tracking import Box, Tracker

TRACKABLE = 4.0  # pixels a side inside the frame before the tracker plugin is started
SURE = 0.85  # the size changes only on a match this good (a partly hidden object keeps its size)
CONFIDENT = 0.7  # a match this good needs no wider search; under it the frame is unsure
LOST = 0.5  # the best match anywhere near under this: the object is lost
UNSURE = 4  # this many unsure frames in a row: lost from the first of them
FAITHFUL = 0.6  # the recent look learns only from a confident frame this like the start
LEARN = 0.1  # share of a confident frame's look blended into the recent template
SCALES = (0.97, 1.0, 1.03)  # sizes tried around the last one, every frame
WIDE_SCALES = (0.9, 0.97, 1.0, 1.03, 1.1)  # and when unsure
NEAR = 0.15  # search radius every frame, as a share of the box's longer side
WIDE = 1.0  # search radius when unsure, in box sides, plus twice the object's speed
RESTART = 0.75  # IoU under which the tracker is started again on the guard's box
CHECK = 6  # frames tracked back every CHECK frames
UNCOVERED = 0.6  # share of the object's blocks that must look like it (a half-covered block may still
# look like it, so this is above the half of the object that must be in view)
COVERED = 2  # frames in a row under UNCOVERED: lost from the first of them
PLAINLY = 0.75  # share of the object's blocks that look like it: a poor match is not unsure
SETTLE = 3  # frames after the start when a still part of the start box is told from the object
STILL = 3.0  # grey levels: a template cell this unchanged is still (CHANGED: this changed, it moved)
AGREE = 0.5  # IoU the box tracked back keeps with the box tracked forward


def centre(box: Box) -> tuple[float, float]:
    return box[0] + box[2] / 2, box[1] + box[3] / 2


def within(box: Box, shape) -> bool:
    """Whether the box lies wholly inside a frame of this (height, width, ...) shape."""
    x, y, w, h = box
    return x >= 0 and y >= 0 and x + w <= shape[1] and y + h <= shape[0]


def moved(box: Box, to: tuple[float, float], size) -> Box:
    """A box of `size` centred on `to`."""
    return to[0] - size[0] / 2, to[1] - size[1] / 2, size[0], size[1]


def still_part(start: np.ndarray, box: Box, image: np.ndarray, size) -> np.ndarray:
    """The template cells of the start box that stayed still on one side while much of the rest
    moved: an occluder or background the box took in (an object coming out from behind
    something); none when the box moved as a whole, not at all, or grew in place."""
    before, after = (cv2.GaussianBlur(crop(frame, box, size), (3, 3), 0) for frame in (start, image))
    change = np.abs(after - before)
    still, moved = change < STILL, change > CHANGED
    rows, columns = still.shape
    halves = (still[:, :columns // 2].mean() - still[:, columns - columns // 2:].mean(),
              still[:rows // 2].mean() - still[rows - rows // 2:].mean())
    if moved.mean() < 0.3 or still.mean() < 0.15 or max(map(abs, halves)) < 0.6:
        return np.zeros_like(still)  # no still side: the object moved as a whole, or grew in place
    return still


@dataclass(frozen=True)
class Step:
    """One frame's result: the box (None once lost), the match score, and on loss how many of
    the frames tracked just before it are to be taken back (they were already wrong)."""

    box: Box | None
    score: float
    back: int = 0


class Guard:
    """Wraps a tracker instance: `start` on the first frame and box, then `update` per frame."""

    def __init__(self, tracker: Tracker):
        self.tracker = tracker

    def start(self, frame: np.ndarray, box: Box) -> None:
        image = grey(frame)
        self.given = tuple(box)
        box, self.side = beyond_edges(box, image.shape[1], image.shape[0])  # a side until told entering or whole
        self.look, self.box, self.step = Look(image, box), box, (0.0, 0.0)
        self.previous = image
        self.covered = 0  # frames in a row where most of the object looked covered
        self.unsure = 0  # unsure frames in a row
        self.updates, self.first = 0, (image, box)
        self.recent = deque([(image, box)], maxlen=CHECK + 1)
        self.tracking = False
        self.restart(frame, box)

    def restart(self, frame: np.ndarray, box: Box) -> None:
        """Start the tracker plugin on the box, once it is inside the frame."""
        self.tracking = within(box, frame.shape) and min(box[2:]) >= TRACKABLE
        if self.tracking:
            self.tracker.start(frame, box)

    def update(self, frame: np.ndarray) -> Step:
        image = grey(frame)
        self.updates += 1
        still = still_part(*self.first, image, self.look.size) if self.updates == SETTLE else None
        if still is not None and self.look.forget(still):
            self.recent.clear()  # the frames so far were followed partly by something still
        box, score, proposal = self.find(image, frame)
        if score < LOST:
            return Step(None, score)
        uncovered = self.look.uncovered(image, box, self.step) if score < SURE else 1.0
        self.covered = self.covered + 1 if uncovered < UNCOVERED else 0
        if self.covered >= COVERED:
            return Step(None, score, COVERED - 1)  # most of the object behind something
        if self.side is not None:
            box = self.entering_or_whole(image, frame, box)
        self.previous = image
        here, now, size = centre(self.box), centre(box), box[2:]
        # unsure, unless most of the object is plainly there (partly covered, it matches less)
        self.unsure = self.unsure + 1 if score < CONFIDENT and uncovered < PLAINLY else 0
        if self.unsure >= UNSURE:
            return Step(None, score, UNSURE - 1)
        self.step = (0.5 * self.step[0] + 0.5 * (now[0] - here[0]), 0.5 * self.step[1] + 0.5 * (now[1] - here[1]))
        if self.look.ignored.any() and np.hypot(*np.subtract(now, centre(self.first[1]))) > max(size):
            self.look.ignored[:] = False  # away from what stood still: its cells are the object's now
        if score >= CONFIDENT and self.look.like_first(image, box) >= FAITHFUL:
            self.look.learn(image, box, LEARN)
        if proposal is None or iou(proposal, box)[0] < RESTART:
            self.restart(frame, box)
        self.box = box
        self.recent.append((image, box))
        if len(self.recent) == self.recent.maxlen and score >= CONFIDENT:
            # a confident look here, followed back, must come back to where the track was
            wrong = self.since_swap()
            if wrong:
                return Step(None, score, wrong - 1)
            self.recent = deque([self.recent[-1]], maxlen=CHECK + 1)
        return Step(box, score)

    def entering_or_whole(self, image: np.ndarray, frame: np.ndarray, box: Box) -> Box:
        """The box of an object whose start box was taken on beyond a side: as it is while that
        is not told yet or it was entering; the one given, moved with it, once it was whole."""
        inward = INWARD[self.side]
        start, here, now = centre(self.first[1]), centre(self.box), centre(box)
        moved = float(np.dot(inward, np.subtract(now, start)))
        told = tell(self.side, moved, round(float(np.dot(inward, np.subtract(now, here)))), box, self.previous, image)
        if told == "whole":
            box = given_moved(self.side, self.given, box)
            self.look = Look(image, box)
            self.recent.clear()  # the frames so far were followed with the wider box
            self.restart(frame, box)
        if told is not None or within(box, image.shape):
            self.side = None  # told, or all of it came into view: it was entering
        return box

    def find(self, image: np.ndarray, frame: np.ndarray):
        """(box, score, the tracker's own box) on this frame."""
        size = self.box[2:]
        here = centre(self.box)
        predicted = (here[0] + self.step[0], here[1] + self.step[1])
        radius = NEAR * max(size) + 2
        proposal = self.tracker.update(frame)[0] if self.tracking else None
        # the size is told only from the whole object (part of it out of view, it is kept)
        scales = SCALES if self.look.known.all() and within(self.box, image.shape) else (1.0,)
        box, score = self.look.search(image, predicted, size, radius, scales, (self.step,))
        if proposal is not None:
            # the tracker's box, where the object's motion does not put it, only if it looks sure
            tracked = self.look.search(image, centre(proposal), size, radius, scales, (self.step,))
            far = np.hypot(*np.subtract(centre(proposal), predicted)) > radius
            if tracked[1] > score and (tracked[1] >= CONFIDENT or not far):
                box, score = tracked
        if score < SURE and box is not None and box[2:] != size:
            box, score = self.look.search(image, centre(box), size, radius, (1.0,), (self.step,))
        if score < CONFIDENT:
            speed = float(np.hypot(*self.step))
            # after a turn the blur lies another way: try the step mirrored, and none
            steps = (self.step, (-self.step[0], self.step[1]), (self.step[0], -self.step[1]), (0.0, 0.0))
            wide = self.look.search(image, predicted, size, WIDE * max(size) + 2 * speed,
                                    WIDE_SCALES if len(scales) > 1 else scales, steps)
            if wide[1] >= CONFIDENT or (wide[1] > score and iou(wide[0], box)[0] > 0.5):
                box, score = wide  # a jump away only to a confident match
            if score < SURE and box is not None:
                box = moved(box, centre(box), size)
        return box, score, proposal

    def since_swap(self) -> int:
        """0 when the object, followed back from the newest recent frame by its look there, ends
        where the track was on the oldest; else how many of the newest frames the two agree on
        (the track swapped onto something else before them)."""
        frames = list(self.recent)
        image, box = frames[-1]
        look = Look(image, box)
        step = (-self.step[0], -self.step[1])
        agreed = 1
        for image, forward in frames[-2::-1]:
            here = centre(box)
            box, score = look.search(image, (here[0] + step[0], here[1] + step[1]), box[2:],
                                     NEAR * max(box[2:]) + 2 + float(np.hypot(*step)), (1.0,), (step,))
            if box is None or score < CONFIDENT:
                return 0  # out of the frame that far back, or unsure there: nothing to tell by
            if iou(box, forward)[0] < AGREE:
                return agreed
            agreed += 1
        return 0
