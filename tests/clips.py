"""Generated multi-object clips for tracking benchmarks and tests, with exact ground truth.

`make_clip(kind, seed)` renders one of KINDS (easy, fast, scale, occlusion, distractor,
low-contrast) at 320x180 by default: 2-4 textured objects over a textured background, each
with its full true box (pixels, not cut to the frame) and a visible flag per frame. An object
is visible while at least half of it is uncovered and inside the frame; an object that enters
or leaves at an edge is visible while any part of it (1 px or more) is inside the frame and at
least half of that part is uncovered. Objects drawn later cover objects and occluders drawn
earlier. The `fast` kind renders 9 sub-frame positions over a 0.7-frame shutter and averages
them, so moving things (only) blur; its true box is the one at the shutter's middle."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from scenes import VISIBLE, texture

KINDS = ("easy", "fast", "scale", "occlusion", "distractor", "low-contrast")
FRAMES = {"easy": 120, "fast": 100, "scale": 120, "occlusion": 140, "distractor": 120, "low-contrast": 120}
SUBFRAMES, SHUTTER = 9, 0.7  # motion blur of the `fast` kind
TRIES = 40  # random paths drawn per fast object; the one touching the others least is kept


@dataclass(frozen=True)
class ClipObject:
    """A tracked object: its true boxes (x, y, width, height in pixels, (n, 4)) and visibility (n,)."""

    name: str
    boxes: np.ndarray
    visible: np.ndarray


@dataclass(frozen=True)
class Clip:
    """RGB frames and the tracked objects (write_video takes a Clip as it takes a Scene)."""

    kind: str
    seed: int
    frames: list[np.ndarray]
    objects: list[ClipObject]

    @property
    def size(self) -> tuple[int, int]:
        height, width = self.frames[0].shape[:2]
        return width, height


@dataclass
class Sprite:
    """A textured rectangle moving along `boxes` (float pixels per frame); tracked when named."""

    image: np.ndarray
    boxes: np.ndarray
    name: str = ""
    edge: bool = False  # enters or leaves at a frame edge: the "any part inside" rule
    _sized: dict = field(default_factory=dict)

    def box(self, t: float) -> tuple[int, int, int, int]:
        """The box at time t (frames, 0-based; linear between frames), rounded to pixels."""
        t = min(max(t, 0.0), len(self.boxes) - 1.0)
        i = min(int(t), len(self.boxes) - 2)
        x, y, w, h = self.boxes[i] + (self.boxes[i + 1] - self.boxes[i]) * (t - i)
        return round(x), round(y), max(1, round(w)), max(1, round(h))

    def patch(self, w: int, h: int) -> np.ndarray:
        if (w, h) not in self._sized:
            shrink = w * h < self.image.shape[0] * self.image.shape[1]
            self._sized[(w, h)] = cv2.resize(self.image, (w, h), interpolation=cv2.INTER_AREA if shrink
                                             else cv2.INTER_LINEAR)
        return self._sized[(w, h)]


@dataclass
class Stage:
    """What a clip draws: a background (larger than the frame, panned by `pan(t)`), sprites in
    depth order, and per-frame noise."""

    background: np.ndarray
    size: tuple[int, int]
    sprites: list[Sprite]
    pan: object = None  # t -> (x, y) offset into the background
    noise: float = 0.0
    blur: bool = False


def make_clip(kind: str, seed: int, size: tuple[int, int] = (320, 180)) -> Clip:
    """A clip of `kind` (one of KINDS) drawn from `seed`."""
    if kind not in KINDS:
        raise ValueError(f"unknown clip kind {kind!r}; kinds: {', '.join(KINDS)}")
    rng = np.random.default_rng([KINDS.index(kind), seed])
    frames = FRAMES[kind]
    stage = _STAGES[kind](rng, frames, size)
    return _render(kind, seed, stage, frames, rng)


def _render(kind: str, seed: int, stage: Stage, frames: int, rng) -> Clip:
    offsets = np.linspace(-SHUTTER / 2, SHUTTER / 2, SUBFRAMES) if stage.blur else np.zeros(1)
    images, visible = [], {s.name: [] for s in stage.sprites if s.name}
    for i in range(frames):
        total = np.zeros((stage.size[1], stage.size[0], 3), np.float32)
        for offset in offsets:
            image, labels = _draw(stage, i + offset, want_labels=offset == 0)
            total += image
            if offset == 0:
                for n, sprite in enumerate(stage.sprites):
                    if sprite.name:
                        visible[sprite.name].append(_visible(sprite, sprite.box(i), labels == n, stage.size))
        total /= len(offsets)
        if stage.noise:
            total += rng.normal(0, stage.noise, total.shape).astype(np.float32)
        images.append(np.clip(total + 0.5, 0, 255).astype(np.uint8))
    objects = [ClipObject(s.name, np.array([s.box(i) for i in range(frames)], np.float64),
                          np.array(visible[s.name])) for s in stage.sprites if s.name]
    return Clip(kind, seed, images, objects)


def _draw(stage: Stage, t: float, want_labels: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """The frame at time t (float32) and, if wanted, which sprite owns each pixel (-1: background)."""
    width, height = stage.size
    ox, oy = stage.pan(t) if stage.pan else (0, 0)
    image = stage.background[oy:oy + height, ox:ox + width].astype(np.float32)
    labels = np.full((height, width), -1, np.int16) if want_labels else None
    for n, sprite in enumerate(stage.sprites):
        x, y, w, h = sprite.box(t)
        left, top, right, bottom = max(x, 0), max(y, 0), min(x + w, width), min(y + h, height)
        if right <= left or bottom <= top:
            continue
        image[top:bottom, left:right] = sprite.patch(w, h)[top - y:bottom - y, left - x:right - x]
        if labels is not None:
            labels[top:bottom, left:right] = n
    return image, labels


def _visible(sprite: Sprite, box, own: np.ndarray, size: tuple[int, int]) -> bool:
    x, y, w, h = box
    inside = max(0, min(x + w, size[0]) - max(x, 0)) * max(0, min(y + h, size[1]) - max(y, 0))
    uncovered = int(own.sum())
    if sprite.edge:
        return inside >= 1 and uncovered >= VISIBLE * inside
    return uncovered >= VISIBLE * w * h


# Paths: (n, 4) float boxes from centres and sizes.

def _boxes(centres: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    return np.hstack([centres - sizes / 2, sizes])


def _ease(frames: int) -> np.ndarray:
    t = np.linspace(0, 1, frames)
    return t * t * (3 - 2 * t)


def _glide(rng, frames: int, start, end, wiggle: float, size, grow: float = 1.0) -> np.ndarray:
    """Boxes gliding from centre `start` to `end` (pixels, eased), swaying across the path by up
    to `wiggle` pixels (a random number of sine periods), the size times `grow` by the end."""
    start, end = np.asarray(start, float), np.asarray(end, float)
    along = start + (end - start) * _ease(frames)[:, None]
    direction = (end - start) / max(np.hypot(*(end - start)), 1e-9)
    normal = np.array([-direction[1], direction[0]])
    t = np.linspace(0, 1, frames)
    sway = wiggle * np.sin(2 * np.pi * rng.uniform(0.6, 1.4) * t + rng.uniform(0, 2 * np.pi))
    scale = grow ** t
    return _boxes(along + sway[:, None] * normal, np.asarray(size, float) * scale[:, None])


def _bounce(rng, frames: int, size, frame_size, speed=(10.0, 25.0)) -> np.ndarray:
    """Boxes moving fast (`speed` pixels a frame, changing), turning sharply every 12-25 frames
    and bouncing off the frame's sides, always fully inside the frame."""
    width, height = frame_size
    half = np.asarray(size, float) / 2
    low, high = half + 2, np.array([width, height]) - half - 2
    position = rng.uniform(low, high)
    angle, pace = rng.uniform(0, 2 * np.pi), rng.uniform(*speed)
    next_turn = rng.integers(12, 26)
    centres = []
    for i in range(frames):
        centres.append(position.copy())
        if i == next_turn:
            angle += rng.choice([-1, 1]) * rng.uniform(np.pi / 3, 5 * np.pi / 6)
            next_turn += rng.integers(12, 26)
        pace = float(np.clip(pace + rng.normal(0, 2.0), *speed))
        step = pace * np.array([np.cos(angle), np.sin(angle)])
        position = position + step
        for axis in (0, 1):
            if position[axis] < low[axis] or position[axis] > high[axis]:
                position[axis] = 2 * np.clip(position[axis], low[axis], high[axis]) - position[axis]
                step[axis] = -step[axis]
        angle = float(np.arctan2(step[1], step[0]))
    return _boxes(np.array(centres), np.tile(np.asarray(size, float), (frames, 1)))


