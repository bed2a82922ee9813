"""Small test clips, encoded with PyAV: every frame stamps its own index as a barcode.

The barcode is 16 black/white blocks across the middle half of the frame (most significant
bit first), wide enough to survive lossy compression; the rows above and below carry a moving
ramp so that encoders see motion.
"""

from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

BITS = 16
WIDTH, HEIGHT = 160, 120


def stamp(i: int, width: int = WIDTH, height: int = HEIGHT) -> np.ndarray:
    """An RGB frame showing the number i."""
    img = np.empty((height, width, 3), np.uint8)
    img[:] = ((np.arange(width) * 2 + i * 5) % 256).astype(np.uint8)[None, :, None]
    block = width // BITS
    for b in range(BITS):
        img[height // 4: 3 * height // 4, b * block:(b + 1) * block] = 255 * ((i >> (BITS - 1 - b)) & 1)
    return img


def read_stamp(rgb: np.ndarray) -> int:
    """The number a (decoded) frame shows."""
    height, width = rgb.shape[:2]
    block = width // BITS
    band = rgb[height // 4 + 2: 3 * height // 4 - 2].mean(axis=2)
    value = 0
    for b in range(BITS):
        value = value * 2 + int(band[:, b * block + 2:(b + 1) * block - 2].mean() > 128)
    return value


def encode(path: Path, frames: int = 60, codec: str = "libx264", rate: int = 25,
           pts: list[int] | None = None, time_base: Fraction | None = None,
           options: dict | None = None, container_options: dict | None = None,
           size: tuple[int, int] = (WIDTH, HEIGHT), fmt: str | None = None,
           rotation: int = 0) -> Path:
    """Encode frames 0..frames-1, each stamped; `pts` (in `time_base`) makes them irregular;
    `rotation` is display-matrix metadata (degrees counterclockwise, as FFmpeg sets it)."""
    width, height = size
    with av.open(str(path), "w", format=fmt, options=container_options or {}) as container:
        stream = container.add_stream(codec, rate=rate, options=options or {})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if time_base is not None:
            stream.codec_context.time_base = time_base
        if rotation:
            stream.set_display_rotation(rotation)
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(stamp(i, width, height), format="rgb24")
            if pts is not None:
                frame.pts, frame.time_base = pts[i], time_base
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def h264_long_gop(path: Path, frames: int = 120) -> Path:
    """Constant-rate H.264 with B-frames (b-pyramid) and one keyframe every 250 frames."""
    return encode(path, frames, options={"g": "250", "bf": "3", "crf": "20"})


def vp9_webm(path: Path, frames: int = 60) -> Path:
    return encode(path, frames, codec="libvpx-vp9", rate=30,
                  options={"crf": "30", "b": "0", "g": "24", "deadline": "realtime", "cpu-used": "8"})


def variable_rate(path: Path, frames: int = 90, seed: int = 1) -> Path:
    """H.264 with irregular frame durations (20..100 ms), B-frames, keyframes every 30 frames."""
    rng = np.random.default_rng(seed)
    steps = rng.choice([20, 33, 40, 67, 100], size=frames - 1)
    pts = [0] + np.cumsum(steps).tolist()
    return encode(path, frames, pts=pts, time_base=Fraction(1, 1000), options={"g": "30", "bf": "2"})


def late_start(path: Path, frames: int = 50, start: float = 2.5) -> Path:
    """Constant-rate H.264 whose first frame is shown at `start` seconds."""
    time_base = Fraction(1, 90000)
    pts = [round(start * 90000) + i * 3600 for i in range(frames)]
    return encode(path, frames, pts=pts, time_base=time_base, options={"g": "25"})


def mpeg4_avi(path: Path, frames: int = 60) -> Path:
    """MPEG-4 Part 2 in AVI with B-frames (FFmpeg writes them unpacked)."""
    return encode(path, frames, codec="mpeg4", options={"bf": "2", "g": "30", "qscale": "3"})


def lying_header(path: Path, frames: int = 60, claimed: int = 444) -> Path:
    """An MPEG-4 AVI whose headers claim `claimed` frames (dwTotalFrames and the stream length)."""
    mpeg4_avi(path, frames)
    data = bytearray(path.read_bytes())
    avih = data.index(b"avih")
    struct.pack_into("<I", data, avih + 8 + 16, claimed)
    strh = data.index(b"strh")
    struct.pack_into("<I", data, strh + 8 + 32, claimed)
    path.write_bytes(bytes(data))
    return path


def unknown_codec(path: Path) -> Path:
    """An AVI whose codec tag (FourCC) no decoder knows."""
    encode(path, 10, codec="mpeg4", fmt="avi")
    path.write_bytes(path.read_bytes().replace(b"FMP4", b"ZZZZ"))
    return path


def truncated(source: Path, path: Path, keep: float = 0.5) -> Path:
    """The first `keep` fraction of `source`'s bytes."""
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def audio_only(path: Path, seconds: float = 1.0) -> Path:
    """A sine tone in an m4a file, with no video stream."""
    rate = 16000
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=rate)
        t = np.arange(int(rate * seconds)) / rate
        samples = (np.sin(2 * np.pi * 440 * t) * 0.3).astype(np.float32)[None, :]
        for start in range(0, samples.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(samples[:, start:start + 1024], format="fltp", layout="mono")
            frame.sample_rate = rate
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


class Clips:
    """Clips made on first use into one directory, by name."""

    MAKERS = {
        "long_gop.mp4": h264_long_gop,
        "vp9.webm": vp9_webm,
        "variable.mp4": variable_rate,
        "late.mp4": late_start,
        "late.mkv": late_start,
        "mpeg4.avi": mpeg4_avi,
        "lying.avi": lying_header,
    }

    def __init__(self, directory: Path):
        self.directory = directory

    def __getitem__(self, name: str) -> Path:
        path = self.directory / name
        if not path.exists():
            self.MAKERS[name](path)
        return path
