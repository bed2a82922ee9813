"""The decoder interface and the frame index: a video's frames are numbered by decoding them.

Frame `i` (0-based) is the i-th frame in presentation order among the frames the decoder
yields; Label Studio's 1-based frame N is index N-1. Header frame counts and `time * fps`
guesses are never used to number frames.
"""

from __future__ import annotations

import bisect
import hashlib
import os
from fractions import Fraction
from pathlib import Path
from typing import Callable, ClassVar, Iterator

import msgspec
import numpy as np

from .errors import InputError, Problem
from .files import new_file

Progress = Callable[[float], None]  # called with the fraction of the file done, 0..1

BROWSER_CODECS = frozenset({"h264", "vp8", "vp9", "av1"})
BROWSER_SUFFIXES = frozenset({".mp4", ".m4v", ".webm"})
MAX_BROWSER_GOP = 2.0  # seconds between keyframes beyond which a proxy makes seeking fast
RATE_SLACK = Fraction(1, 1000)  # seconds a timestamp may stray from the grid of a constant rate


class Probe(msgspec.Struct, frozen=True, kw_only=True):
    """What the container and stream headers say about a video (frame counts may lie)."""

    path: str
    container: str | None
    codec: str | None
    width: int
    height: int
    display_aspect: str | None  # "16:9", from the sample aspect ratio; None when unknown
    rotation: int  # degrees clockwise a player turns the picture (display-matrix metadata)
    avg_rate: float | None
    guessed_rate: float | None
    start_time: float | None  # seconds
    duration: float | None  # seconds, as the container says
    header_frames: int | None  # the container's frame count; often wrong, 0/None if unstated


class Scan(msgspec.Struct, frozen=True):
    """One decode-only pass: each decoded frame's timestamp, in decoder output order."""

    time_base: tuple[int, int]
    pts: list[int]
    key: list[bool]
    skipped_packets: int = 0  # packets that failed to decode (damaged or truncated data)


class FrameIndex(msgspec.Struct, frozen=True, kw_only=True):
    """Every decoded frame, in presentation order, with its timestamp."""

    decoder: str
    decoder_version: str
    time_base: tuple[int, int]
    pts: list[int]  # ascending; frame i is shown from pts[i] * time_base seconds
    keyframes: list[int]  # 0-based indices of the frames the decoder flagged as keyframes
    reordered: bool  # decoder output order differed from presentation order
    constant_rate: bool
    fps: float | None  # frames per second (the mean rate when variable); None for one frame
    skipped_packets: int

    @classmethod
    def from_scan(cls, scan: Scan, decoder: "Decoder", path: str) -> "FrameIndex":
        if not scan.pts:
            raise InputError(Problem(path, "no video frame could be decoded"))
        order = sorted(range(len(scan.pts)), key=scan.pts.__getitem__)
        pts = [scan.pts[i] for i in order]
        for a, b in zip(pts, pts[1:]):
            if a == b:
                raise InputError(Problem(path, f"two decoded frames share the timestamp {a} "
                                               f"(time base {scan.time_base[0]}/{scan.time_base[1]}); "
                                               "frames cannot be told apart"))
        constant, fps = _rate(pts, Fraction(*scan.time_base))
        return cls(decoder=decoder.name, decoder_version=decoder.version,
                   time_base=scan.time_base, pts=pts,
                   keyframes=[n for n, i in enumerate(order) if scan.key[i]],
                   reordered=order != sorted(order), constant_rate=constant, fps=fps,
                   skipped_packets=scan.skipped_packets)

    @property
    def count(self) -> int:
        return len(self.pts)

    @property
    def start_time(self) -> float:
        """Seconds at which the first frame is shown (non-zero for files that start late)."""
        return self.time(0)

    @property
    def duration(self) -> float:
        """Seconds from the first frame to the end of the last (one mean frame after it)."""
        last = self.time(self.count - 1) - self.start_time
        return last + (1 / self.fps if self.fps else 0.0)

    def time(self, i: int) -> float:
        """Presentation time of frame i in seconds."""
        return float(self.pts[i] * Fraction(*self.time_base))

    def index_of(self, frame: int, path: str = "") -> int:
        """The 0-based index of Label Studio frame `frame` (1-based); InputError if out of range."""
        if not 1 <= frame <= self.count:
            raise InputError(Problem(path, f"frame {frame} is out of range 1..{self.count}"))
        return frame - 1

    def at_time(self, seconds: float) -> int:
        """The index of the frame shown at `seconds` (the first frame before the start)."""
        ticks = Fraction(seconds) / Fraction(*self.time_base)
        return max(0, bisect.bisect_right(self.pts, ticks) - 1)

    def max_keyframe_interval(self) -> float | None:
        """The longest time between keyframes (or to the end), in seconds; None if none flagged."""
        if not self.keyframes:
            return None
        marks = [self.time(k) for k in self.keyframes] + [self.start_time + self.duration]
        return max(b - a for a, b in zip(marks, marks[1:]))


