"""Benchmark: manual keyframes an annotator needs with linear interpolation, with tracking
forward, and with the `image-guided` interpolator, on generated clips with exact ground truth.

Clips come from tests/clips.py (320x180, 100-140 frames, 2-3 tracked objects each over a
textured background; see its docstring for the visibility rule), three seeds of each kind:
easy (smooth motion), fast (10-25 px a frame, sharp turns and bounces, real motion blur),
scale (one object grows 4x in place, one shrinks 4x and one grows 4x while moving), occlusion
(two textured pillars and a moving textured occluder; one object enters at the left edge, one
leaves at the right), distractor (look-alikes of the tracked objects' textures crossing their
paths, in front and behind), low-contrast (objects close to the background, noise). Every
object of every clip is worked; the truth is its box cut to the frame, so an object entering
at an edge starts from a sliver a pixel or two wide. One simulated annotator works each
object three ways, in the same run:

- (a) linear: manual keyframes (the true boxes) where each visible stretch of the object starts
  and ends (the end one with `enabled: false` when the object disappears), shown with `linear`;
- (b) track: a manual keyframe only where each stretch starts, then the tracking engine
  (`track_region`, KCF) forward from it; shown with `linear` through the auto keyframes;
- (c) guided: the keyframes of (a), shown with `image-guided`.

Then the annotator repeatedly fixes the worst frame, the (first) one whose shown box has the
lowest IoU with the truth (a missing box, or a box shown where the object is not visible, is 0),
until every frame is at IoU >= 0.7, or the fixes reach the clip's length (capped):
where the object is visible, a manual keyframe with the true box (in (b) then tracking on
from it, up to the next manual keyframe); where it is not, a lifespan end (`enabled: false`)
one frame before, on the box shown there, which also drops the auto keyframes past it up to
the next manual keyframe (they described a box that is not there). The manual keyframes of an
object are the starting ones plus one per fix. When the engine refuses to track (InputError,
e.g. from a box mostly outside the frame), the annotator goes on without tracking there (as
if "track" had not been pressed) and the refusal is counted.

Also measured: KCF's milliseconds per frame at 640x360 (tracker updates alone, frames in
memory, best of three passes) and the auto keyframes (b) leaves per 100 visible frames.
Each clip's frames are decoded once (pyav) and kept in memory for its three workflows.

Run: `.venv/bin/python bench/track.py` (about 3 minutes on two busy cores with the issue-8
engine; `--kinds fast --seeds 1` for one clip, `--workflows track` to skip image-guided;
linear always runs, the ratios need it). Goals (issue 15): guided_ratio <= 0.5 in total and
guided above linear on no kind; track_ratio <= 0.8; no object unconverged; ms_per_frame < 10.
Prints a row per object, a line per kind
(`kind=K linear=A track=B guided=C guided_ratio=X track_ratio=Y unconverged=N refused=R`;
unconverged: runs capped or under IoU 0.7 on average at the end; refused: tracking requests
the engine refused), then the totals. The last line is
`guided_ratio=X track_ratio=Y ms_per_frame=Z auto_keyframes_per_100=W`
(ratios are (c)/(a) and (b)/(a), manual keyframes summed over all objects).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from clips import KINDS, make_clip  # noqa: E402
from decoded import DecodedOnce  # noqa: E402
from scenes import make_scene, write_video  # noqa: E402
from tracklabel.core.autotrack import track_region  # noqa: E402
from tracklabel.core.decoding import Video  # noqa: E402
from tracklabel.core.errors import InputError  # noqa: E402
from tracklabel.core.guard import Guard  # noqa: E402
from tracklabel.core.geometry import clip, iou, to_percent  # noqa: E402
from tracklabel.core.keyframes import is_auto  # noqa: E402
from tracklabel.core.plugins import load_registry  # noqa: E402
from tracklabel.core.tasks import load_tasks  # noqa: E402
from tracklabel.core.track import Track  # noqa: E402

SIZE = (320, 180)
FPS = 25
GOOD = 0.7  # IoU every frame must reach
SEEDS = (1, 2, 3)
WORKFLOWS = ("linear", "track", "guided")
SPEED_SIZE, SPEED_FRAMES, SPEED_PASSES = (640, 360), 150, 3


@dataclass
class Outcome:
    """One object worked one way: manual keyframes, auto keyframes left, whether the fixes hit
    the cap, the final mean IoU over its frames, and the tracking requests refused."""

    manual: int
    auto: int
    capped: bool
    mean_iou: float
    refused: int

    @property
    def unconverged(self) -> bool:
        return self.capped or self.mean_iou < GOOD


def truth(thing, size: tuple[int, int]) -> np.ndarray:
    """An object's true boxes cut to the frame, in percent, (n, 4)."""
    x, y, w, h = clip(*thing.boxes.T, *size)
    return np.stack(to_percent(x, y, w, h, *size), axis=1)


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


