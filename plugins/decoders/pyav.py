"""`pyav`: the default decoder (FFmpeg through PyAV); also writes browser proxies."""

from __future__ import annotations

import bisect
import os
from fractions import Fraction
from math import gcd

import av
import numpy as np

from tracklabel.core.decoding import Decoder, FrameIndex, Probe, Reader, Scan
from tracklabel.core.errors import InputError, Problem
from tracklabel.core.hookspecs import hookimpl

REORDER_WINDOW = 16  # frames past the target to keep looking when output order is not sorted
PROXY_CRF = "17"  # x264 quality of proxies: visually lossless for annotation
# Proxies have no B-frames: after a seek the wanted frame comes out without reordering delay.


def _open(path: str, mode: str = "r", **kwargs):
    try:
        return av.open(path, mode, metadata_errors="ignore", **kwargs)
    except av.error.FFmpegError as exc:
        raise InputError(Problem(path, f"not a video FFmpeg can read ({exc.strerror})")) from None


def _video_stream(container, path: str):
    if not container.streams.video:
        kinds = sorted({s.type for s in container.streams})
        raise InputError(Problem(path, "no video stream" + (f" (only {', '.join(kinds)})" if kinds else "")))
    stream = container.streams.video[0]
    if stream.codec_context is None or stream.codec_context.codec is None:
        raise InputError(Problem(path, "no decoder for this video codec"))
    return stream


def _decoded(container, stream, skipped: list[int] | None = None, progress=None, size: int = 0):
    """Decoded frames in output order; a packet that fails to decode is counted and skipped,
    and damaged container data ends the stream (what decoded before it still counts)."""
    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except av.error.FFmpegError:
            break
        if progress is not None and size and packet.pos is not None and packet.pos >= 0:
            progress(min(1.0, packet.pos / size))
        try:
            frames = packet.decode()
        except av.error.FFmpegError:
            if skipped is not None:
                skipped[0] += 1
            continue
        yield from frames
    try:
        yield from stream.codec_context.decode(None)
    except av.error.FFmpegError:
        pass


