"""Automatic tracking on the host: a track request is checked at once (400 naming the problem)
and runs as a background job whose result is the region's new keyframes, for the player to
apply as an edit. The annotation itself is never written here."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, jsonify

from tracklabel.core.autotrack import find_region, plan, track_region
from tracklabel.core.errors import InputError, PluginError
from tracklabel.core.keyframes import TOLERANCE
from tracklabel.core.schema import MAX_FRAME
from tracklabel.core.tasks import region_fps

from . import db, jobs
from .auth import require
from .errors import ApiError
from .plugins import registry
from .configs import project_config
from .store import jobs as job_store
from .store import projects as project_store
from .store import tasks as task_store
from .requests import json_body
from .validate import check_tasks
from .videos import open_file

bp = Blueprint("tracking", __name__)
DIRECTIONS = ("forward", "backward")


def _request(body: dict) -> dict:
    """The job's parameters from a request body, types checked."""
    def field(name, kinds, default=...):
        value = body.get(name, default)
        if value is ... or (value is not default and (not isinstance(value, kinds) or isinstance(value, bool))):
            raise ApiError(400, "invalid", f"{name} must be {' or '.join(k.__name__ for k in kinds)}", f"$.{name}")
        return value

    if not isinstance(body.get("result"), list):
        raise ApiError(400, "invalid", "result must be a list of regions", "$.result")
    direction = body.get("direction", "forward")
    if direction not in DIRECTIONS:
        raise ApiError(400, "invalid", f"direction must be one of {', '.join(DIRECTIONS)}", "$.direction")
    tolerance = field("tolerance", (int, float), TOLERANCE)
    if not 0 < tolerance <= 1:
        raise ApiError(400, "invalid", "tolerance must be in (0, 1]", "$.tolerance")
    start, stop = field("from", (int,)), field("to", (int,), None)
    for name, frame in (("from", start), ("to", stop)):
        if frame is not None and not 1 <= frame <= MAX_FRAME:
            raise ApiError(400, "invalid", f"{name} must be a frame number from 1 to {MAX_FRAME}", f"$.{name}")
    return {"result": body["result"], "region": str(field("region", (str, int))),
            "tracker": field("tracker", (str,), "kcf"), "from": start, "to": stop,
            "backward": direction == "backward", "tolerance": tolerance}


def _region(task: dict, params: dict, config):
    """The task as loaded and the region to track (400 when the result or the id is wrong)."""
    loaded = check_tasks({"data": task["data"], "annotations": [{"result": params["result"]}]}, config,
                         task["media"]["frames"])
    _, loaded_task, region = find_region(loaded, params["region"], registry())
    return loaded_task, region


@bp.get("/api/trackers")
@require()
def trackers():
    """The registered trackers (the player offers them)."""
    return jsonify([{"name": name, "description": tracker.description}
                    for name, tracker in sorted(registry().trackers.items())])


@bp.post("/api/tasks/<int:task_id>/track")
@require()
def track(task_id: int):
    """Queue tracking a region of the result sent (the player's current edits): 202 with the job."""
    task = task_store.get(db.connection(), task_id)
    params = _request(json_body())
    media = task["media"]
    if not task["video_path"] or not Path(task["video_path"]).is_file():
        raise ApiError(400, "no_video", f"task {task_id} has no video file to track in")
    if media is None:
        job = job_store.latest(db.connection(), task_id, "index")
        detail = f" (index job {job['state']}{': ' + job['message'] if job['message'] else ''})" if job else ""
        raise ApiError(400, "not_decodable", f"task {task_id}'s video is not indexed, so it cannot be decoded{detail}")
    try:
        registry().tracker(params["tracker"])
    except PluginError as exc:
        raise ApiError(400, "invalid", str(exc), "$.tracker") from None
    _, region = _region(task, params, project_config(project_store.get(db.connection(), task["project_id"])))
    plan(region, registry().region_tag(region.type), params["from"], registry().interpolator("linear"), media["frames"], media["width"],
         media["height"], params["backward"], params["to"], where="$.region")
    job_id = jobs.enqueue("track", task_id, params)
    return jsonify(jobs.public(job_store.get(db.connection(), job_id))), 202, {"Location": f"/api/jobs/{job_id}"}


def init_app(app) -> None:
    """Register the runner of track jobs."""
    jobs.register_runner(app, "track", track_job)


def track_job(task_id: int, progress, params: dict) -> dict:
    """Track as asked; the result is {"region", "sequence", "tracked", "lost_at", "span"}."""
    with db.engine().connect() as conn:
        task = task_store.find(conn, task_id)
        project = project_store.find(conn, task["project_id"]) if task else None
    if task is None or project is None:
        raise InputError(f"task {task_id} was deleted")
    if not task["media"]:
        raise InputError(f"task {task_id}'s video is not indexed")
    config = project_config(project)
    loaded_task, region = _region(task, params, config)
    reg = registry()
    with open_file(task["video_path"]) as video:
        tracked = track_region(video, region, reg.region_tag(region.type), params["from"], reg.tracker(params["tracker"])(),
                               reg.interpolator("linear"), params["backward"], params["to"],
                               params["tolerance"], region_fps(region, loaded_task, config) or video.fps,
                               progress, where="$.region")
    return {"region": region.id, "sequence": tracked.sequence, "tracked": tracked.tracked,
            "lost_at": tracked.lost_at, "span": list(tracked.span)}