def _rate(pts: list[int], time_base: Fraction) -> tuple[bool, float | None]:
    """Whether every frame is on an even grid from the first to the last (within a tick or a
    millisecond, as containers round timestamps), and the mean frames per second."""
    if len(pts) < 2:
        return True, None
    step = Fraction(pts[-1] - pts[0], len(pts) - 1)
    slack = max(1, RATE_SLACK / time_base)
    constant = all(abs(p - pts[0] - k * step) <= slack for k, p in enumerate(pts))
    return constant, float(1 / (step * time_base))


def proxy_reasons(path: str, probe: Probe, index: FrameIndex) -> list[str]:
    """Why a browser needs a transcoded proxy of this video; empty when the source will do."""
    reasons = []
    if probe.codec not in BROWSER_CODECS:
        reasons.append(f"browsers do not play {probe.codec or 'this codec'}")
    if Path(path).suffix.lower() not in BROWSER_SUFFIXES:
        reasons.append(f"browsers do not play {Path(path).suffix or 'this'} files")
    gop = index.max_keyframe_interval()
    if gop is not None and gop > MAX_BROWSER_GOP:
        reasons.append(f"keyframes up to {gop:.1f} s apart (slow seeking)")
    return reasons


class Reader:
    """An open video: exact frames by index. Keeps its position so that reading on is cheap."""

    def __init__(self, path: str, index: FrameIndex):
        self.path = path
        self.index = index

    def fetch(self, i: int) -> np.ndarray:
        """Frame i (0-based) as an H x W x 3 uint8 RGB array."""
        raise NotImplementedError

    def iterate(self, start: int, stop: int) -> Iterator[np.ndarray]:
        """Frames start..stop-1 in order."""
        for i in range(start, stop):
            yield self.fetch(i)

    def close(self) -> None:
        """Release the file and the decoder."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Decoder:
    """Base class of decoders; a plugin subclasses it and registers an instance.

    `version` names everything that can change the index (the plugin and its library
    versions): a cached index is used only by the same decoder name and version.
    """

    name: ClassVar[str]
    version: ClassVar[str]
    description: ClassVar[str] = ""

    def probe(self, path: str) -> Probe:
        raise NotImplementedError

    def scan(self, path: str, progress: Progress | None = None) -> Scan:
        """Decode every frame once (no pixel conversion), recording its timestamp."""
        raise NotImplementedError

    def open(self, path: str, index: FrameIndex) -> Reader:
        """A Reader; raises InputError when this decoder cannot fetch this file's frames exactly."""
        raise NotImplementedError

    def thumbnails(self, path: str, index: FrameIndex, width: int) -> Iterator[tuple[int, np.ndarray]]:
        """(index, RGB image `width` pixels wide) for the keyframes, decoding nothing else."""
        raise NotImplementedError

    def write_proxy(self, path: str, index: FrameIndex, out: str,
                    progress: Progress | None = None) -> None:
        """Transcode to a browser proxy mp4 with exactly the indexed frames and timestamps."""
        raise InputError(Problem(path, f"decoder {self.name!r} cannot write proxies"))


def check_file(path: str) -> None:
    """InputError unless `path` is a non-empty regular file (a pipe or device could hang)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise InputError(Problem(path, exc.strerror or str(exc))) from None
    if not os.path.isfile(path):
        raise InputError(Problem(path, "not a regular file"))
    if st.st_size == 0:
        raise InputError(Problem(path, "empty file"))


def content_hash(path: str) -> str:
    """SHA-256 of the file's bytes."""
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