class PyAVDecoder(Decoder):
    name = "pyav"
    description = "FFmpeg through PyAV: every container and codec FFmpeg decodes"

    @property
    def version(self) -> str:
        lavc = ".".join(map(str, av.library_versions["libavcodec"]))
        return f"1-av{av.__version__}-lavc{lavc}"

    def probe(self, path: str) -> Probe:
        with _open(path) as container:
            stream = _video_stream(container, path)
            cc = stream.codec_context
            first = next(_decoded(container, stream), None)
            rotation = round(-first.rotation) % 360 if first is not None else 0
            dar = stream.display_aspect_ratio
            if not dar and cc.width and cc.height:
                g = gcd(cc.width, cc.height)
                dar = Fraction(cc.width // g, cc.height // g)
            tb = stream.time_base
            return Probe(
                path=path, container=container.format.name, codec=cc.name,
                width=cc.width, height=cc.height,
                display_aspect=f"{dar.numerator}:{dar.denominator}" if dar else None,
                rotation=rotation,
                avg_rate=float(stream.average_rate) if stream.average_rate else None,
                guessed_rate=float(stream.guessed_rate) if stream.guessed_rate else None,
                start_time=float(stream.start_time * tb) if stream.start_time is not None and tb else None,
                duration=(float(stream.duration * tb) if stream.duration and tb
                          else container.duration / av.time_base if container.duration else None),
                header_frames=stream.frames,
            )

    def scan(self, path: str, progress=None) -> Scan:
        skipped = [0]
        pts, key = [], []
        with _open(path) as container:
            stream = _video_stream(container, path)
            stream.thread_type = "AUTO"
            size = os.path.getsize(path)
            for frame in _decoded(container, stream, skipped, progress, size):
                if frame.pts is None:
                    raise InputError(Problem(path, f"decoded frame {len(pts) + 1} has no timestamp"))
                pts.append(frame.pts)
                key.append(bool(frame.key_frame))
            tb = stream.time_base
        if progress is not None:
            progress(1.0)
        return Scan((tb.numerator, tb.denominator), pts, key, skipped[0])

    def open(self, path: str, index: FrameIndex) -> "PyAVReader":
        return PyAVReader(path, index)

    def thumbnails(self, path, index, width):
        """Decodes each keyframe packet alone (draining the decoder after it), nothing else."""
        with _open(path) as container:
            stream = _video_stream(container, path)
            cc = stream.codec_context
            for packet in container.demux(stream):
                if not packet.is_keyframe:
                    continue
                try:
                    frames = packet.decode() + cc.decode(None)
                except av.error.FFmpegError:
                    continue
                finally:
                    cc.flush_buffers()
                for frame in frames:
                    i = bisect.bisect_left(index.pts, frame.pts)
                    if i < index.count and index.pts[i] == frame.pts:
                        height = max(2, round(frame.height * width / frame.width))
                        yield i, frame.reformat(width, height, format="rgb24").to_ndarray()

    def write_proxy(self, path, index, out, progress=None):
        """H.264 yuv420p mp4, faststart, a keyframe about every second, same frames and pts."""
        tb = Fraction(*index.time_base)
        keyint = max(1, round(index.fps or 1))
        with PyAVReader(path, index) as reader, \
                _open(out, "w", format="mp4", options={"movflags": "+faststart"}) as dst:
            first = reader.frame(0)
            width, height = first.width + first.width % 2, first.height + first.height % 2
            stream = dst.add_stream("libx264", rate=Fraction(index.fps or 1).limit_denominator(1001),
                                    options={"crf": PROXY_CRF, "preset": "veryfast", "bf": "0",
                                             "g": str(keyint), "keyint_min": str(keyint)})
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            stream.codec_context.time_base = tb
            if first.rotation:
                stream.set_display_rotation(first.rotation)
            for i in range(index.count):
                frame = reader.frame(i).reformat(width, height, format="yuv420p")
                frame.pts, frame.time_base = index.pts[i], tb
                dst.mux(stream.encode(frame))
                if progress is not None:
                    progress((i + 1) / index.count)
            dst.mux(stream.encode(None))


class PyAVReader(Reader):
    """Frames by index: seek back to the frame's timestamp and decode until it comes out;
    reading on within a GOP continues the decoder without seeking."""

    def __init__(self, path: str, index: FrameIndex):
        super().__init__(path, index)
        self._container = None
        self._frames = None  # decoded frames since the last seek
        self._at = None  # index of the last frame taken from self._frames

    def fetch(self, i: int) -> np.ndarray:
        return self.frame(i).to_ndarray(format="rgb24")

    def frame(self, i: int):
        """Frame i as decoded (an av.VideoFrame)."""
        found = self._read_on(i) if self._can_read_on(i) else None
        return found if found is not None else self._seek_for(i)

    def _can_read_on(self, i: int) -> bool:
        if self._at is None or self._at >= i or self.index.reordered:
            return False
        keys = self.index.keyframes
        last_key = keys[bisect.bisect_right(keys, i) - 1] if keys and keys[0] <= i else None
        return last_key is None or last_key <= self._at

    def _read_on(self, i: int):
        """Decode on from where the last fetch stopped; None if frame i did not come out."""
        target, beyond = self.index.pts[i], 0
        for frame in self._frames:
            if frame.pts == target:
                self._at = i
                return frame
            if frame.pts is not None and frame.pts > target:
                beyond += 1
                if not self.index.reordered or beyond > REORDER_WINDOW:
                    break
        self._frames = self._at = None
        return None

    def _seek_for(self, i: int):
        """Seek to frame i's timestamp; when the decoder starts past it, seek further back,
        doubling the step, until decoding from the very start."""
        pts = self.index.pts
        seek_to, step = pts[i], 1
        while True:
            if self._container is None or seek_to is None:
                self._restart()
            else:
                self._container.seek(seek_to, backward=True, any_frame=False, stream=self._stream)
                self._frames = _decoded(self._container, self._stream)
            self._at = -1
            first = None
            for frame in self._frames:
                if frame.pts is not None:
                    first = frame.pts
                    break
            if first == pts[i]:
                self._at = i
                return frame
            if first is not None and (first < pts[i] or self.index.reordered):
                found = self._read_on(i)
                if found is not None:
                    return found
            if seek_to is None:
                raise InputError(Problem(self.path, f"frame {i + 1} (pts {pts[i]}) did not decode "
                                                    "again; the file changed since it was indexed?"))
            landed = min(i, bisect.bisect_left(pts, first)) if first is not None else 0
            back = landed - step
            seek_to, step = (pts[back] if back > 0 else None), step * 2

    def _restart(self) -> None:
        self.close()
        self._container = _open(self.path)
        self._stream = _video_stream(self._container, self.path)
        self._stream.thread_type = "SLICE"  # frame threads would delay the first frame after a seek
        self._frames = _decoded(self._container, self._stream)

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
        self._container = self._frames = self._at = None


@hookimpl
def register_decoders(register):
    register(PyAVDecoder())
