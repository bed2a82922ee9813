"""The interpolation rules of docs/frames.md: worked examples, Label Studio's region, properties."""

import json
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from box_keyframes import keyframes
from tracklabel.core.interpolate import frame_range, progress
from tracklabel.core.schema import BoxKeyframe
from tracklabel.core.track import Track, norm_angle


def track(*keys):
    """keys: (frame, x, enabled) or (frame, x, enabled, rotation)."""
    frames = [BoxKeyframe(frame=k[0], x=k[1], y=5.0, width=10.0, height=20.0,
                       rotation=k[3] if len(k) > 3 else 0.0, enabled=k[2]) for k in keys]
    return Track.from_keyframes(frames)


def shown(boxes):
    return {int(f): float(x) for f, x, v in zip(boxes.frame, boxes.x, boxes.visible) if v}


def test_worked_example(registry):
    t = track((1, 10.0, True), (5, 20.0, False), (8, 40.0, True))
    boxes = registry.interpolator("linear").boxes(t, frame_range(10))
    assert shown(boxes) == {1: 10.0, 2: 12.5, 3: 15.0, 4: 17.5, 5: 20.0,
                            8: 40.0, 9: 40.0, 10: 40.0}
    assert boxes.keyframe.tolist() == [f in (1, 5, 8) for f in range(1, 11)]


def test_rotation_takes_the_short_way(registry):
    t = track((1, 0.0, True, -170.0), (5, 0.0, True, 170.0))
    boxes = registry.interpolator("linear").boxes(t, frame_range(5))
    assert boxes.rotation.tolist() == [-170.0, -175.0, 180.0, 175.0, 170.0]


def test_stored_rotation_is_kept_on_keyframes_and_when_held(registry):
    t = track((1, 0.0, True, 270.0), (3, 0.0, True, 10.0))
    boxes = registry.interpolator("linear").boxes(t, frame_range(3))
    assert boxes.rotation[0] == 270.0  # as stored
    assert boxes.rotation[1] == -40.0  # 270 is -90; half of the +100 turn to 10, in (-180, 180]
    t = track((1, 0.0, True, 270.0))
    assert registry.interpolator("linear").boxes(t, frame_range(4)).rotation.tolist() == [270.0] * 4


def test_before_first_keyframe_no_box_and_hold_after_last(registry):
    t = track((3, 7.0, True), (4, 9.0, True))
    boxes = registry.interpolator("linear").boxes(t, frame_range(6))
    assert shown(boxes) == {3: 7.0, 4: 9.0, 5: 9.0, 6: 9.0}


def test_disabled_keyframe_shows_on_its_own_frame_only(registry):
    t = track((2, 1.0, False))
    assert shown(registry.interpolator("linear").boxes(t, frame_range(4))) == {2: 1.0}


def test_interpolation_is_about_the_top_left_corner(registry):
    keys = [BoxKeyframe(frame=1, x=0, y=0, width=10, height=10, rotation=0, enabled=True),
            BoxKeyframe(frame=3, x=10, y=20, width=30, height=50, rotation=90, enabled=True)]
    boxes = registry.interpolator("linear").boxes(Track.from_keyframes(keys), frame_range(3))
    assert (boxes.x[1], boxes.y[1], boxes.width[1], boxes.height[1], boxes.rotation[1]) == (
        5.0, 10.0, 20.0, 30.0, 45.0)


def test_label_studio_example_region(registry, ls_fixtures):
    region = json.loads((ls_fixtures / "docs_example_region.json").read_text())
    from tracklabel.core.tasks import load_tasks

    task = {"data": {"video": "v.mp4"}, "annotations": [{"result": [region]}]}
    loaded = load_tasks(task, registry).tasks[0].annotations[0].result[0]
    boxes = registry.interpolator("linear").boxes(
        Track.from_keyframes(loaded.value.sequence), frame_range(299))
    a, b = region["value"]["sequence"]
    assert boxes.visible.all()  # both keyframes enabled: 1..299 all shown
    assert boxes.x[0] == a["x"] and boxes.x[5] == b["x"] and boxes.x[298] == b["x"]
    for f in range(2, 6):
        r = (f - 1) / 5
        for name in ("x", "y", "width", "height"):
            assert getattr(boxes, name)[f - 1] == a[name] + (b[name] - a[name]) * r
    assert boxes.keyframe.nonzero()[0].tolist() == [0, 5]


def test_step_holds_the_previous_keyframe(registry):
    t = track((1, 10.0, True), (5, 20.0, False), (8, 40.0, True))
    boxes = registry.interpolator("step").boxes(t, frame_range(10))
    assert shown(boxes) == {1: 10.0, 2: 10.0, 3: 10.0, 4: 10.0, 5: 20.0,
                            8: 40.0, 9: 40.0, 10: 40.0}


def test_empty_track_shows_nothing(registry):
    empty = Track.from_keyframes([])
    for name in ("linear", "step"):
        assert not registry.interpolator(name).boxes(empty, frame_range(5)).visible.any()


