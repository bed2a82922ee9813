"""The benchmark's generated clips are as hard as their kinds say: fast objects move 10-25 px a
frame, scale changes 4x both ways, occluded objects disappear and reappear, an entering object
is first visible as a sliver at the edge, and each clip is the same for the same seed."""

import numpy as np
import pytest

from clips import KINDS, make_clip


def centres(thing) -> np.ndarray:
    return thing.boxes[:, :2] + thing.boxes[:, 2:] / 2


def stretches(visible: np.ndarray) -> int:
    return int(np.sum(np.diff(np.concatenate(([0], visible.astype(np.int8)))) == 1))


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_two_to_four_objects_with_a_box_and_a_flag_per_frame(kind):
    clip = make_clip(kind, 1)
    assert clip.size == (320, 180) and 90 <= len(clip.frames) <= 150
    assert 2 <= len(clip.objects) <= 4
    for thing in clip.objects:
        assert thing.boxes.shape == (len(clip.frames), 4) and thing.visible.shape == (len(clip.frames),)
        assert thing.visible.any()


def test_the_same_seed_draws_the_same_clip_and_another_seed_another():
    one, again, other = make_clip("distractor", 4), make_clip("distractor", 4), make_clip("distractor", 5)
    assert all(np.array_equal(a, b) for a, b in zip(one.frames, again.frames))
    assert not np.array_equal(one.frames[0], other.frames[0])


def test_fast_objects_move_10_to_25_px_a_frame_over_a_sharp_background():
    clip = make_clip("fast", 1)
    for thing in clip.objects:
        steps = np.hypot(*np.diff(centres(thing), axis=0).T)
        assert 9 <= np.median(steps) <= 26 and steps.max() <= 27
    far = np.ones(clip.frames[0].shape[:2], bool)  # pixels no object comes near on frames 49-51
    for thing in clip.objects:
        for x, y, w, h in thing.boxes[49:52].astype(int):
            far[max(0, y - 30):y + h + 30, max(0, x - 30):x + w + 30] = False
    assert far.any() and np.array_equal(clip.frames[50][far], clip.frames[51][far])  # the background is sharp


def test_scale_objects_grow_and_shrink_4x():
    growth = sorted(t.boxes[-1, 2] / t.boxes[0, 2] for t in make_clip("scale", 2).objects)
    assert growth[0] == pytest.approx(0.25, rel=0.05) and growth[-1] == pytest.approx(4, rel=0.05)


def test_occluded_objects_reappear_and_one_enters_as_a_sliver_at_the_edge():
    clip = make_clip("occlusion", 3)
    things = {t.name: t for t in clip.objects}
    assert stretches(things["crossing"].visible) >= 2
    enters, leaves = things["enters"], things["leaves"]
    first = int(np.argmax(enters.visible))
    x, _, w, _ = enters.boxes[first]
    assert first > 0 and 1 <= x + w <= 4
    assert not leaves.visible[-1] and leaves.boxes[-1, 0] >= clip.size[0]