def _still(box, frames: int) -> np.ndarray:
    return np.tile(np.asarray(box, float), (frames, 1))


# Textures.

def _object(rng, cells: int | None = None) -> np.ndarray:
    """A colourful object texture, 128x128 (so that growing objects show detail)."""
    return texture(rng, 128, 128, cells or int(rng.integers(5, 9)))


def _lookalike(image: np.ndarray, rng) -> np.ndarray:
    """The same texture family: mirrored, slightly recoloured, a little of its pattern changed."""
    other = texture(rng, *image.shape[:2], 6).astype(np.float32)
    tint = rng.uniform(-12, 12, 3)
    mixed = 0.85 * image[:, ::-1].astype(np.float32) + 0.15 * other + tint
    return np.clip(mixed, 0, 255).astype(np.uint8)


def _faded(image: np.ndarray, around: np.ndarray, contrast: float) -> np.ndarray:
    """The texture at `contrast` around the colour `around`."""
    return np.clip(around + (image.astype(np.float32) - image.mean(axis=(0, 1))) * contrast, 0, 255).astype(np.uint8)


def _background(rng, size: tuple[int, int], saturation: float = 0.4) -> np.ndarray:
    width, height = size
    return texture(rng, 2 * height, 2 * width, 24, saturation=saturation)