def test_norm_angle_range():
    assert norm_angle(180.0) == 180.0
    assert norm_angle(-180.0) == 180.0
    assert norm_angle(190.0) == -170.0
    assert norm_angle(540.0) == 180.0
    assert norm_angle(-181.0) == 179.0


# --- properties: the vectorised linear against a per-frame transcription of docs/frames.md ---

def _norm(a):
    a = math.fmod(a, 360.0)
    if a <= -180:
        a += 360
    if a > 180:
        a -= 360
    return a


def reference(keys, f):
    """docs/frames.md's rules, one frame at a time (None: no box)."""
    before = [k for k in keys if k.frame <= f]
    if not before:
        return None
    s = before[-1]
    if not (s.enabled or s.frame == f):
        return None
    after = [k for k in keys if k.frame > f]
    if s.frame == f or not after:
        return (s.x, s.y, s.width, s.height, s.rotation)
    e = after[0]
    if abs(abs(_norm(e.rotation - s.rotation)) - 180) < 1e-6:
        assume(False)  # half a turn: both ways are shortest, float noise picks one
    r = (f - s.frame) / (e.frame - s.frame)
    lin = [getattr(s, n) + (getattr(e, n) - getattr(s, n)) * r for n in ("x", "y", "width", "height")]
    return (*lin, _norm(s.rotation + _norm(e.rotation - s.rotation) * r))




@settings(max_examples=300, deadline=None)
@given(keyframes, st.integers(1, 70))
def test_linear_matches_the_rules_frame_by_frame(registry, keys, frames_count):
    boxes = registry.interpolator("linear").boxes(Track.from_keyframes(keys), frame_range(frames_count))
    for i, f in enumerate(range(1, frames_count + 1)):
        expected = reference(keys, f)
        assert bool(boxes.visible[i]) == (expected is not None), f
        if expected is None:
            continue
        got = (boxes.x[i], boxes.y[i], boxes.width[i], boxes.height[i], boxes.rotation[i])
        for g, e in zip(got[:4], expected[:4]):
            assert g == pytest.approx(e, abs=1e-9)
        assert _norm(got[4] - expected[4]) == pytest.approx(0, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(keyframes)
def test_keyframes_come_back_exactly_and_rotation_stays_in_range(registry, keys):
    last = keys[-1].frame + 3
    boxes = registry.interpolator("linear").boxes(Track.from_keyframes(keys), frame_range(last))
    for k in keys:
        i = k.frame - 1
        assert boxes.visible[i] and boxes.keyframe[i]
        assert (boxes.x[i], boxes.y[i], boxes.width[i], boxes.height[i], boxes.rotation[i]) == (
            k.x, k.y, k.width, k.height, k.rotation)
    between = boxes.visible & ~boxes.keyframe & (boxes.frame < keys[-1].frame)
    assert ((boxes.rotation[between] > -180) & (boxes.rotation[between] <= 180)).all()


@settings(max_examples=100, deadline=None)
@given(keyframes, st.integers(1, 70))
def test_step_and_linear_share_the_lifespan(registry, keys, frames_count):
    t = Track.from_keyframes(keys)
    frames = frame_range(frames_count)
    linear = registry.interpolator("linear").boxes(t, frames)
    step = registry.interpolator("step").boxes(t, frames)
    assert np.array_equal(linear.visible, step.visible)
    assert np.array_equal(linear.keyframe, step.keyframe)


@settings(max_examples=50, deadline=None)
@given(keyframes, st.permutations(list(range(-3, 75))))
def test_any_frame_order_gives_the_same_boxes(registry, keys, order):
    t = Track.from_keyframes(keys)
    frames = np.array(order)
    for name in ("linear", "step"):
        shuffled = registry.interpolator(name).boxes(t, frames)
        ascending = registry.interpolator(name).boxes(t, np.sort(frames))
        rank = np.argsort(np.argsort(frames))
        for field in ("x", "y", "width", "height", "rotation", "visible", "keyframe"):
            assert np.array_equal(getattr(shuffled, field), getattr(ascending, field)[rank]), field


def test_progress_is_the_interpolators_fraction_with_the_lifespan(registry):
    frame, enabled = np.array([2, 6, 9]), np.array([True, False, True])
    frames = np.arange(1, 12)
    idx, fraction, exact, visible = progress(registry.interpolator("linear"), frame, enabled, frames)
    assert idx.tolist() == [-1, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert fraction == pytest.approx([0, 0, 0.25, 0.5, 0.75, 0, 1 / 3, 2 / 3, 0, 0, 0])
    assert exact.tolist() == [f in (2, 6, 9) for f in range(1, 12)]
    assert visible.tolist() == [False, True, True, True, True, True, False, False, True, True, True]
    _, held, _, _ = progress(registry.interpolator("step"), frame, enabled, frames)
    assert not held.any()
    empty = progress(registry.interpolator("linear"), np.array([], np.int64), np.array([], bool), frames)
    assert not empty[3].any() and not empty[1].any()
