"""1 M visible boxes to MOTChallenge text and COCO-VID JSON: ours against plain per-row Python.

Both sides start from the same per-track boxes (interpolated once, percent units, as numpy
arrays) and convert to pixels with numpy; the baseline then writes each row with an f-string
(MOT) or builds one dict per box for `json.dumps` (COCO-VID), as most converters do. Ours is
the `mot` and `coco-vid` exporters' own code. Run: `.venv/bin/python bench/export.py`.
The last line is `mot_boxes_per_s=X mot_ratio=Y coco_ratio=Z`.
"""

from __future__ import annotations

import io
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from tracklabel.core.export import ExportJob, ExportOptions
from tracklabel.core.geometry import bounding_box, to_pixels
from tracklabel.core.plugins import load_registry
from tracklabel.core.tasks import load_tasks

TRACKS, KEYFRAMES, SPAN, FRAMES = 125, 20, 8000, 9000  # 125 x 8000 = 1 M visible boxes
WIDTH, HEIGHT = 1920, 1080


def generate(seed: int = 0) -> list[dict]:
    """One task with TRACKS regions, each visible on SPAN frames."""
    rng = np.random.default_rng(seed)
    regions = []
    for t in range(TRACKS):
        start = int(rng.integers(1, FRAMES - SPAN + 1))
        frames = np.linspace(start, start + SPAN - 1, KEYFRAMES).round().astype(int)
        regions.append({"id": f"t{t}", "type": "videorectangle", "from_name": "box", "to_name": "video",
                        "value": {"labels": ["car" if t % 3 else "person"], "framesCount": FRAMES,
                                  "sequence": [{"frame": int(f), "x": float(rng.uniform(0, 90)),
                                                "y": float(rng.uniform(0, 90)), "width": float(rng.uniform(1, 10)),
                                                "height": float(rng.uniform(1, 10)), "rotation": 0,
                                                "enabled": True} for f in frames]}})
        regions[-1]["value"]["sequence"][-1]["enabled"] = False
    return [{"id": 1, "data": {"video": "bench.mp4"}, "annotations": [{"result": regions}]}]


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def same_rows(ours: bytes, baseline: bytes) -> bool:
    """Equal as numbers (ours drops trailing zeros), rows sorted by frame and id."""
    a, b = (np.loadtxt(io.BytesIO(text), delimiter=",") for text in (ours, baseline))
    return a.shape == b.shape and np.allclose(a, b, rtol=0, atol=0.0011)


def pixel_tracks(items):
    """Per track: frame, left, top, width, height in pixels (visible boxes only)."""
    out = []
    for item in items:
        b = item.shapes.only_visible()
        out.append((b.frame, *bounding_box(*to_pixels(b.x, b.y, b.width, b.height, WIDTH, HEIGHT), b.rotation)))
    return out


def baseline_mot(tracks, classes) -> bytes:
    rows = []
    for track_id, ((frame, left, top, w, h), cls) in enumerate(zip(tracks, classes), 1):
        for f, x, y, bw, bh in zip(frame.tolist(), left.tolist(), top.tolist(), w.tolist(), h.tolist()):
            rows.append((f, track_id, f"{f},{track_id},{x + 1:.3f},{y + 1:.3f},{bw:.3f},{bh:.3f},1,{cls},1\n"))
    rows.sort(key=lambda r: (r[0], r[1]))
    return "".join(r[2] for r in rows).encode()


def baseline_coco(tracks, classes) -> bytes:
    images = [{"id": i + 1, "video_id": 1, "frame_id": i, "file_name": f"bench/{i:06d}.jpg",
               "width": WIDTH, "height": HEIGHT} for i in range(FRAMES)]
    annotations = []
    for instance, ((frame, left, top, w, h), cls) in enumerate(zip(tracks, classes), 1):
        for f, x, y, bw, bh in zip(frame.tolist(), left.tolist(), top.tolist(), w.tolist(), h.tolist()):
            annotations.append({"id": len(annotations) + 1, "image_id": f, "category_id": cls,
                                "instance_id": instance, "bbox": [round(x, 3), round(y, 3), round(bw, 3), round(bh, 3)],
                                "area": round(bw * bh, 3), "iscrowd": 0})
    return json.dumps({"videos": [{"id": 1, "name": "bench"}], "images": images,
                       "annotations": annotations,
                       "categories": [{"id": 1, "name": "car"}, {"id": 2, "name": "person"}]}).encode()


def main() -> None:
    registry = load_registry()
    tasks = load_tasks(generate(), registry)
    job = ExportJob(tasks, registry, options=ExportOptions(width=WIDTH, height=HEIGHT), format="mot")
    items = list(job.tracks())
    labels = job.labels()
    boxes = sum(int(i.shapes.visible.sum()) for i in items)
    items.sort(key=lambda i: int(i.shapes.frame[i.shapes.visible.argmax()]))  # MOT ids: first seen
    tracks = pixel_tracks(items)
    classes = [labels.index(i.label) + 1 for i in items]
    mot, coco = registry.exporter("mot"), registry.exporter("coco-vid")

    ours_mot = best(lambda: mot.rows(job, items, labels))
    base_mot = best(lambda: baseline_mot(tracks, classes), repeat=2)
    assert same_rows(mot.rows(job, items, labels), baseline_mot(tracks, classes)), \
        "MOT rows differ from the baseline"

    with tempfile.TemporaryDirectory() as tmp:
        job.by_task = lambda kinds=None: iter([(0, tasks.tasks[0], items)])  # boxes already interpolated

        def ours_coco_run():
            folder = Path(tmp) / "c"
            folder.mkdir(exist_ok=True)
            coco.export(job, folder)

        ours_coco = best(ours_coco_run)
        ours_json = json.loads((Path(tmp) / "c" / "annotations.json").read_bytes())
    base_coco = best(lambda: baseline_coco(tracks, classes), repeat=2)
    assert ours_json["annotations"] == json.loads(baseline_coco(tracks, classes))["annotations"], \
        "COCO-VID annotations differ from the baseline"

    print(f"{boxes:,} visible boxes, {TRACKS} tracks, {FRAMES} frames, {WIDTH}x{HEIGHT}")
    print(f"{'':24}{'ours s':>10}{'baseline s':>12}{'ours boxes/s':>16}{'baseline boxes/s':>18}{'ratio':>8}")
    for name, ours, base in (("MOT gt.txt", ours_mot, base_mot), ("COCO-VID JSON", ours_coco, base_coco)):
        print(f"{name:24}{ours:10.3f}{base:12.3f}{boxes / ours:16,.0f}{boxes / base:18,.0f}{base / ours:8.1f}")
    print("(outputs checked equal: MOT rows as text, COCO-VID annotations as JSON values)")
    print(f"mot_boxes_per_s={boxes / ours_mot:.0f} mot_ratio={base_mot / ours_mot:.1f} "
          f"coco_ratio={base_coco / ours_coco:.1f}")


if __name__ == "__main__":
    main()