def _panning(frames: int, size: tuple[int, int], amount: float = 0.3):
    width, height = size

    def pan(t: float) -> tuple[int, int]:
        u = min(max(t / max(frames - 1, 1), 0.0), 1.0)
        return round(width * amount * u), round(height * amount * np.sin(np.pi * u))
    return pan


# Stages, one per kind. Sizes are given for 320x180 and scaled with the frame.

def _easy(rng, frames, size):
    width, height = size
    k = width / 320
    bands = rng.permutation([0.25, 0.5, 0.75])
    sprites = []
    for n, (band, dims) in enumerate(zip(bands, [(36, 30), (30, 40), (44, 28)])):
        left, right = (0.12, 0.88) if n % 2 == 0 else (0.88, 0.12)
        sprites.append(Sprite(_object(rng), _glide(rng, frames, (left * width, band * height),
                                                    (right * width, (band + rng.uniform(-0.05, 0.05)) * height),
                                                    8 * k, np.array(dims) * k, grow=1.15), f"o{n + 1}"))
    return Stage(_background(rng, size), size, sprites, pan=_panning(frames, size))


def _fast(rng, frames, size):
    k = size[0] / 320
    paths = []
    for dims in [(36, 30), (32, 36), (40, 28)]:
        tries = [_bounce(rng, frames, np.array(dims) * k, size, (10 * k, 25 * k)) for _ in range(TRIES)]
        paths.append(min(tries, key=lambda path: sum(_touching(path, other) for other in paths)))
    sprites = [Sprite(_object(rng), path, f"o{n + 1}") for n, path in enumerate(paths)]
    return Stage(_background(rng, size), size, sprites, blur=True)


def _touching(boxes: np.ndarray, others: np.ndarray) -> int:
    """On how many frames two paths' boxes overlap (fast objects rarely cross; a crossing
    would hide one for a frame or two and measure nothing about blur)."""
    apart = ((boxes[:, 0] + boxes[:, 2] <= others[:, 0]) | (others[:, 0] + others[:, 2] <= boxes[:, 0])
             | (boxes[:, 1] + boxes[:, 3] <= others[:, 1]) | (others[:, 1] + others[:, 3] <= boxes[:, 1]))
    return int((~apart).sum())


