"""Benchmark: label-studio-sdk's `extract_key_frames` against tracklabel, side by side.

Both run in one process on the same generated annotations (one task, N videorectangle tracks
of 20 keyframes each over 9,000 frames, about 10% of keyframes `enabled: false`), for
N = 100 and N = 1000. Two steps are timed:

- keyframes -> per-frame arrays: Label Studio's `extract_key_frames` on the result dicts,
  against our `Track.from_keyframes` + the `linear` interpolator over every frame;
- end to end: JSON text in, `ls-frames` JSON out (every visible frame written).

Run with `make bench` (it installs label-studio-sdk 2.1.2), or `.venv/bin/python bench/interpolate.py`.
The last line printed is `arrays_ratio=X end_to_end_ratio=Y`.
"""

from __future__ import annotations

import gc
import io
import json
import time

import numpy as np
from label_studio_sdk._extensions.label_studio_tools.postprocessing.video import extract_key_frames

from tracklabel.core.export import ExportJob
from tracklabel.core.interpolate import frame_range
from tracklabel.core.plugins import load_registry
from tracklabel.core.tasks import load_tasks, parse_tasks
from tracklabel.core.track import Track

FRAMES = 9000
FPS = 25
KEYFRAMES = 20
DISABLED = 0.1  # share of keyframes with enabled: false
SIZES = (100, 1000)  # tracks per task
SEED = 20240611
CHECK_TRACKS = 20  # tracks of the smaller size cross-checked against Label Studio


def make_task(tracks: int, seed: int = SEED) -> dict:
    """One Label Studio task with `tracks` videorectangle regions, the same for a given seed."""
    rng = np.random.default_rng(seed)
    result = []
    for n in range(tracks):
        frames = np.sort(rng.choice(np.arange(1, FRAMES + 1), KEYFRAMES, replace=False))
        sequence = [
            {"frame": int(f), "time": int(f) / FPS,
             "x": float(rng.uniform(0, 90)), "y": float(rng.uniform(0, 90)),
             "width": float(rng.uniform(1, 10)), "height": float(rng.uniform(1, 10)),
             "rotation": float(rng.uniform(-30, 30)), "enabled": bool(rng.random() >= DISABLED)}
            for f in frames
        ]
        result.append({
            "id": f"r{n}", "type": "videorectangle", "from_name": "box", "to_name": "video",
            "origin": "manual",
            "value": {"labels": ["Car"], "framesCount": FRAMES, "duration": FRAMES / FPS,
                      "sequence": sequence},
        })
    return {"id": 1, "data": {"video": "/data/video.mp4"},
            "annotations": [{"id": 1, "result": result}]}


def best_of(repeats: int, run):
    """Best wall time of `run()` over `repeats` calls, and the result of the last call.

    The previous result is freed before each call, outside the timed part, so at most one
    copy of a large output is alive at a time."""
    best, result = float("inf"), None
    for _ in range(repeats):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def ls_arrays(results: list) -> list:
    """Label Studio: keyframe dicts -> one dict per visible frame (plus the keyframes)."""
    return extract_key_frames(results)


def our_arrays(taskfile, registry) -> list:
    """tracklabel: parsed keyframes -> numpy arrays of the visible boxes of every region."""
    linear = registry.interpolator("linear")
    out = []
    for _, _, _, region in taskfile.regions():
        track = Track.from_keyframes(region.value.sequence)
        out.append(linear.boxes(track, frame_range(region.value.framesCount)).only_visible())
    return out


def ls_end_to_end(text: str) -> str:
    """Label Studio: JSON text -> every annotation's result expanded -> JSON text."""
    tasks = json.loads(text)
    for task in tasks:
        for annotation in task["annotations"]:
            annotation["result"] = extract_key_frames(annotation["result"])
    return json.dumps(tasks)


def our_end_to_end(data: bytes, registry) -> io.BytesIO:
    """tracklabel: JSON bytes -> checked Structs -> `ls-frames` JSON in a byte stream
    (copying it out with getvalue() is left to the caller, outside the timing)."""
    out = io.BytesIO()
    registry.exporter("ls-frames").export(ExportJob(parse_tasks(data, registry), registry), out)
    return out


def ls_count(results: list) -> int:
    """Per-frame boxes in Label Studio's expanded results."""
    return sum(len(r["value"]["sequence"]) for r in results)


def output_count(data: str | bytes) -> int:
    """Per-frame boxes in an `ls-frames`-shaped JSON output: its `"frame"` keys."""
    return data.count(b'"frame"' if isinstance(data, bytes) else '"frame"')


