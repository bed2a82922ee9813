"""Tracking on hard motion (issue 15), on clips of tests/clips.py with exact truth, encoded as
H.264 and decoded once by the registry's decoder (`decoded.DecodedOnce`), through the public engine (`track_region` with
KCF, and the `image-guided` interpolator): loss behind an occluder ends the lifespan, growing
and shrinking objects are followed, a sliver at the frame's edge is tracked as the object
enters, image-guided is never worse than linear on any kind, and fast motion gets no
confident wrong box."""

import numpy as np
import pytest

from clips import KINDS, make_clip
from decoded import DecodedOnce
from scenes import write_video
from tracklabel.core.autotrack import track_region
from tracklabel.core.decoding import Video
from tracklabel.core.errors import InputError
from tracklabel.core.geometry import clip, iou, to_percent
from tracklabel.core.tasks import load_tasks
from tracklabel.core.track import Track

SEED = 1
FPS = 25
GOOD = 0.7  # IoU a frame needs to count as right (the bench's bar)
ON_IT = 0.5  # IoU under which a box is on something else than the object
FEW = 5  # frames before the object is hidden where its loss may be declared (it is partly covered)
EPSILON = 0.01  # mean IoU image-guided may lose to linear (rounding of blended boxes)
ENTERING = 0.6  # mean IoU while an object enters at the edge (a sliver's IoU swings with 1 px)
FAST = 0.6  # IoU every box shown on the fast clip keeps (0.76 measured on each object)


@pytest.fixture(scope="module")
def encoded(tmp_path_factory, registry):
    """kind -> (clip, its video opened): seed SEED, rendered, encoded and decoded once, when
    first asked for."""
    folder = tmp_path_factory.mktemp("hard")
    decoder = DecodedOnce(registry.decoder("pyav"))
    done = {}

    def get(kind):
        if kind not in done:
            scene = make_clip(kind, SEED)
            done[kind] = scene, Video(write_video(scene, folder / f"{kind}.mp4", FPS, lossless=True), decoder)
        return done[kind]
    yield get
    for _, video in done.values():
        video.close()


def thing_of(scene, name):
    return next(thing for thing in scene.objects if thing.name == name)


def truth(thing, size) -> np.ndarray:
    """The object's true boxes cut to the frame, in percent, (n, 4)."""
    return np.stack(to_percent(*clip(*thing.boxes.T, *size), *size), axis=1)


def stretches(visible: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) 1-based frames of each run of frames where the object is visible."""
    edges = np.diff(np.concatenate(([0], visible.astype(np.int8), [0])))
    return [(int(a), int(b)) for a, b in zip(np.flatnonzero(edges == 1) + 1, np.flatnonzero(edges == -1))]


def keyframe(frame: int, box, enabled: bool = True) -> dict:
    """A manual keyframe with this percent box."""
    x, y, w, h = (float(v) for v in box)
    return {"frame": frame, "x": x, "y": y, "width": w, "height": h, "rotation": 0, "enabled": enabled}


def region(registry, sequence: list[dict], frames: int):
    task = {"data": {"video": "clip.mp4"}, "annotations": [{"result": [
        {"id": "r", "type": "videorectangle", "from_name": "box", "to_name": "video",
         "value": {"framesCount": frames, "labels": ["Object"], "sequence": sequence}}]}]}
    return load_tasks([task], registry).tasks[0].annotations[0].result[0]


def track(registry, video, sequence: list[dict], start: int, frames: int):
    """`track_region` forward from `start` with KCF, as the annotator's "track" does."""
    return track_region(video, region(registry, sequence, frames), registry.region_tag("videorectangle"), start,
                        registry.tracker("kcf")(), registry.interpolator("linear"), fps=FPS)


def shown(registry, interpolator: str, video, sequence: list[dict], frames: int):
    """(visible, (n, 4) percent boxes) the interpolator shows on every frame of the clip."""
    track_ = Track.from_keyframes(region(registry, sequence, frames).value.sequence)
    every = np.arange(1, frames + 1)
    chosen = registry.interpolator(interpolator)
    out = chosen.boxes(track_, every, video=video) if chosen.needs_video else chosen.boxes(track_, every)
    return out.visible, np.stack([out.x, out.y, out.width, out.height], axis=1)


