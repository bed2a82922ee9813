"""Benchmark: manual keyframes an annotator needs with linear interpolation, with tracking
forward, and with the `image-guided` interpolator, on generated clips with exact ground truth.

Clips come from tests/scenes.py (320x180, one textured object on a panning textured
background, 90-120 frames), two seeds of each kind: easy, fast motion (up to 9 px a frame,
two bends) with motion blur, heavy scale change (x3.4), an occluding pillar, a look-alike
distractor crossing the object's path, low contrast; all but the scale kind grow the object
by 15% only. True boxes are cut to the frame. One simulated annotator works each object three ways, in the same run:

- (a) linear: manual keyframes (the true boxes) where each visible stretch of the object starts
  and ends (the end one with `enabled: false` when the object disappears), shown with `linear`;
- (b) track: a manual keyframe only where each stretch starts, then the tracking engine
  (`track_region`, KCF) forward from it; shown with `linear` through the auto keyframes;
- (c) guided: the keyframes of (a), shown with `image-guided`.

Then the annotator repeatedly fixes the worst frame, the (first) one whose shown box has the
lowest IoU with the truth (a missing box, or a box shown where the object is not visible, is 0),
until every frame is at IoU >= 0.7, or the fixes reach the clip's length (reported as capped):
where the object is visible, a manual keyframe with the true box (in (b) then tracking on
from it, up to the next manual keyframe); where it is not, a lifespan end (`enabled: false`)
one frame before, on the box shown there, which also drops the auto keyframes past it up to
the next manual keyframe (they described a box that is not there). The manual keyframes of an
object are the starting ones plus one per fix.

Also measured: KCF's milliseconds per frame at 640x360 (tracker updates alone, frames in
memory, best of three passes) and the auto keyframes (b) leaves per 100 visible frames.

Run: `.venv/bin/python bench/track.py` (about a minute on two cores). Goals (issue 8):
guided_ratio <= 0.7 and (c) above (a) on no clip; track_ratio <= 1; ms_per_frame < 10.
The last line is `guided_ratio=X track_ratio=Y ms_per_frame=Z auto_keyframes_per_100=W`
(ratios are (c)/(a) and (b)/(a), manual keyframes summed over all objects).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from scenes import make_scene, write_video  # noqa: E402
from tracklabel.core.autotrack import track_region  # noqa: E402
from tracklabel.core.decoding import Video  # noqa: E402
from tracklabel.core.geometry import clip, iou, to_percent  # noqa: E402
from tracklabel.core.keyframes import is_auto  # noqa: E402
from tracklabel.core.plugins import load_registry  # noqa: E402
from tracklabel.core.tasks import load_tasks  # noqa: E402
from tracklabel.core.track import Track  # noqa: E402

SIZE = (320, 180)
FPS = 25
GOOD = 0.7  # IoU every frame must reach
SEEDS = (1, 2)
KINDS = {  # make_scene's arguments per clip kind; all but `scale` grow the object by 15% only
    "easy": {"frames": 120, "curve": 0.15, "scale": (1.0, 1.15)},
    "fast": {"frames": 90, "curve": 0.3, "turns": 2, "scale": (1.0, 1.15), "blur": True},  # <= 9 px a frame
    "scale": {"frames": 120, "curve": 0.15, "scale": (0.7, 2.4)},
    "occluded": {"frames": 120, "curve": 0.15, "scale": (1.0, 1.15), "pillar": (0.45, 0.6)},
    "distractor": {"frames": 120, "start": (0.08, 0.85), "end": (0.92, 0.55), "curve": 0.1,
                   "scale": (1.0, 1.15), "distractor": True},  # crosses the object's path mid-clip
    "low-contrast": {"frames": 120, "curve": 0.15, "scale": (1.0, 1.15), "contrast": 0.3},
}
WORKFLOWS = ("linear", "track", "guided")
SPEED_SIZE, SPEED_FRAMES, SPEED_PASSES = (640, 360), 150, 3


def truth(scene) -> np.ndarray:
    """The true boxes cut to the frame, in percent, (n, 4)."""
    x, y, w, h = clip(*scene.boxes.T, *scene.size)
    return np.stack(to_percent(x, y, w, h, *scene.size), axis=1)


def stretches(visible: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) 1-based frames of each run of frames where the object is visible."""
    edges = np.diff(np.concatenate(([0], visible.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1) + 1, np.flatnonzero(edges == -1)))


