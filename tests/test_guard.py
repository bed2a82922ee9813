"""The guard and the look (core/guard.py, core/look.py) on generated frames (tests/scenes.py):
a whole object whose box touches the frame's edge keeps its size, a flat box is never a
confident match, a box wider than the frame is searched, and a still object is found where it
is, not pulled towards where its motion was predicted, and a large finely textured object is
followed. Each was a defect found in review."""

import numpy as np

from scenes import make_scene
from tracklabel.core.geometry import iou
from tracklabel.core.guard import CONFIDENT, Guard
from tracklabel.core.look import Look, grey, inside
from tracklabel.plugins.trackers.kcf import KCF



def followed(frames, box, count=None):
    """The guard's steps over frames[1:count] from `box` on frames[0], up to the first loss."""
    guard = Guard(KCF())
    guard.start(frames[0], box)
    steps = []
    for frame in frames[1:count]:
        steps.append(guard.update(frame))
        if steps[-1].box is None:
            break
    return steps



def test_a_whole_object_touching_the_edge_keeps_its_size():
    scene = make_scene(frames=16, seed=2, object_size=(24, 48), start=(12 / 320, 0.5), end=(0.6, 0.5),
                       curve=0.0, scale=(1.0, 1.0))
    assert scene.boxes[0][0] == 0  # wholly in view, its box on the left side
    steps = followed(scene.frames, tuple(map(float, scene.boxes[0])))
    assert all(step.box is not None for step in steps)
    width, height = scene.size
    scores = [iou(inside(step.box, width, height), scene.boxes[n])[0] for n, step in enumerate(steps, 1)]
    assert min(scores) >= 0.8, np.round(scores, 2).tolist()


def test_a_flat_box_is_never_a_confident_match():
    scene = make_scene(frames=8, seed=1)
    frames = [frame.copy() for frame in scene.frames]
    for frame in frames:
        frame[10:50, 200:260] = (120, 130, 140)
    steps = followed(frames, (205.0, 15.0, 40.0, 30.0))
    assert all(step.box is None or step.score < CONFIDENT for step in steps), [round(s.score, 3) for s in steps]


def test_a_box_wider_than_the_frame_is_searched():
    scene = make_scene(frames=3, seed=1)
    width, _ = scene.size
    steps = followed(scene.frames, (-10.0, 40.0, width + 20.0, 70.0))
    assert steps[0].score > -1.0  # -1: no place was compared at all


def test_a_still_object_is_found_where_it_is():
    scene = make_scene(frames=1, seed=4)
    image = grey(scene.frames[0])
    box = (120.0, 60.0, 36.0, 30.0)
    look = Look(image, box)
    errors = []
    for dx, dy in ((3.3, -2.2), (-5.1, 4.4), (4.0, 4.0)):
        found, _ = look.search(image, (box[0] + 18 + dx, box[1] + 15 + dy), box[2:], 13.4, (1.0,))
        errors.append(max(abs(found[0] - box[0]), abs(found[1] - box[1])))
    assert max(errors) <= 1.0, np.round(errors, 2).tolist()


def test_a_large_finely_textured_object_is_followed():
    """A box shrunk ten times into its template: its fine texture is averaged, not sampled
    (sampled, one pixel of motion made it another picture and the object was lost)."""
    rng = np.random.default_rng(3)
    background = rng.integers(0, 256, (360, 640, 3), dtype=np.uint8)
    thing = rng.integers(0, 256, (180, 240, 3), dtype=np.uint8)
    frames, boxes = [], []
    for n in range(12):
        frame, x = background.copy(), 100 + 2 * n
        frame[90:270, x:x + 240] = thing
        frames.append(frame)
        boxes.append((float(x), 90.0, 240.0, 180.0))
    steps = followed(frames, boxes[0])
    assert len(steps) == 11 and all(step.box is not None for step in steps), [round(s.score, 2) for s in steps]
    assert min(iou(step.box, boxes[n])[0] for n, step in enumerate(steps, 1)) >= 0.9