def tracked_iou(result, true: np.ndarray) -> np.ndarray:
    """IoU of each tracked box with the truth on its frame."""
    return iou(result.boxes, true[result.frames - 1])


def in_view(result, thing, size) -> np.ndarray:
    """Per tracked frame, whether at least a quarter of the object is inside the frame (a
    sliver at the edge has an IoU that swings with one pixel; those frames are not judged)."""
    boxes = thing.boxes[result.frames - 1]
    cut = np.stack(clip(*boxes.T, *size), axis=1)
    return cut[:, 2] * cut[:, 3] >= 0.25 * boxes[:, 2] * boxes[:, 3]


@pytest.mark.parametrize("name", ["crossing", "enters", "leaves"])
def test_loss_behind_an_occluder_ends_the_lifespan_before_it_is_hidden(registry, encoded, name):
    """From a third into each stretch where the object is visible (but the last), tracking
    follows it up to a few frames before it is hidden, never onto the occluder, and ends
    the lifespan there: nothing is shown on the hidden frames or after them (but a box still
    on the object on the first hidden frame, where it is only just under half covered)."""
    scene, video = encoded("occlusion")
    thing = thing_of(scene, name)
    true, frames = truth(thing, scene.size), len(thing.visible)
    problems = []
    for first, last in stretches(thing.visible):
        if last == frames:
            continue
        start, hidden = first + (last - first) // 3, last + 1
        result = track(registry, video, [keyframe(start, true[start - 1])], start, frames)
        end = result.sequence[-1]
        visible, _ = shown(registry, "linear", video, result.sequence, frames)
        scores = np.where(in_view(result, thing, scene.size), tracked_iou(result, true), 1.0)
        # on the first hidden frame the object is only just under half covered: a box still on
        # it (not on the occluder) may end the lifespan there
        on_it_there = end["frame"] == hidden and scores[result.frames == hidden].min(initial=1) >= GOOD
        late = visible[hidden:].any() or (visible[hidden - 1] and not on_it_there)
        if (end["enabled"] or not hidden - 1 - FEW <= end["frame"] <= hidden or late
                or scores.min() < ON_IT):
            problems.append(f"from {start} (hidden from {hidden}): lifespan ends at {end['frame']} "
                            f"(enabled {end['enabled']}), shown on hidden frames "
                            f"{(np.flatnonzero(visible[hidden - 1:]) + hidden).tolist()[:8]}, "
                            f"lowest IoU {scores.min():.2f} on frame {result.frames[np.argmin(scores)]}")
    assert not problems, problems


@pytest.mark.parametrize("name", ["crossing", "enters", "leaves"])
def test_a_start_as_the_object_comes_out_does_not_follow_the_occluder(registry, encoded, name):
    """From the first frame of each stretch after an occlusion (the keyframe an annotator puts
    there, its box partly on the occluder), every box given is on the object (where at least a
    quarter of it is in view)."""
    scene, video = encoded("occlusion")
    thing = thing_of(scene, name)
    true, frames = truth(thing, scene.size), len(thing.visible)
    problems = []
    for first, _ in stretches(thing.visible)[1:]:
        result = track(registry, video, [keyframe(first, true[first - 1])], first, frames)
        scores = tracked_iou(result, true)[in_view(result, thing, scene.size)]
        if scores.min() < ON_IT:
            problems.append(f"from {first}: IoU {scores.min():.2f} on frame {result.frames[np.argmin(scores)]}, "
                            f"{(scores < ON_IT).sum()} of {len(scores)} tracked frames under {ON_IT}")
    assert not problems, problems


@pytest.mark.parametrize("name", ["grows", "shrinks", "grows-moving"])
def test_an_object_growing_or_shrinking_four_times_is_followed(registry, encoded, name):
    """Tracked from the first frame to the last, every box keeps IoU GOOD with the truth, and
    the box's size changes at least 3x (the object's, 4x)."""
    scene, video = encoded("scale")
    thing = thing_of(scene, name)
    true, frames = truth(thing, scene.size), len(thing.visible)
    result = track(registry, video, [keyframe(1, true[0])], 1, frames)
    scores = tracked_iou(result, true)
    assert scores.min() >= GOOD, (f"IoU {scores.min():.2f} on frame {result.frames[np.argmin(scores)]}, "
                                  f"{(scores < GOOD).sum()} of {len(scores)} frames under {GOOD}")
    side = np.sqrt(result.boxes[:, 2] * result.boxes[:, 3])
    change = side[-1] / side[0]
    assert result.frames[-1] == frames and max(change, 1 / change) >= 3, (result.frames[-1], change)