class IndexCache:
    """Frame indexes on disk, keyed by file content and decoder name and version. The content's
    hash is remembered by the file's identity on disk (path, inode, size, modification time), so
    an unchanged file is read whole once, not at every open by every process."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory) / "index"
        self.digests = Path(directory) / "digests"

    def _identity(self, path: str) -> Path:
        stat = os.stat(path)
        key = repr((os.path.realpath(path), stat.st_ino, stat.st_size, stat.st_mtime_ns))
        return self.digests / hashlib.sha256(key.encode()).hexdigest()

    def digest(self, path: str) -> str:
        """The file's content hash: remembered, or read and hashed."""
        try:
            known = self._identity(path).read_text()
        except OSError:
            known = ""
        return known if len(known) == 64 else content_hash(path)

    def remember(self, path: str, digest: str) -> None:
        """Remember the hash of the file as it is now (written atomically)."""
        target = self._identity(path)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = new_file(target.parent, f".{target.name}.")
        try:
            tmp.write_text(digest)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink()
            raise

    def path_for(self, digest: str, decoder: Decoder) -> Path:
        return self.directory / f"{decoder.name}-{decoder.version}" / f"{digest}.json"

    def load(self, digest: str, decoder: Decoder) -> FrameIndex | None:
        try:
            data = self.path_for(digest, decoder).read_bytes()
            return msgspec.json.decode(data, type=FrameIndex)
        except (OSError, msgspec.DecodeError, msgspec.ValidationError):
            return None

    def store(self, digest: str, decoder: Decoder, index: FrameIndex) -> None:
        """Write atomically: a reader sees the whole index or none."""
        target = self.path_for(digest, decoder)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = new_file(target.parent, f".{target.name}.")
        try:
            tmp.write_bytes(msgspec.json.encode(index))
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink()
            raise


def load_index(path: str, decoder: Decoder, cache: IndexCache | None = None,
               progress: Progress | None = None) -> FrameIndex:
    """The cached index of this file's current content, or a new one (then cached)."""
    digest = cache.digest(path) if cache is not None else None
    index = cache.load(digest, decoder) if cache is not None else None
    if index is None:
        index = FrameIndex.from_scan(decoder.scan(path, progress), decoder, path)
        if cache is not None:
            cache.store(digest, decoder, index)
    if cache is not None:
        cache.remember(path, digest)
    return index


class Video:
    """A video opened through one decoder: its probe, its frame index and exact frames."""

    def __init__(self, path: str | os.PathLike, decoder: Decoder, cache: IndexCache | None = None,
                 progress: Progress | None = None):
        self.path = str(path)
        self.decoder = decoder
        self.cache = cache
        check_file(self.path)
        self.probe = decoder.probe(self.path)
        self.index = load_index(self.path, decoder, cache, progress)
        self._reader: Reader | None = None

    @property
    def reader(self) -> Reader:
        if self._reader is None:
            self._reader = self.decoder.open(self.path, self.index)
        return self._reader

    def frame(self, i: int) -> np.ndarray:
        """Frame i, 0-based."""
        if not 0 <= i < self.index.count:
            raise InputError(Problem(self.path, f"frame index {i} is out of range 0..{self.index.count - 1}"))
        return self.reader.fetch(i)

    def frame_number(self, n: int) -> np.ndarray:
        """Label Studio frame n, 1-based."""
        return self.reader.fetch(self.index.index_of(n, self.path))

    def frames(self, start: int = 0, stop: int | None = None) -> Iterator[np.ndarray]:
        """Frames start..stop-1 (0-based), decoded in one sequential pass."""
        stop = self.index.count if stop is None else min(stop, self.index.count)
        return self.reader.iterate(max(0, start), stop)

    def thumbnails(self, width: int = 160) -> Iterator[tuple[int, np.ndarray]]:
        return self.decoder.thumbnails(self.path, self.index, width)

    @property
    def fps(self) -> float | None:
        """The header's rate when the frames keep to it (within 0.1%), else the measured mean."""
        measured, stated = self.index.fps, self.probe.avg_rate
        if measured and stated and self.index.constant_rate and abs(stated / measured - 1) <= 0.001:
            return stated
        return measured

    def proxy_reasons(self) -> list[str]:
        return proxy_reasons(self.path, self.probe, self.index)

    def write_proxy(self, out: str, progress: Progress | None = None) -> None:
        self.decoder.write_proxy(self.path, self.index, out, progress)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
