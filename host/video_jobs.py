"""Task videos: attaching a file, indexing and proxying it in jobs, and videos kept open for frames."""

from __future__ import annotations

import os
import secrets
import threading
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from flask import current_app

from tracklabel.core.decoding import IndexCache, Video
from tracklabel.core.errors import InputError

from . import db, jobs
from .plugins import registry
from .configs import project_config

DECODER = "pyav"
OPEN_VIDEOS = 8  # videos kept open per process for frame requests
RATE_TOLERANCE = 0.001  # the config's frameRate may differ from the video's by 0.1%


def init_app(app) -> None:
    app.extensions["tracklabel.videos"] = OpenVideos(OPEN_VIDEOS)


def video_tag(config):
    """The config's first <Video> tag (the task's video field is its `value`), or None."""
    return next((node for node in config.objects() if node.tag.name == "Video"), None)


def attach_video(task_id: int, path: str | os.PathLike, creator: int | None = None) -> int:
    """Record the task's video file and queue its indexing (then a proxy if browsers need one)
    for `creator` (by default the request's user); returns the index job's id. The task's media
    facts are empty until the job is done."""
    with db.engine().begin() as conn:
        conn.execute(db.tasks.update().where(db.tasks.c.id == task_id)
                     .values(video_path=str(Path(path).resolve()), media=None))
    return jobs.enqueue("index", task_id, creator=creator)


def proxy_dir() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "proxies"


def _open(path: str, progress=None) -> Video:
    return Video(path, registry().decoder(DECODER), IndexCache(current_app.config["DATA_DIR"]), progress)


def _task(task_id: int):
    with db.engine().connect() as conn:
        task = conn.execute(sa.select(db.tasks).where(db.tasks.c.id == task_id)).first()
    if task is not None and not task.video_path:
        raise InputError(f"task {task_id} has no video")
    return task


@jobs.runner("index")
def index_video(task_id: int, progress) -> None:
    """Probe and index the task's video and store its facts; queue a proxy when one is needed."""
    task = _task(task_id)
    if task is None:  # deleted meanwhile
        return
    with _open(task.video_path, progress) as video:
        media = {"frames": video.index.count, "fps": video.fps, "width": video.probe.width,
                 "height": video.probe.height, "rotation": video.probe.rotation,
                 "constant_rate": video.index.constant_rate, "start_time": video.index.start_time,
                 "duration": video.index.duration, "codec": video.probe.codec,
                 "proxy_reasons": video.proxy_reasons(), "warnings": []}
    with db.engine().connect() as conn:
        project = conn.execute(sa.select(db.projects).where(db.projects.c.id == task.project_id)).mappings().first()
    tag = video_tag(project_config(dict(project))) if project else None
    rate = tag.attrs.get("frameRate") if tag is not None else None
    if isinstance(rate, float) and media["fps"] and abs(rate / media["fps"] - 1) > RATE_TOLERANCE:
        media["warnings"].append(
            f"the labeling config says frameRate={rate:g} but the video has {media['fps']:.6g} frames "
            "per second; frame numbers follow the video, times computed with the config's rate will not")
    with db.engine().begin() as conn:
        conn.execute(db.tasks.update().where(db.tasks.c.id == task_id).values(media=media))
    if media["proxy_reasons"]:
        jobs.enqueue("proxy", task_id)


@jobs.runner("proxy")
def proxy_video(task_id: int, progress) -> None:
    """Write the browser proxy DATA_DIR/proxies/<task id>.mp4 and record it in the media facts."""
    task = _task(task_id)
    if task is None:
        return
    out = proxy_dir() / f"{task_id}.mp4"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{task_id}.{secrets.token_hex(4)}.mp4")
    try:
        with _open(task.video_path) as video:
            video.write_proxy(str(tmp), progress)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    with db.engine().begin() as conn:
        media = conn.execute(sa.select(db.tasks.c.media).where(db.tasks.c.id == task_id)).scalar()
        if media is not None:
            conn.execute(db.tasks.update().where(db.tasks.c.id == task_id).values(media={**media, "proxy": out.name}))


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
                entry.video = _open(path)
            try:
                yield entry.video
            finally:
                if entry.evicted:
                    entry.video.close()


def open_video(path: str):
    """`with open_video(path) as video:` a Video from the process's open videos."""
    return current_app.extensions["tracklabel.videos"].use(path)
