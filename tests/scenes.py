"""Generated clips for tracking, with exact ground truth: a textured object moving along a
curved path while it grows or shrinks, over a textured background that pans, optionally
passing behind a textured pillar, with motion blur, a look-alike distractor or low contrast."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

VISIBLE = 0.5  # the object counts as visible while at least this share of it is uncovered


@dataclass(frozen=True)
class Scene:
    """RGB frames, the object's true box per frame (x, y, width, height in pixels) and
    whether it is visible there."""

    frames: list[np.ndarray]
    boxes: np.ndarray
    visible: np.ndarray

    @property
    def size(self) -> tuple[int, int]:
        height, width = self.frames[0].shape[:2]
        return width, height


def texture(rng, height: int, width: int, cells: int, saturation: float = 1.0) -> np.ndarray:
    """Smooth random colour blobs, `cells` across."""
    small = rng.integers(0, 256, (max(2, cells * height // width), cells, 3)).astype(np.float32)
    grey = small.mean(axis=2, keepdims=True)
    small = grey + (small - grey) * saturation
    return np.clip(cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC), 0, 255).astype(np.uint8)


def make_scene(frames: int = 90, size: tuple[int, int] = (320, 180), seed: int = 0,
               start: tuple[float, float] = (0.08, 0.45), end: tuple[float, float] = (0.92, 0.45),
               curve: float = 0.2, object_size: tuple[int, int] = (36, 30),
               scale: tuple[float, float] = (1.0, 1.5), pillar: tuple[float, float] | None = None,
               blur: bool = False, distractor: bool = False, contrast: float = 1.0,
               turns: float = 1.0) -> Scene:
    """A clip of `frames` frames. The object's centre goes from `start` to `end`
    (fractions of the frame) bending by `curve` (a fraction of the height) over `turns` sine
    periods, and its size from `scale[0]` to `scale[1]` times `object_size`, both along eased
    curves; `blur` smears each frame along the object's step from the previous one. `pillar` is
    (left, right) as fractions of the width: a fixed occluder the object passes behind."""
    width, height = size
    rng = np.random.default_rng(seed)
    background = texture(rng, 2 * height, 2 * width, 24, saturation=0.4)
    thing = texture(rng, 64, 64, 6)
    if contrast != 1.0:
        mean = background.mean(axis=(0, 1))
        thing = np.clip(mean + (thing.astype(np.float32) - mean) * contrast, 0, 255).astype(np.uint8)
    column = texture(rng, height, width, 16, saturation=0.8)
    out, boxes, visible = [], [], []
    for i in range(frames):
        t = i / max(frames - 1, 1)
        ease = t * t * (3 - 2 * t)
        s = scale[0] + (scale[1] - scale[0]) * t * t
        w, h = round(object_size[0] * s), round(object_size[1] * s)
        x = round((start[0] + (end[0] - start[0]) * ease) * width - w / 2)
        bend = curve * height * np.sin(np.pi * 2 * turns * t)
        y = round((start[1] + (end[1] - start[1]) * t) * height + bend - h / 2)
        ox, oy = round(width * 0.4 * t), round(height * 0.3 * np.sin(np.pi * t))  # panning
        img = background[oy:oy + height, ox:ox + width].copy()
        if distractor:
            dw, dh = round(object_size[0] * scale[0]), round(object_size[1] * scale[0])
            dx = round(width * (0.9 - 0.8 * t)) - dw // 2
            _paste(img, cv2.resize(thing, (dw, dh)), dx, round(height * 0.78) - dh // 2)
        _paste(img, cv2.resize(thing, (w, h), interpolation=cv2.INTER_AREA), x, y)
        covered = 0.0
        if pillar is not None:
            left, right = round(pillar[0] * width), round(pillar[1] * width)
            img[:, left:right] = column[:, left:right]
            overlap = max(0, min(x + w, right) - max(x, left)) * h
            covered = overlap / (w * h)
        if blur and i:
            img = cv2.filter2D(img, -1, streak(x - boxes[-1][0], y - boxes[-1][1]))
        inside = max(0, min(x + w, width) - max(x, 0)) * max(0, min(y + h, height) - max(y, 0)) / (w * h)
        out.append(img)
        boxes.append((x, y, w, h))
        visible.append(inside - covered >= VISIBLE)
    return Scene(out, np.array(boxes, dtype=np.float64), np.array(visible))


def streak(dx: float, dy: float) -> np.ndarray:
    """A motion-blur kernel: a line along the step (dx, dy) pixels, as long as it."""
    length = float(np.hypot(dx, dy))
    k = max(1, round(length))
    kernel = np.zeros((k, k), np.float32)
    half = (k - 1) / 2
    ux, uy = (dx * half / length, dy * half / length) if k > 1 else (0.0, 0.0)
    cv2.line(kernel, (round(half - ux), round(half - uy)), (round(half + ux), round(half + uy)), 1.0)
    return kernel / kernel.sum()


def _paste(img: np.ndarray, patch: np.ndarray, x: int, y: int) -> None:
    height, width = img.shape[:2]
    h, w = patch.shape[:2]
    left, top, right, bottom = max(x, 0), max(y, 0), min(x + w, width), min(y + h, height)
    if right > left and bottom > top:
        img[top:bottom, left:right] = patch[top - y:bottom - y, left - x:right - x]


def write_video(scene: Scene, path: Path, rate: int = 25, lossless: bool = False) -> Path:
    """The frames as H.264: near lossless, so the truth stays exact, and playable in a browser;
    or `lossless`, the same frames on every run (x264 at a quality target is not deterministic
    here, even on one thread: tests whose result depends on the pixels use this)."""
    width, height = scene.size
    options = {"qp": "0", "g": "30"} if lossless else {"crf": "12", "g": "30"}
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(rate), options=options)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for img in scene.frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")))
        container.mux(stream.encode(None))
    return path

