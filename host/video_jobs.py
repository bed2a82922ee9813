"""Task videos' background work: attaching a file to a task, then indexing it (its facts stored
on the task) and writing a browser proxy when one is needed, as jobs."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from tracklabel.core.errors import InputError

from . import db, jobs
from .configs import project_config, video_tag
from .store import projects as project_store
from .store import tasks as task_store
from .videos import open_file, proxy_dir

RATE_TOLERANCE = 0.001  # the config's frameRate may differ from the video's by 0.1%


def init_app(app) -> None:
    """Register the runners of index and proxy jobs (one video's never run at once)."""
    jobs.register_runner(app, "index", index_video, lock=video_lock)
    jobs.register_runner(app, "proxy", proxy_video, lock=video_lock)


def video_lock(conn, task_id: int, _params) -> str | None:
    """The lock of the task's video file (by its path), or None when it has none."""
    task = task_store.find(conn, task_id)
    return f"video:{task['video_path']}" if task is not None and task["video_path"] else None


def attach_video(task_id: int, path: str | os.PathLike, creator: int | None = None) -> int:
    """Record the task's video file and queue its indexing (then a proxy if browsers need one)
    for `creator` (by default the request's user); returns the index job's id. The task's media
    facts are empty until the job is done."""
    with db.engine().begin() as conn:
        task_store.set_video(conn, task_id, str(Path(path).resolve()))
    return jobs.enqueue("index", task_id, creator=creator)


def _task(task_id: int) -> dict | None:
    with db.engine().connect() as conn:
        task = task_store.find(conn, task_id)
    if task is not None and not task["video_path"]:
        raise InputError(f"task {task_id} has no video")
    return task


def index_video(task_id: int, progress) -> None:
    """Probe and index the task's video and store its facts; queue a proxy when one is needed."""
    task = _task(task_id)
    if task is None:  # deleted meanwhile
        return
    with open_file(task["video_path"], progress) as video:
        media = {"frames": video.index.count, "fps": video.fps, "width": video.probe.width,
                 "height": video.probe.height, "rotation": video.probe.rotation,
                 "constant_rate": video.index.constant_rate, "start_time": video.index.start_time,
                 "duration": video.index.duration, "codec": video.probe.codec,
                 "proxy_reasons": video.proxy_reasons(), "warnings": []}
    with db.engine().connect() as conn:
        project = project_store.find(conn, task["project_id"])
    tag = video_tag(project_config(project)) if project else None
    rate = tag.attrs.get("frameRate") if tag is not None else None
    if isinstance(rate, float) and media["fps"] and abs(rate / media["fps"] - 1) > RATE_TOLERANCE:
        media["warnings"].append(
            f"the labeling config says frameRate={rate:g} but the video has {media['fps']:.6g} frames "
            "per second; frame numbers follow the video, times computed with the config's rate will not")
    with db.engine().begin() as conn:
        task_store.set_media(conn, task_id, media)
    if media["proxy_reasons"]:
        jobs.enqueue("proxy", task_id)


def proxy_video(task_id: int, progress) -> None:
    """Write the browser proxy DATA_DIR/proxies/<task id>.mp4 and record it in the media facts."""
    task = _task(task_id)
    if task is None:
        return
    out = proxy_dir() / f"{task_id}.mp4"
    out.parent.mkdir(parents=True, exist_ok=True)
    for left in out.parent.glob(f".{task_id}.*.mp4"):  # of an attempt killed while writing
        left.unlink(missing_ok=True)
    tmp = out.with_name(f".{task_id}.{secrets.token_hex(4)}.mp4")
    try:
        with open_file(task["video_path"]) as video:
            video.write_proxy(str(tmp), progress)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    with db.engine().begin() as conn:
        task_store.add_media_facts(conn, task_id, proxy=out.name)