class Annotator:
    """One object worked one way, counting the tracking requests the engine refused."""

    def __init__(self, registry, video, thing, size: tuple[int, int], workflow: str):
        self.registry, self.video, self.workflow = registry, video, workflow
        self.frames, self.true, self.present = len(thing.visible), truth(thing, size), thing.visible
        self.interpolator = registry.interpolator("image-guided" if workflow == "guided" else "linear")
        self.refused = 0

    def track_forward(self, sequence: list[dict], start: int) -> list[dict]:
        """The keyframes after the engine tracked forward (KCF) from `start`; as they were when
        it refuses (the annotator goes on by hand)."""
        try:
            return track_region(self.video, region(self.registry, sequence, self.frames),
                                self.registry.region_tag("videorectangle"), start, self.registry.tracker("kcf")(),
                                self.registry.interpolator("linear"), fps=FPS).sequence
        except InputError:
            self.refused += 1
            return sequence

    def score(self, sequence: list[dict]) -> tuple[np.ndarray, np.ndarray]:
        """(per-frame IoU with the truth, the percent boxes shown)."""
        visible, boxes = shown(self.registry, self.interpolator, self.video, sequence, self.frames)
        return scores(visible, boxes, self.true, self.present), boxes

    def work(self) -> Outcome:
        """Start keyframes, then fixes of the worst frame until all are good or the cap."""
        true, present = self.true, self.present
        runs = stretches(present)
        sequence = []
        for first, last in runs:
            sequence.append(keyframe(first, true[first - 1]))
            if self.workflow != "track" and last > first:
                sequence.append(keyframe(last, true[last - 1], enabled=last == self.frames))
        manual = len(sequence)
        if self.workflow == "track":
            for first, _ in runs:
                sequence = self.track_forward(sequence, first)
        for _ in range(self.frames):
            score, boxes = self.score(sequence)
            worst = int(np.argmin(score)) + 1
            if score[worst - 1] >= GOOD:
                return Outcome(manual, sum(map(is_auto, sequence)), False, float(score.mean()), self.refused)
            manual += 1
            if present[worst - 1]:
                own = next((k for k in sequence if k["frame"] == worst and not is_auto(k)), None)
                enabled = own["enabled"] if own is not None else True
                sequence = put(sequence, keyframe(worst, true[worst - 1], enabled))
                if self.workflow == "track" and enabled:
                    sequence = self.track_forward(sequence, worst)
            else:
                sequence = end_lifespan(sequence, worst - 1, boxes[worst - 2])
        score, _ = self.score(sequence)
        return Outcome(manual, sum(map(is_auto, sequence)), True, float(score.mean()), self.refused)


def tracker_speed(registry) -> float:
    """KCF-based tracking's milliseconds per frame at SPEED_SIZE, as the engine runs it (KCF
    guarded by `core.guard`: its checks, size search and wider searches included): updates
    only, frames in memory, best pass."""
    scene = make_scene(SPEED_FRAMES, SPEED_SIZE, seed=7, object_size=(72, 60))
    best = np.inf
    for _ in range(SPEED_PASSES):
        tracker = Guard(registry.tracker("kcf")())
        tracker.start(scene.frames[0], tuple(scene.boxes[0]))
        began = time.perf_counter()
        for image in scene.frames[1:]:
            tracker.update(image)
        best = min(best, (time.perf_counter() - began) / (len(scene.frames) - 1))
    return best * 1000


def run_clips(registry, folder: Path, kinds, seeds, workflows) -> list[dict]:
    """One row per object (printed as it is done): its clip, name, frames, visible frames,
    visible stretches (runs), each workflow's Outcome and the seconds the clip took."""
    rows = []
    for kind in kinds:
        for seed in seeds:
            scene = make_clip(kind, seed, SIZE)
            name = f"{kind}-{seed}"
            began = time.perf_counter()
            with Video(write_video(scene, folder / f"{name}.mp4", FPS, lossless=True), DecodedOnce(registry.decoder("pyav"))) as video:
                for thing in scene.objects:
                    results = {w: Annotator(registry, video, thing, scene.size, w).work() for w in workflows}
                    rows.append({"kind": kind, "clip": f"{name} {thing.name}", "frames": len(scene.frames),
                                 "visible": int(thing.visible.sum()), "runs": len(stretches(thing.visible)),
                                 "results": results, "seconds": time.perf_counter() - began})
                    print(row_line(rows[-1], workflows), flush=True)
                    began = time.perf_counter()
    return rows


def line(clip, frames, visible, runs, counts, auto, refused, seconds) -> str:
    """One line of the table."""
    return (f"{clip:<24}{frames:>7}{visible:>8}{runs:>5} | " + "".join(f"{c:>8}" for c in counts)
            + f" | {auto:>5}{refused:>8}{seconds:>7}")


