"""Precompute jobs: after a save, the shapes of regions whose interpolator looks at the video
(image-guided: tracking between keyframes) are computed by a job, on a worker, into the data
folder's cache, so that the player's tracks requests find them instead of tracking inside a web
request. One job per saved version; a job whose version was replaced meanwhile does nothing."""

from __future__ import annotations

from contextlib import closing

import numpy as np
from flask import current_app

from . import db, jobs
from .configs import project_config
from .shapes import keyframed_regions, looks_at_video, shapes_job
from .store import annotations as annotation_store
from .store import projects as project_store
from .store import tasks as task_store
from .video_jobs import video_lock

CHUNK = 250  # frames shaped between two progress reports
REPLACED = "the annotation was saved again or deleted meanwhile"


def init_app(app) -> None:
    """Register the runner of precompute jobs (one video's jobs never run at once)."""
    jobs.register_runner(app, "precompute", precompute, lock=video_lock)


def queue_after_save(task: dict, config, annotation: dict) -> int | None:
    """Queue the precompute job of a saved annotation when its config tracks between keyframes
    and the task has a video; its id, or None (also when the queue cannot be reached: the save
    is already stored, and the shapes are computed when asked for)."""
    if not task.get("video_path") or not looks_at_video(config):
        return None
    try:
        return jobs.enqueue("precompute", task["id"], {"annotation": annotation["id"],
                                                      "version": annotation["version"]})
    except db.UNAVAILABLE:  # the save stands: its shapes are then computed when asked for
        current_app.logger.warning("annotation %s: its precompute job could not be queued", annotation["id"])
        return None


def precompute(task_id: int, progress, params: dict) -> dict:
    """Shape every frame of the annotation's regions whose interpolator needs the video, CHUNK
    frames at a time: between chunks it reports progress (so a cancel or a shutdown stops it) and
    stops when the annotation was saved again meanwhile (the new version's job does the work)."""
    with db.engine().connect() as conn:
        row = annotation_store.find(conn, params["annotation"])
        task = task_store.find(conn, task_id)
        project = project_store.find(conn, task["project_id"]) if task is not None else None
    if row is None or project is None or row["version"] != params["version"]:
        return {"regions": 0, "skipped": REPLACED}
    job = shapes_job(task, project_config(project), row["result"], (task["media"] or {}).get("frames"))
    with closing(job):
        looking = [r for r in keyframed_regions(job) if job.interpolator_for(r).needs_video]
        total, done = sum(r.value.framesCount for r in looking), 0
        for region in looking:
            for first in range(1, region.value.framesCount + 1, CHUNK):
                if _version(params["annotation"]) != params["version"]:
                    return {"regions": 0, "skipped": REPLACED}
                frames = np.arange(first, min(first + CHUNK, region.value.framesCount + 1))
                job.shapes(0, region, frames)
                done += len(frames)
                progress(done / total)
    return {"regions": len(looking)}


def _version(annotation_id: int) -> int | None:
    with db.engine().connect() as conn:
        row = annotation_store.find(conn, annotation_id, with_result=False)
    return row["version"] if row is not None else None
