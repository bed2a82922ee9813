"""Opening task videos: the decoder the host uses, the proxies' folder, and videos kept open
for frame requests."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from flask import current_app

from tracklabel.core.decoding import IndexCache, Video

from .plugins import registry

DECODER = "pyav"
OPEN_VIDEOS = 8  # videos kept open per process for frame requests


def init_app(app) -> None:
    app.extensions["tracklabel.videos"] = OpenVideos(OPEN_VIDEOS)


def proxy_dir() -> Path:
    """Where browser proxies are written: DATA_DIR/proxies/<task id>.mp4."""
    return Path(current_app.config["DATA_DIR"]) / "proxies"


def open_file(path: str, progress=None) -> Video:
    """The video file decoded with the host's decoder, its frame index cached in the data folder."""
    return Video(path, registry().decoder(DECODER), IndexCache(current_app.config["DATA_DIR"]), progress)


class _Entry:
    def __init__(self):
        self.lock = threading.Lock()
        self.video: Video | None = None
        self.evicted = False


class OpenVideos:
    """Videos kept open (random frame fetches are dominated by open and seek): at most `size`,
    the least recently used closed first; one request at a time uses each. A file changed on
    disk is a new entry."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    @contextmanager
    def use(self, path: str) -> Iterator[Video]:
        stat = os.stat(path)
        key = (path, stat.st_mtime_ns, stat.st_size)
        with self._lock:
            entry = self._entries.setdefault(key, _Entry())
            self._entries.move_to_end(key)
            evicted = [self._entries.popitem(last=False)[1] for _ in range(len(self._entries) - self.size)]
        for old in evicted:
            with old.lock:
                old.evicted = True
                if old.video is not None:
                    old.video.close()
        with entry.lock:
            if entry.video is None:
                entry.video = open_file(path)
            try:
                yield entry.video
            finally:
                if entry.evicted:
                    entry.video.close()


def open_video(path: str):
    """`with open_video(path) as video:` a Video from the process's open videos."""
    return current_app.extensions["tracklabel.videos"].use(path)