def keyframe(frame: int, box, enabled: bool = True) -> dict:
    """A manual keyframe with this percent box."""
    x, y, w, h = (float(v) for v in box)
    return {"frame": int(frame), "x": x, "y": y, "width": w, "height": h, "rotation": 0, "enabled": bool(enabled)}


def region(registry, sequence: list[dict], frames: int):
    """The normalised videorectangle region with these keyframes."""
    task = {"data": {"video": "clip.mp4"}, "annotations": [{"result": [
        {"id": "r", "type": "videorectangle", "from_name": "box", "to_name": "video",
         "value": {"framesCount": frames, "labels": ["Object"], "sequence": sequence}}]}]}
    return load_tasks([task], registry).tasks[0].annotations[0].result[0]


def shown(registry, interpolator, video, sequence: list[dict], frames: int):
    """(visible, (n, 4) percent boxes) the interpolator shows on every frame."""
    track = Track.from_keyframes(region(registry, sequence, frames).value.sequence)
    every = np.arange(1, frames + 1)
    out = (interpolator.boxes(track, every, video=video) if interpolator.needs_video
           else interpolator.boxes(track, every))
    return out.visible, np.stack([out.x, out.y, out.width, out.height], axis=1)


def scores(visible: np.ndarray, boxes: np.ndarray, true: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Per frame: IoU of the shown box with the truth; 0 for a missing or spurious box, 1 where
    nothing is shown and nothing is there."""
    out = np.where(visible | present, 0.0, 1.0)
    both = visible & present
    out[both] = iou(boxes[both], true[both])
    return out


def put(sequence: list[dict], key: dict) -> list[dict]:
    """The keyframes with `key` on its frame (replacing whatever was there)."""
    return sorted([k for k in sequence if k["frame"] != key["frame"]] + [key], key=lambda k: k["frame"])


def end_lifespan(sequence: list[dict], frame: int, box) -> list[dict]:
    """A manual lifespan end on `frame`, the auto keyframes after it up to the next manual one dropped."""
    following = [k["frame"] for k in sequence if not is_auto(k) and k["frame"] > frame]
    stop = min(following, default=np.inf)
    kept = [k for k in sequence if not (is_auto(k) and frame < k["frame"] < stop)]
    return put(kept, keyframe(frame, box, enabled=False))


def track_forward(registry, video, sequence: list[dict], start: int, frames: int) -> list[dict]:
    """The keyframes after the engine tracked forward (KCF) from `start`."""
    return track_region(video, region(registry, sequence, frames), registry.region_tag("videorectangle"), start, registry.tracker("kcf")(),
                        registry.interpolator("linear"), fps=FPS).sequence


def simulate(registry, video, scene, workflow: str) -> tuple[int, int, bool]:
    """(manual keyframes, auto keyframes left, whether the fixes hit the cap) for one object."""
    frames, true, present = len(scene.frames), truth(scene), scene.visible
    interpolator = registry.interpolator("image-guided" if workflow == "guided" else "linear")
    runs = stretches(present)
    sequence = []
    for first, last in runs:
        sequence.append(keyframe(first, true[first - 1]))
        if workflow != "track" and last > first:
            sequence.append(keyframe(last, true[last - 1], enabled=last == frames))
    manual = len(sequence)
    if workflow == "track":
        for first, _ in runs:
            sequence = track_forward(registry, video, sequence, first, frames)
    for _ in range(frames):
        visible, boxes = shown(registry, interpolator, video, sequence, frames)
        score = scores(visible, boxes, true, present)
        worst = int(np.argmin(score)) + 1
        if score[worst - 1] >= GOOD:
            return manual, sum(map(is_auto, sequence)), False
        manual += 1
        if present[worst - 1]:
            own = next((k for k in sequence if k["frame"] == worst and not is_auto(k)), None)
            enabled = own["enabled"] if own is not None else True
            sequence = put(sequence, keyframe(worst, true[worst - 1], enabled))
            if workflow == "track" and enabled:
                sequence = track_forward(registry, video, sequence, worst, frames)
        else:
            sequence = end_lifespan(sequence, worst - 1, boxes[worst - 2])
    return manual, sum(map(is_auto, sequence)), True


def tracker_speed(registry) -> float:
    """KCF's milliseconds per frame at SPEED_SIZE: updates only, frames in memory, best pass."""
    scene = make_scene(SPEED_FRAMES, SPEED_SIZE, seed=7, object_size=(72, 60))
    best = np.inf
    for _ in range(SPEED_PASSES):
        tracker = registry.tracker("kcf")()
        tracker.start(scene.frames[0], tuple(scene.boxes[0]))
        began = time.perf_counter()
        for image in scene.frames[1:]:
            tracker.update(image)
        best = min(best, (time.perf_counter() - began) / (len(scene.frames) - 1))
    return best * 1000


def run_clips(registry, folder: Path) -> list[dict]:
    """One row per clip (printed as it is done): its name, frames, visible frames, visible
    stretches (runs), each workflow's (manual, auto, capped) and the seconds it took."""
    rows = []
    for kind, arguments in KINDS.items():
        for seed in SEEDS:
            scene = make_scene(size=SIZE, seed=seed, **arguments)
            name = f"{kind}-{seed}"
            began = time.perf_counter()
            with Video(write_video(scene, folder / f"{name}.mp4", FPS), registry.decoder("pyav")) as video:
                results = {w: simulate(registry, video, scene, w) for w in WORKFLOWS}
            rows.append({"clip": name, "frames": len(scene.frames), "visible": int(scene.visible.sum()),
                         "runs": len(stretches(scene.visible)), "results": results,
                         "seconds": time.perf_counter() - began})
            print(row_line(rows[-1]), flush=True)
    return rows


def line(clip, frames, visible, runs, linear, track, guided, auto, seconds) -> str:
    """One line of the table."""
    return (f"{clip:<15}{frames:>7}{visible:>8}{runs:>5} | {linear:>6}{track:>6}{guided:>7} | "
            f"{auto:>5}{seconds:>6}")


def row_line(row: dict) -> str:
    """A clip's line; `*` marks a count that hit the fix cap."""
    counts = [f"{m}{'*' if capped else ''}" for m, _, capped in (row["results"][w] for w in WORKFLOWS)]
    return line(row["clip"], row["frames"], row["visible"], row["runs"], *counts,
                row["results"]["track"][1], f"{row['seconds']:.1f}")


def main() -> None:
    registry = load_registry()
    print(f"manual keyframes per object until every frame is at IoU >= {GOOD} ({SIZE[0]}x{SIZE[1]}; "
          "runs = visible stretches; auto = auto keyframes tracking left; s = seconds; * = capped)")
    print(line("clip", "frames", "visible", "runs", *WORKFLOWS, "auto", "s"))
    with tempfile.TemporaryDirectory() as folder:
        rows = run_clips(registry, Path(folder))
    total = {key: sum(r[key] for r in rows) for key in ("frames", "visible", "runs")}
    manual = {w: sum(r["results"][w][0] for r in rows) for w in WORKFLOWS}
    auto = sum(r["results"]["track"][1] for r in rows)
    print(line("total", *total.values(), *manual.values(), auto, ""))
    worse = [r["clip"] for r in rows if r["results"]["guided"][0] > r["results"]["linear"][0]]
    guided_ratio, track_ratio = manual["guided"] / manual["linear"], manual["track"] / manual["linear"]
    ms = tracker_speed(registry)
    print(f"guided <= 0.7 x linear: {'yes' if guided_ratio <= 0.7 else 'no'} ({guided_ratio:.2f}); "
          f"guided above linear on: {', '.join(worse) or 'no clip'}")
    print(f"track <= linear: {'yes' if track_ratio <= 1 else 'no'} ({track_ratio:.2f}); "
          f"KCF at {SPEED_SIZE[0]}x{SPEED_SIZE[1]} under 10 ms/frame: {'yes' if ms < 10 else 'no'} ({ms:.2f})")
    print(f"guided_ratio={guided_ratio:.2f} track_ratio={track_ratio:.2f} ms_per_frame={ms:.2f} "
          f"auto_keyframes_per_100={100 * auto / total['visible']:.1f}")


if __name__ == "__main__":
    main()
