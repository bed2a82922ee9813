"""Random frame fetch and sequential decode: tracklabel against naive OpenCV, in one run.

Generates a 60 s 1280x720 H.264 clip with one keyframe every 250 frames (every frame stamps
its own index), then fetches 50 seeded random frames:
- naive: cv2.VideoCapture + set(CAP_PROP_POS_FRAMES, i) + read() on the source;
- ours: the pyav decoder through the frame index, on the browser proxy (keyframe every second)
  that the host makes once per video; fetching from the source directly is shown too.
Fetch times cover seeking, decoding and the RGB array; exactness is the stamped index read
back from each fetched frame afterwards. The last line is
`fetch_ratio=X exact_ours=N/N exact_naive=M/N` (X = naive ms per fetch / ours ms per fetch).
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from tracklabel.core.decoding import Video  # noqa: E402
from tracklabel.core.plugins import load_registry  # noqa: E402
from video_factory import encode, read_stamp  # noqa: E402

SECONDS, FPS, SIZE, KEYINT, FETCHES, SEED = 60, 25, (1280, 720), 250, 50, 20260101


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def naive_fetch(path: Path, indices: list[int]) -> list:
    """RGB arrays (None where read fails), as ours returns them."""
    cap = cv2.VideoCapture(str(path))
    images = []
    for i in indices:
        cap.set(cv2.CAP_PROP_POS_FRAMES, i)
        ok, bgr = cap.read()
        images.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB) if ok else None)
    cap.release()
    return images


def exact(images: list, indices: list[int]) -> int:
    """How many fetched frames show the index asked for (read after timing)."""
    return sum(img is not None and read_stamp(img) == i for img, i in zip(images, indices))


def naive_sequential(path: Path) -> int:
    cap = cv2.VideoCapture(str(path))
    count = 0
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        count += 1
    cap.release()
    return count


def main() -> None:
    frames = SECONDS * FPS
    indices = random.Random(SEED).sample(range(frames), FETCHES)
    decoder = load_registry().decoder("pyav")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "source.mp4"
        print(f"generating {SECONDS} s {SIZE[0]}x{SIZE[1]} H.264, keyint {KEYINT} ...", flush=True)
        _, took = timed(lambda: encode(source, frames, rate=FPS, size=SIZE,
                                       options={"g": str(KEYINT), "keyint_min": str(KEYINT),
                                                "preset": "veryfast", "crf": "23"}))
        print(f"  {took:.1f} s")

        naive, naive_s = timed(lambda: naive_fetch(source, indices))
        count, naive_seq_s = timed(lambda: naive_sequential(source))
        print(f"naive cv2 POS_FRAMES: {1000 * naive_s / FETCHES:.1f} ms/fetch, "
              f"sequential {count / naive_seq_s:.0f} frames/s (RGB arrays)")

        video, index_s = timed(lambda: Video(source, decoder))
        direct, direct_s = timed(lambda: [video.frame(i) for i in indices])
        print(f"ours on the source: index {index_s:.1f} s ({video.index.count} frames), "
              f"{1000 * direct_s / FETCHES:.1f} ms/fetch, "
              f"exact {exact(direct, indices)}/{FETCHES}")

        proxy_path = Path(tmp) / "proxy.mp4"
        _, proxy_s = timed(lambda: video.write_proxy(str(proxy_path)))
        proxy, proxy_index_s = timed(lambda: Video(proxy_path, decoder))
        print(f"proxy (one-off per video): transcode {proxy_s:.1f} s, index {proxy_index_s:.1f} s, "
              f"keyframes every {proxy.index.max_keyframe_interval():.2f} s at most")
        ours, ours_s = timed(lambda: [proxy.frame(i) for i in indices])
        _, ours_seq_s = timed(lambda: sum(1 for _ in proxy.frames()))
        print(f"ours on the proxy: {1000 * ours_s / FETCHES:.1f} ms/fetch, "
              f"sequential {proxy.index.count / ours_seq_s:.0f} frames/s (RGB arrays)")
        video.close()
        proxy.close()

    exact_ours, exact_naive = exact(ours, indices), exact(naive, indices)
    ratio = naive_s / ours_s
    print(f"random fetch: naive {1000 * naive_s / FETCHES:.1f} ms, ours {1000 * ours_s / FETCHES:.1f} ms "
          f"({ratio:.1f}x faster)")
    print(f"fetch_ratio={ratio:.2f} exact_ours={exact_ours}/{FETCHES} exact_naive={exact_naive}/{FETCHES}")


if __name__ == "__main__":
    main()
