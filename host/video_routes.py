"""The routes of a task's video: the video (HTTP Range), exact frames as images, its frame index
and keyframe thumbnails. Frames are numbered as in Label Studio: 1-based, by decoding."""

from __future__ import annotations

import mimetypes
from pathlib import Path

import cv2
from flask import Blueprint, Response, jsonify, request, send_file

from . import db
from .auth import require
from .errors import ApiError
from .requests import int_arg
from .store import jobs as job_store
from .store import tasks as task_store
from .videos import open_video, proxy_dir

bp = Blueprint("media", __name__)

THUMBNAIL_WIDTH = 160
JPEG_QUALITY = 90
VIDEO_TYPES = {".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm", ".mkv": "video/x-matroska"}


def _video_task(task_id: int, indexed: bool = True) -> dict:
    """The task, 404 if it has no video; 409 (with its latest index job) until it is indexed."""
    task = task_store.get(db.connection(), task_id)
    if not task["video_path"]:
        raise ApiError(404, "no_video", f"task {task_id} has no video")
    if not Path(task["video_path"]).is_file():
        raise ApiError(404, "video_missing", f"task {task_id}'s video file is missing")
    if indexed and task["media"] is None:
        job = job_store.latest(db.connection(), task_id, "index")
        detail = (f" (index job {job['id']} is {job['state']}{': ' + job['message'] if job['message'] else ''})"
                  if job else "")
        raise ApiError(409, "not_indexed", f"task {task_id}'s video is not indexed yet{detail}",
                       job=job["id"] if job else None)
    return task


@bp.get("/api/tasks/<int:task_id>/video")
@require()
def video(task_id: int):
    """The browser proxy when there is one, else the source (`?source=1`: always the source)."""
    task = _video_task(task_id, indexed=False)
    proxy = (task["media"] or {}).get("proxy")
    path = proxy_dir() / proxy if proxy and request.args.get("source") not in ("1", "true") else Path(task["video_path"])
    kind = VIDEO_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return send_file(path, mimetype=kind, conditional=True, etag=True, max_age=0)


@bp.get("/api/tasks/<int:task_id>/frames/<int:n>.jpg", defaults={"ext": "jpg"})
@bp.get("/api/tasks/<int:task_id>/frames/<int:n>.png", defaults={"ext": "png"})
@require()
def frame(task_id: int, n: int, ext: str):
    """Frame n (1-based) decoded exactly; `?width=` scales it down (keeping the aspect)."""
    task = _video_task(task_id)
    if not 1 <= n <= task["media"]["frames"]:
        raise ApiError(404, "not_found", f"frame {n} is out of range 1..{task['media']['frames']}")
    width = int_arg("width")
    with open_video(task["video_path"]) as video:
        rgb = video.frame_number(n)
    if width is not None and 0 < width < rgb.shape[1]:
        height = max(1, round(rgb.shape[0] * width / rgb.shape[1]))
        rgb = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)
    params = [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY] if ext == "jpg" else []
    ok, data = cv2.imencode(f".{ext}", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), params)
    if not ok:
        raise ApiError(500, "encode_failed", f"could not encode frame {n} as {ext}")
    return Response(data.tobytes(), mimetype="image/jpeg" if ext == "jpg" else "image/png",
                    headers={"Cache-Control": "private, max-age=3600"})


@bp.get("/api/tasks/<int:task_id>/frame-index")
@require()
def frame_index(task_id: int):
    """Every frame's presentation time: the player seeks and reports positions through it."""
    task = _video_task(task_id)
    with open_video(task["video_path"]) as video:
        index = video.index
    num, den = index.time_base
    return jsonify({"count": index.count, "fps": task["media"]["fps"], "constant_rate": index.constant_rate,
                    "start_time": index.start_time, "duration": index.duration,
                    "times": [p * num / den for p in index.pts]})


@bp.get("/api/tasks/<int:task_id>/thumbnails")
@require()
def thumbnails(task_id: int):
    """The keyframes (cheap to decode) as 1-based frame numbers with an image URL each."""
    task = _video_task(task_id)
    width = int_arg("width", THUMBNAIL_WIDTH)
    with open_video(task["video_path"]) as video:
        index = video.index
    return jsonify([{"frame": k + 1, "time": index.time(k),
                     "url": f"/api/tasks/{task_id}/frames/{k + 1}.jpg?width={width}"} for k in index.keyframes])
