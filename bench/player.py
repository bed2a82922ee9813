"""The player at scale in Chromium: 200 tracks x 20 keyframes on a 9,000-frame video.

Measures, with `performance.now()` in the page: the time to load the task (navigation start
to the player ready with the first frame's boxes drawn), the time from a step-frame key press
(alt+right) to that frame's boxes drawn, and scrubbing (dragging on the timeline: frames
drawn per second). Starts its own `tracklabel serve` on a temporary folder with a generated
video. Run: `.venv/bin/python bench/player.py`. Last line:
`step_ms_median=X step_ms_p95=Y load_ms=Z`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from server_process import Client, Server, add_user, wait_indexed  # noqa: E402

TRACKS, KEYFRAMES, FRAMES = 200, 20, 9000
PASSWORD = "bench-password"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--mute-audio"]
CONFIG = """<View><Video name="video" value="$video" frameRate="25"/>
<VideoRectangle name="box" toName="video"/>
<Labels name="labels" toName="video"><Label value="Car" background="blue"/><Label value="Person" background="red"/></Labels>
</View>"""


def make_video(path: Path, frames: int) -> None:
    """A 320x180 H.264 clip (a keyframe every second) with a moving gradient."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25, options={"g": "25", "preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        ramp = np.arange(320)[None, :, None]
        for i in range(frames):
            image = np.broadcast_to((ramp + i) % 256, (180, 320, 3)).astype(np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        container.mux(stream.encode(None))


def regions(seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for t in range(TRACKS):
        frames = sorted(rng.sample(range(1, FRAMES + 1), KEYFRAMES))
        sequence = [{"frame": f, "x": rng.uniform(0, 90), "y": rng.uniform(0, 90), "width": rng.uniform(2, 10),
                     "height": rng.uniform(2, 10), "rotation": 0, "enabled": rng.random() > 0.1} for f in frames]
        out.append({"id": f"t{t}", "type": "videorectangle", "from_name": "box", "to_name": "video",
                    "value": {"labels": ["Car" if t % 2 else "Person"], "framesCount": FRAMES, "sequence": sequence}})
    return out


def percentile(values, q):
    return float(np.percentile(values, q)) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=80)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        media, data = root / "media", root / "data"
        media.mkdir()
        data.mkdir()
        started = time.perf_counter()
        make_video(media / "long.mp4", FRAMES)
        print(f"video: {FRAMES} frames encoded in {time.perf_counter() - started:.1f} s")
        token = add_user(data, "admin", "admin", PASSWORD)
        server = Server(data, media_roots=[media])
        try:
            client = Client(server.port, token)
            _, _, project = client.request("POST", "/api/projects", {"title": "Bench", "label_config": CONFIG})
            _, _, created = client.request("POST", f"/api/projects/{project['id']}/tasks", {"path": str(media / "long.mp4")})
            task = created["tasks"][0]
            wait_indexed(client, task)
            status, _, _ = client.request("POST", f"/api/tasks/{task}/annotations", {"result": regions()})
            assert status == 201
            measure(server, task, options.steps)
        finally:
            server.stop()


def measure(server: Server, task: int, steps: int) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server.url + "/")
        page.fill("input[name=name]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("form.login button")
        page.wait_for_selector("section h2")
        loads = []
        for _ in range(3):
            page.goto(f"{server.url}/tasks/{task}")
            page.wait_for_function("window.tracklabel && window.__ready !== undefined", timeout=120000)
            loads.append(page.evaluate("window.__ready"))
        page.evaluate("""() => {
          window.__lat = []; window.__t0 = null; window.__from = null;
          document.addEventListener('keydown', () => { window.__t0 = performance.now(); window.__from = tracklabel.frame; }, true);
          tracklabel.on('drawn', frame => {
            if (window.__t0 !== null && frame !== window.__from) {
              window.__lat.push(performance.now() - window.__t0); window.__t0 = null;
            }
          });
        }""")
        page.evaluate("tracklabel.seek(4000)")
        page.locator(".stage .overlay").hover()
        for _ in range(steps):
            page.keyboard.press("Alt+ArrowRight")
            page.wait_for_function("window.__t0 === null", timeout=10000)
        steps_ms = page.evaluate("window.__lat")
        canvas = page.locator(".timeline-canvas").bounding_box()
        page.evaluate("window.__drawn = 0; tracklabel.on('drawn', () => window.__drawn++)")
        page.mouse.move(canvas["x"] + 10, canvas["y"] + 8)
        page.mouse.down()
        begin = time.perf_counter()
        for i in range(60):
            page.mouse.move(canvas["x"] + 10 + i * (canvas["width"] - 20) / 60, canvas["y"] + 8)
        page.mouse.up()
        page.evaluate("tracklabel.player.clock.pending")  # every seek the scrub asked for, presented
        seconds = time.perf_counter() - begin
        drawn = page.evaluate("window.__drawn")
        browser.close()
    load_ms = statistics.median(loads)
    print(f"{TRACKS} tracks x {KEYFRAMES} keyframes, {FRAMES} frames")
    print(f"load: median {load_ms:.0f} ms over {len(loads)} loads (navigation start to ready)")
    print(f"step (alt+right to the frame's boxes drawn): median {statistics.median(steps_ms):.1f} ms, "
          f"p95 {percentile(steps_ms, 95):.1f} ms over {len(steps_ms)} steps")
    print(f"scrub: 60 pointer moves in {seconds:.2f} s, {drawn} redraws ({drawn / seconds:.0f} per second)")
    print(f"step_ms_median={statistics.median(steps_ms):.1f} step_ms_p95={percentile(steps_ms, 95):.1f} "
          f"load_ms={load_ms:.0f}")


if __name__ == "__main__":
    main()