def cross_check(task: dict, taskfile, registry, tracks: int) -> str:
    """Compare x, y, width, height on the frames where both produce a box, for some tracks.

    `time` and `rotation` are left out: Label Studio rounds `time` to 2 decimals and turns
    rotation the long way round; deviations are printed, never raised."""
    results = task["annotations"][0]["result"][:tracks]
    theirs = extract_key_frames(results)
    ours = our_arrays(taskfile, registry)[:tracks]
    checked = differ = only_ls = only_ours = 0
    for expanded, boxes in zip(theirs, ours):
        by_frame = {k["frame"]: k for k in expanded["value"]["sequence"]}
        mine = set(boxes.frame.tolist())
        only_ls += len(by_frame.keys() - mine)
        only_ours += len(mine - by_frame.keys())
        for f, x, y, w, h in zip(boxes.frame.tolist(), boxes.x.tolist(), boxes.y.tolist(),
                                 boxes.width.tolist(), boxes.height.tolist()):
            k = by_frame.get(f)
            if k is None:
                continue
            checked += 1
            if max(abs(k["x"] - x), abs(k["y"] - y), abs(k["width"] - w), abs(k["height"] - h)) > 1e-9:
                differ += 1
    return (f"cross-check ({tracks} tracks): {checked} frames boxed by both, {differ} differ in "
            f"x/y/width/height by more than 1e-9; frames only Label Studio boxes: {only_ls}, "
            f"only tracklabel: {only_ours}")


def measure(repeats: int, run, count) -> tuple[float, int]:
    """Best time of `run()` and the boxes `count` finds in its output (freed on return)."""
    seconds, out = best_of(repeats, run)
    return seconds, count(out)


def bench_size(tracks: int, registry) -> tuple[float, float]:
    """Time both steps on one size, print its table, return (arrays ratio, end-to-end ratio)."""
    task = make_task(tracks)
    text = json.dumps([task])
    data = text.encode()
    ls_repeats = 2 if tracks <= 100 else 1  # Label Studio takes seconds to minutes per run
    e2e_repeats = 3 if tracks <= 100 else 2
    print(f"\n{tracks} tracks x {KEYFRAMES} keyframes over {FRAMES} frames "
          f"(input JSON {len(data) / 1e6:.1f} MB)")

    # Equivalent inputs for the arrays step: Label Studio gets the decoded result dicts,
    # tracklabel the already-parsed TaskFile (decoding and checking are timed end to end).
    results = task["annotations"][0]["result"]
    taskfile = load_tasks([task], registry)
    rows = [("keyframes -> arrays",
             measure(ls_repeats, lambda: ls_arrays(results), ls_count),
             measure(5, lambda: our_arrays(taskfile, registry),
                     lambda out: sum(len(b.frame) for b in out)))]
    # End to end, each side also frees its intermediate objects inside the timing.
    rows.append(("end to end ls-frames",
                 measure(ls_repeats, lambda: ls_end_to_end(text), output_count),
                 measure(e2e_repeats, lambda: our_end_to_end(data, registry),
                         lambda out: output_count(out.getvalue()))))

    print(f"{'step':<22}{'LS boxes':>11}{'LS s':>9}{'LS boxes/s':>13}"
          f"{'our boxes':>11}{'our s':>9}{'our boxes/s':>13}{'LS/ours':>9}")
    for name, (ls_s, ls_n), (our_s, our_n) in rows:
        print(f"{name:<22}{ls_n:>11,}{ls_s:>9.3f}{ls_n / ls_s:>13,.0f}{our_n:>11,}{our_s:>9.3f}"
              f"{our_n / our_s:>13,.0f}{ls_s / our_s:>8.1f}x")
    if tracks == SIZES[0]:
        print(cross_check(task, taskfile, registry, CHECK_TRACKS))
    return tuple(ls[0] / ours[0] for _, ls, ours in rows)


def main() -> None:
    """Run every size and print the ratios line."""
    registry = load_registry()
    ratios = [bench_size(tracks, registry) for tracks in SIZES]
    # Each ratio is Label Studio's time / ours on the same input (both steps); the last line
    # reports, for each step, the smaller (worse) ratio of the two sizes.
    arrays = min(r[0] for r in ratios)
    end_to_end = min(r[1] for r in ratios)
    print(f"arrays_ratio={arrays:.1f} end_to_end_ratio={end_to_end:.1f}")


if __name__ == "__main__":
    main()
