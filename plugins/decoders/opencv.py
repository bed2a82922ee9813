"""`opencv`: OpenCV's video reader, allowed only on files where its frame seeks are exact.

OpenCV seeks to frame k by the time `k / fps`, which is right only when every frame sits on
that grid (constant rate, no reordering). `open` checks the index against the grid and every
fetch checks the timestamp of the frame OpenCV returned; a mismatch is an InputError that
says to use the `pyav` decoder. Frames come as coded (OpenCV's auto-rotation is turned off).
"""

from __future__ import annotations

from math import gcd

import cv2
import numpy as np

from tracklabel.core.decoding import Decoder, FrameIndex, Probe, Reader, Scan
from tracklabel.core.errors import InputError, Problem
from tracklabel.core.hookspecs import hookimpl

READ_ON = 25  # read forward instead of seeking when the target is at most this many frames ahead
TOLERANCE_US = 1000  # a returned frame's timestamp must match the index to the millisecond
TIME_BASE = (1, 1_000_000)  # OpenCV reports milliseconds as floats; the index keeps microseconds


def _capture(path: str):
    cap = cv2.VideoCapture(path, cv2.CAP_FFMPEG)
    if not cap.isOpened():
        raise InputError(Problem(path, "OpenCV cannot open it as a video"))
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 0)
    return cap


def _micros(cap) -> int:
    return round(cap.get(cv2.CAP_PROP_POS_MSEC) * 1000)


class OpenCVDecoder(Decoder):
    name = "opencv"
    description = "OpenCV (headless contrib wheel); refuses files where its seeks are not exact"

    @property
    def version(self) -> str:
        return f"1-cv{cv2.__version__}"

    def probe(self, path: str) -> Probe:
        cap = _capture(path)
        try:
            fourcc = int(cap.get(cv2.CAP_PROP_FOURCC)).to_bytes(4, "little")
            fps = cap.get(cv2.CAP_PROP_FPS) or None
            width, height = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
            sar = cap.get(cv2.CAP_PROP_SAR_NUM), cap.get(cv2.CAP_PROP_SAR_DEN)
            frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
            rotation = int(cap.get(cv2.CAP_PROP_ORIENTATION_META)) % 360
        finally:
            cap.release()
        aspect = None
        if width and height and all(sar):
            num, den = round(width * sar[0]), round(height * sar[1])
            aspect = _ratio(num, den)
        return Probe(path=path, container=None,
                     codec=fourcc.decode("ascii", "replace").strip("\x00 ").lower() or None,
                     width=width, height=height, display_aspect=aspect, rotation=rotation,
                     avg_rate=fps, guessed_rate=None, start_time=None, duration=None,
                     header_frames=frames)

    def scan(self, path: str, progress=None) -> Scan:
        cap = _capture(path)
        try:
            expected = max(1, int(cap.get(cv2.CAP_PROP_FRAME_COUNT)))
            pts = []
            while cap.grab():
                micros = _micros(cap)
                if pts and micros <= pts[-1]:
                    raise InputError(Problem(path, f"OpenCV gives frame {len(pts) + 1} a timestamp "
                                                   f"({micros / 1e6:.3f} s) not after the one before; "
                                                   "use the pyav decoder"))
                pts.append(micros)
                if progress is not None:
                    progress(min(1.0, len(pts) / expected))
        finally:
            cap.release()
        return Scan(TIME_BASE, pts, [False] * len(pts))

    def open(self, path: str, index: FrameIndex) -> "OpenCVReader":
        return OpenCVReader(path, index)

    def thumbnails(self, path, index, width):
        """OpenCV does not flag keyframes: one frame per second of the index instead."""
        every = max(1, round(index.fps or 1))
        cap = _capture(path)
        try:
            for i in range(index.count):
                if not cap.grab():
                    break
                if i % every == 0:
                    ok, bgr = cap.retrieve()
                    if ok:
                        height = max(2, round(bgr.shape[0] * width / bgr.shape[1]))
                        small = cv2.resize(bgr, (width, height), interpolation=cv2.INTER_AREA)
                        yield i, cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
        finally:
            cap.release()


def _ratio(num: int, den: int) -> str:
    g = gcd(num, den) or 1
    return f"{num // g}:{den // g}"


class OpenCVReader(Reader):
    """Frames by `CAP_PROP_POS_FRAMES`, each checked against the index's timestamp."""

    def __init__(self, path: str, index: FrameIndex):
        super().__init__(path, index)
        self._cap = _capture(path)
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        problem = _off_grid(index, fps)
        if problem:
            self._cap.release()
            raise InputError(Problem(path, f"OpenCV cannot fetch frames of this file exactly: "
                                           f"{problem}; use the pyav decoder"))
        self._next = 0  # index of the frame the next read returns

    def fetch(self, i: int) -> np.ndarray:
        if not self._next <= i <= self._next + READ_ON:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, i)
            self._next = i
        while self._next < i and self._cap.grab():
            self._next += 1
        ok, bgr = self._cap.read()
        if not ok or self._next != i:
            self._next = -READ_ON - 1
            raise InputError(Problem(self.path, f"OpenCV could not read frame {i + 1}"))
        got, want = _micros(self._cap), self.index.pts[i]
        if abs(got - want) > TOLERANCE_US:
            self._next = -READ_ON - 1
            raise InputError(Problem(self.path, f"OpenCV returned the frame at {got / 1e6:.3f} s "
                                                f"for frame {i + 1} (at {want / 1e6:.3f} s); "
                                                "its seeks are not exact on this file: use the pyav decoder"))
        self._next = i + 1
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

    def close(self) -> None:
        self._cap.release()


def _off_grid(index: FrameIndex, fps: float) -> str | None:
    """Why frame k is not at start + k / fps for some k (where OpenCV's seek looks), or None."""
    if index.reordered:
        return "decoder output order differs from presentation order"
    if not fps:
        return "OpenCV reports no frame rate"
    start = index.pts[0]
    for k, micros in enumerate(index.pts):
        grid = start + k * 1e6 / fps
        if abs(micros - grid) > TOLERANCE_US:
            return (f"variable frame rate (frame {k + 1} is at {(micros - start) / 1e6:.3f} s, "
                    f"OpenCV would look for it at {(grid - start) / 1e6:.3f} s)")
    return None


@hookimpl
def register_decoders(register):
    register(OpenCVDecoder())