def test_a_sliver_at_the_edge_is_tracked_as_the_object_enters(registry, encoded):
    """The keyframe where the entering object first shows (1 px of it) is tracked from, and
    the box grows with the part in view until the whole object is."""
    scene, video = encoded("occlusion")
    thing = thing_of(scene, "enters")
    true, frames = truth(thing, scene.size), len(thing.visible)
    start = stretches(thing.visible)[0][0]
    assert true[start - 1, 2] * scene.size[0] / 100 <= 2  # a sliver
    whole = int(np.flatnonzero(thing.boxes[:, 0] >= 0)[0]) + 1  # the first frame it is wholly in
    result = track(registry, video, [keyframe(start, true[start - 1])], start, frames)
    scores = tracked_iou(result, true)
    entering = result.frames <= whole
    assert result.frames[-1] >= whole, (f"lost at {result.lost_at} (whole from {whole}), IoU "
                                        f"{np.round(scores, 2).tolist()}, "
                                        f"widths {np.round(result.boxes[:, 2], 1).tolist()}")
    assert scores[entering].mean() >= ENTERING, np.round(scores[entering], 2).tolist()
    assert result.boxes[entering][-1, 2] >= 0.8 * true[whole - 1, 2], np.round(result.boxes[entering, 2], 1).tolist()


def test_a_box_with_no_visible_part_is_refused(registry, encoded):
    """The entering object's box before it shows: refused, naming the region and why."""
    scene, video = encoded("occlusion")
    thing = thing_of(scene, "enters")
    x, y, w, h = to_percent(*thing.boxes[0], *scene.size)
    assert x + w < 0  # wholly left of the frame on the first frame
    with pytest.raises(InputError) as refused:
        track(registry, video, [keyframe(1, (x, y, w, h))], 1, len(thing.visible))
    assert "region 'r'" in str(refused.value) and "no visible part" in str(refused.value)


@pytest.mark.parametrize("kind", KINDS)
def test_image_guided_is_never_worse_than_linear(registry, encoded, kind):
    """Keyframes where each visible stretch starts and ends (the bench's first keyframes): per
    object, image-guided has no more frames under GOOD than linear, and no lower mean IoU."""
    scene, video = encoded(kind)
    worse = []
    for thing in scene.objects:
        true, frames = truth(thing, scene.size), len(thing.visible)
        sequence = []
        for first, last in stretches(thing.visible):
            sequence.append(keyframe(first, true[first - 1]))
            if last > first:
                sequence.append(keyframe(last, true[last - 1], enabled=last == frames))
        found = {}
        for interpolator in ("linear", "image-guided"):
            visible, boxes = shown(registry, interpolator, video, sequence, frames)
            scores = np.where(visible, iou(boxes, true), 0.0)[thing.visible]
            found[interpolator] = int((scores < GOOD).sum()), float(scores.mean())
        (linear_bad, linear_mean), (guided_bad, guided_mean) = found["linear"], found["image-guided"]
        if guided_bad > linear_bad or guided_mean < linear_mean - EPSILON:
            worse.append(f"{thing.name}: frames under {GOOD} {guided_bad} (linear {linear_bad}), "
                         f"mean IoU {guided_mean:.3f} (linear {linear_mean:.3f})")
    assert not worse, worse


@pytest.mark.parametrize("name", ["o1", "o2", "o3"])
def test_fast_motion_gets_no_confident_wrong_box(registry, encoded, name):
    """Tracking forward from the first frame: wherever the keyframes it writes show a box, the
    box is on the object; where it is not, the lifespan has ended."""
    scene, video = encoded("fast")
    thing = thing_of(scene, name)
    true, frames = truth(thing, scene.size), len(thing.visible)
    result = track(registry, video, [keyframe(1, true[0])], 1, frames)
    visible, boxes = shown(registry, "linear", video, result.sequence, frames)
    scores = iou(boxes[visible], true[visible])
    assert scores.min() >= FAST, (np.flatnonzero(visible)[np.argmin(scores)] + 1, np.round(scores, 2).tolist())
    assert result.frames[-1] >= 5  # it follows for a while
    assert result.frames[-1] == frames or not result.sequence[-1]["enabled"]
