"""A task's thumbnail for the data manager: one small JPEG of its video, decoded once and kept
in the data folder (DATA_DIR/thumbnails)."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import cv2
from flask import Blueprint, current_app, send_file

from . import db
from .auth import require
from .errors import ApiError
from .store import jobs as job_store
from .store import tasks as task_store
from .videos import open_video

bp = Blueprint("thumbnails", __name__)

WIDTH = 192
JPEG_QUALITY = 80
INTO_VIDEO = 0.1  # the keyframe at or before 10 % into the video (the first frame is often black)


def folder() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "thumbnails"


def remove(task_ids) -> None:
    """Forget the thumbnails of deleted tasks."""
    for task_id in task_ids:
        for path in folder().glob(f"{task_id}-*.jpg"):
            path.unlink(missing_ok=True)


@bp.get("/api/tasks/<int:task_id>/thumbnail")
@require()
def thumbnail(task_id: int):
    """The thumbnail (404 without a video, 409 while it is not indexed)."""
    video = task_store.get(db.connection(), task_id)
    if not video["video_path"]:
        raise ApiError(404, "no_video", f"task {task_id} has no video")
    source = Path(video["video_path"])
    try:
        stat = source.stat()
    except OSError:
        raise ApiError(404, "video_missing", f"task {task_id}'s video file is missing") from None
    if video["media"] is None:
        job = job_store.latest(db.connection(), task_id, "index")
        detail = f" (index job {job['id']} is {job['state']})" if job else ""
        raise ApiError(409, "not_indexed", f"task {task_id}'s video is not indexed yet{detail}",
                       job=job["id"] if job else None)
    # the file changed on disk (or the task got another one): another name, made again
    key = hashlib.sha256(f"{source}:{stat.st_mtime_ns}:{stat.st_size}".encode()).hexdigest()[:16]
    path = folder() / f"{task_id}-{key}.jpg"
    if not path.is_file():
        _write(path, source)
    return send_file(path, mimetype="image/jpeg", conditional=True, etag=True, max_age=0)


def _write(path: Path, source: Path) -> None:
    with open_video(str(source)) as video:
        target = int(video.index.count * INTO_VIDEO)
        frame = max((k for k in video.index.keyframes if k <= target), default=0)
        rgb = video.frame_number(frame + 1)
    height = max(1, round(rgb.shape[0] * WIDTH / rgb.shape[1]))
    small = cv2.resize(rgb, (WIDTH, height), interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(small, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ApiError(500, "encode_failed", "could not encode the thumbnail")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    try:
        tmp.write_bytes(data.tobytes())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