def row_line(row: dict, workflows) -> str:
    """An object's line; `*` marks a count that did not converge (then its final mean IoU follows)."""
    results = row["results"]
    counts = [f"{r.manual}{'*' if r.unconverged else ''}" for r in (results[w] for w in workflows)]
    track = results.get("track")
    tail = "".join(f"  {w} mean IoU {results[w].mean_iou:.2f}" for w in workflows if results[w].unconverged)
    return line(row["clip"], row["frames"], row["visible"], row["runs"], counts,
                track.auto if track else "-", track.refused if track else "-", f"{row['seconds']:.1f}") + tail


def ratio(manual: dict, workflow: str) -> str:
    return f"{manual[workflow] / manual['linear']:.2f}" if workflow in manual else "-"


def totals(rows: list[dict], workflows) -> tuple[dict, int, int]:
    """(manual keyframes per workflow, unconverged runs, refused tracking requests) over rows."""
    manual = {w: sum(r["results"][w].manual for r in rows) for w in workflows}
    unconverged = sum(r["results"][w].unconverged for r in rows for w in workflows)
    refused = sum(r["results"][w].refused for r in rows for w in workflows)
    return manual, unconverged, refused


def kind_line(kind: str, rows: list[dict], workflows) -> str:
    manual, unconverged, refused = totals([r for r in rows if r["kind"] == kind], workflows)
    counts = " ".join(f"{w}={manual[w]}" for w in workflows)
    return (f"kind={kind} {counts} guided_ratio={ratio(manual, 'guided')} track_ratio={ratio(manual, 'track')} "
            f"unconverged={unconverged} refused={refused}")


def options(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Manual keyframes per workflow on generated clips.")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"comma-separated, of {','.join(KINDS)}")
    parser.add_argument("--seeds", default=",".join(map(str, SEEDS)), help="comma-separated integers")
    parser.add_argument("--workflows", default=",".join(WORKFLOWS),
                        help="comma-separated, of linear,track,guided (linear always runs)")
    args = parser.parse_args(argv)
    args.kinds = [k for k in args.kinds.split(",") if k]
    unknown = sorted(set(args.kinds) - set(KINDS)) + sorted(set(args.workflows.split(",")) - set(WORKFLOWS) - {""})
    if unknown:
        parser.error(f"unknown kinds or workflows: {', '.join(unknown)}")
    args.seeds = [int(s) for s in args.seeds.split(",") if s]
    args.workflows = [w for w in WORKFLOWS if w == "linear" or w in args.workflows.split(",")]
    return args


def main() -> None:
    args = options()
    workflows = args.workflows
    registry = load_registry()
    began = time.perf_counter()
    print(f"manual keyframes per object until every frame is at IoU >= {GOOD} ({SIZE[0]}x{SIZE[1]}; "
          "runs = visible stretches; auto = auto keyframes tracking left; refused = tracking requests "
          "refused; s = seconds; * = unconverged)")
    print(line("clip object", "frames", "visible", "runs", workflows, "auto", "refused", "s"))
    with tempfile.TemporaryDirectory() as folder:
        rows = run_clips(registry, Path(folder), args.kinds, args.seeds, workflows)
    for kind in args.kinds:
        print(kind_line(kind, rows, workflows))
    manual, unconverged, refused = totals(rows, workflows)
    visible = sum(r["visible"] for r in rows)
    auto = sum(r["results"]["track"].auto for r in rows) if "track" in workflows else 0
    ms = tracker_speed(registry)
    print(f"objects {len(rows)}, unconverged runs {unconverged}, tracking requests refused {refused}, "
          f"{time.perf_counter() - began:.0f} s")
    if "guided" in workflows:
        worse = [k for k in args.kinds if (lambda m: m["guided"] > m["linear"])(
            totals([r for r in rows if r["kind"] == k], workflows)[0])]
        print(f"guided <= 0.5 x linear: {'yes' if manual['guided'] <= 0.5 * manual['linear'] else 'no'} "
              f"({ratio(manual, 'guided')}); guided above linear on: {', '.join(worse) or 'no kind'}")
    if "track" in workflows:
        print(f"track <= 0.8 x linear: {'yes' if manual['track'] <= 0.8 * manual['linear'] else 'no'} "
              f"({ratio(manual, 'track')}); KCF at {SPEED_SIZE[0]}x{SPEED_SIZE[1]} under 10 ms/frame: "
              f"{'yes' if ms < 10 else 'no'} ({ms:.2f})")
    print(f"guided_ratio={ratio(manual, 'guided')} track_ratio={ratio(manual, 'track')} ms_per_frame={ms:.2f} "
          f"auto_keyframes_per_100={100 * auto / max(visible, 1):.1f}")


if __name__ == "__main__":
    main()