def _scale(rng, frames, size):
    width, height = size
    k = width / 320
    small = np.array([22, 18]) * k
    grows_here = Sprite(_object(rng), _glide(rng, frames, (0.5 * width, 0.5 * height),
                                             (0.53 * width, 0.48 * height), 3 * k, small, grow=4.0), "grows")
    shrinks_moving = Sprite(_object(rng), _glide(rng, frames, (0.15 * width, 0.3 * height),
                                                 (0.85 * width, 0.22 * height), 6 * k, 4 * small, grow=0.25),
                            "shrinks")
    grows_moving = Sprite(_object(rng), _glide(rng, frames, (0.85 * width, 0.8 * height),
                                               (0.22 * width, 0.7 * height), 6 * k, small, grow=4.0), "grows-moving")
    return Stage(_background(rng, size), size, [grows_here, shrinks_moving, grows_moving],
                 pan=_panning(frames, size, 0.15))


def _occlusion(rng, frames, size):
    width, height = size
    k = width / 320
    dims = np.array([34, 30]) * k
    pillar = texture(rng, height, round(48 * k), 5, saturation=0.8)
    pillars = [Sprite(pillar if n == 0 else pillar[:, ::-1].copy(), _still((x * width, 0, 48 * k, height), frames))
               for n, x in enumerate(rng.uniform([0.26, 0.6], [0.3, 0.64]))]
    crossing = Sprite(_object(rng), _glide(rng, frames, (0.08 * width, 0.22 * height),
                                           (0.92 * width, 0.3 * height), 6 * k, dims), "crossing")
    entering = Sprite(_object(rng), _glide(rng, frames, (-0.6 * dims[0], 0.72 * height),
                                           (0.8 * width, 0.76 * height), 5 * k, dims * 1.1), "enters", edge=True)
    leaving = Sprite(_object(rng), _glide(rng, frames, (0.45 * width, 0.5 * height),
                                          (width + 0.6 * dims[0], 0.52 * height), 4 * k, dims * 0.9), "leaves",
                     edge=True)
    mover = Sprite(texture(rng, 96, 64, 4, saturation=0.7),
                   _glide(rng, frames, (0.8 * width, 0.62 * height), (0.15 * width, 0.6 * height), 0,
                          np.array([56, 84]) * k))
    return Stage(_background(rng, size), size, [crossing, entering, leaving] + pillars + [mover])


def _distractor(rng, frames, size):
    width, height = size
    k = width / 320
    dims = np.array([36, 30]) * k
    first, second = _object(rng), _object(rng)
    a = Sprite(first, _glide(rng, frames, (0.1 * width, 0.35 * height), (0.9 * width, 0.4 * height), 5 * k, dims), "a")
    b = Sprite(second, _glide(rng, frames, (0.85 * width, 0.7 * height), (0.15 * width, 0.65 * height), 5 * k, dims),
               "b")
    behind_a = Sprite(_lookalike(first, rng), _glide(rng, frames, (0.9 * width, 0.2 * height),
                                                    (0.1 * width, 0.55 * height), 0, dims))
    over_b = Sprite(_lookalike(second, rng), _glide(rng, frames, (0.2 * width, 0.85 * height),
                                                   (0.8 * width, 0.5 * height), 0, dims))
    alongside = Sprite(_lookalike(first, rng), _glide(rng, frames, (0.3 * width, 0.12 * height),
                                                     (0.75 * width, 0.25 * height), 4 * k, dims * 0.95))
    return Stage(_background(rng, size), size, [behind_a, alongside, a, b, over_b], pan=_panning(frames, size, 0.2))


def _low_contrast(rng, frames, size):
    width, height = size
    k = width / 320
    background = _background(rng, size, saturation=0.3)
    around = background.mean(axis=(0, 1))
    sprites = []
    for n, (band, dims) in enumerate(zip(rng.permutation([0.25, 0.5, 0.75]), [(38, 32), (32, 40), (44, 30)])):
        left, right = (0.12, 0.88) if n % 2 == 0 else (0.88, 0.12)
        image = _faded(texture(rng, 128, 128, int(rng.integers(5, 9)), saturation=0.3), around, 0.25)
        sprites.append(Sprite(image, _glide(rng, frames, (left * width, band * height), (right * width, band * height),
                                            10 * k, np.array(dims) * k, grow=1.15), f"o{n + 1}"))
    return Stage(background, size, sprites, pan=_panning(frames, size), noise=6.0)


_STAGES = {"easy": _easy, "fast": _fast, "scale": _scale, "occlusion": _occlusion,
           "distractor": _distractor, "low-contrast": _low_contrast}
