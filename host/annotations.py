"""Annotations with optimistic concurrency, and the per-frame boxes the player draws."""

from __future__ import annotations

import re
from contextlib import closing

import msgspec
import numpy as np
from flask import Blueprint, Response, g, jsonify, request

from . import db, precompute
from .auth import require
from .errors import ApiError
from .plugins import registry
from .configs import project_config
from .store import annotations as annotation_store
from .store import projects as project_store
from .store import tasks as task_store
from .requests import int_arg, json_body
from .tracks_etag import tracks_etag
from .shapes import keyframed_regions, shapes_job
from .validate import check_result

bp = Blueprint("annotations", __name__)

KINDS = ("annotation", "prediction")
MAX_BOXES = 5_000_000  # per tracks request: frames asked for times regions


def _public(row: dict) -> dict:
    return {"id": row["id"], "task": row["task_id"], "kind": row["kind"], "result": row["result"],
            **row["extra"], "version": row["version"], "author": row["author_id"],
            "created_at": db.timestamp(row["created_at"]), "updated_at": db.timestamp(row["updated_at"])}


def _with_etag(row: dict, status: int = 200) -> Response:
    response = Response(msgspec.json.encode(_public(row)), status=status, mimetype="application/json")
    response.set_etag(str(row["version"]))
    return response


def _task_context(task_id: int):
    """The task, its project's config, and its frame count when the video was probed."""
    task, project = _task_and_project(task_id)
    return task, project_config(project), (task["media"] or {}).get("frames")


def _task_and_project(task_id: int) -> tuple[dict, dict]:
    task = task_store.get(db.connection(), task_id)
    return task, project_store.get(db.connection(), task["project_id"])


def _may_write(row: dict) -> None:
    if g.user["role"] != "admin" and (row["kind"] != "annotation" or row["author_id"] != g.user["id"]):
        raise ApiError(403, "forbidden", "annotators change only their own annotations")


@bp.get("/api/tasks/<int:task_id>/annotations")
@require()
def list_annotations(task_id: int):
    conn = db.connection()
    task_store.get(conn, task_id)
    return jsonify([_public(row) for row in annotation_store.of_task(conn, task_id)])


@bp.post("/api/tasks/<int:task_id>/annotations")
@require()
def create_annotation(task_id: int):
    task, config, frames = _task_context(task_id)
    body = json_body()
    kind = body.pop("kind", "annotation")
    if kind not in KINDS:
        raise ApiError(400, "invalid", f"kind must be one of {', '.join(KINDS)}", "$.kind")
    if kind == "prediction" and g.user["role"] != "admin":
        raise ApiError(403, "forbidden", "only admins store predictions")
    result, warnings = check_result(body.pop("result", None), task["data"], config, frames)
    extra = {k: v for k, v in body.items() if k not in ("id", "version", "task", "author")}
    with db.write() as conn:
        annotation_id = annotation_store.insert(conn, task_id, kind, result, extra, g.user["id"])
    row = annotation_store.get(db.connection(), annotation_id)
    precompute.queue_after_save(task, config, row)
    response = _with_etag(row, 201)
    response.headers["X-Warnings"] = str(len(warnings))
    return response


@bp.get("/api/annotations/<int:annotation_id>")
@require()
def get_annotation(annotation_id: int):
    return _with_etag(annotation_store.get(db.connection(), annotation_id))


@bp.put("/api/annotations/<int:annotation_id>")
@require()
def update_annotation(annotation_id: int):
    """Replace the result; the version read (If-Match, or "version" in the body) must be the
    stored one, else 409 and nothing changes."""
    row = annotation_store.get(db.connection(), annotation_id, with_result=False)
    _may_write(row)
    body = json_body()
    expected = _expected_version(body)
    task, config, frames = _task_context(row["task_id"])
    result, _ = check_result(body.pop("result", None), task["data"], config, frames)
    extra = {k: v for k, v in body.items() if k not in ("id", "version", "task", "author", "kind")}
    with db.write() as conn:
        stored = annotation_store.replace(conn, annotation_id, expected, result, extra or row["extra"])
    if stored is None:
        current = annotation_store.get(db.connection(), annotation_id, with_result=False)
        raise ApiError(409, "conflict", f"the annotation changed: version {current['version']} is "
                                        f"stored, this write was based on {expected}",
                       version=current["version"])
    precompute.queue_after_save(task, config, stored)
    return _with_etag({**stored, "result": result})


def _expected_version(body: dict) -> int:
    header = request.headers.get("If-Match")
    value = header.strip().strip('"').removeprefix("W/").strip('"') if header else body.get("version")
    if value is None:
        raise ApiError(428, "version_required", "send the version you edited (If-Match or \"version\")")
    text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not re.fullmatch(r"[0-9]{1,10}", text):
        raise ApiError(400, "invalid", f"version {value!r} is not a version this host gives", "$.version")
    version = int(text)
    if not 1 <= version < 2**31:
        raise ApiError(400, "invalid", f"version {version} is not a version this host gives", "$.version")
    return version


@bp.delete("/api/annotations/<int:annotation_id>")
@require()
def delete_annotation(annotation_id: int):
    row = annotation_store.get(db.connection(), annotation_id, with_result=False)
    _may_write(row)
    with db.write() as conn:
        annotation_store.delete(conn, annotation_id)
    return "", 204


@bp.get("/api/annotations/<int:annotation_id>/tracks")
@require()
def saved_tracks(annotation_id: int):
    """Per-frame shapes of a saved annotation, from the interpolator plugins. The ETag names the
    version, task, config, plugins and query: an If-None-Match that still holds is a 304 from one
    small read (no result loaded, nothing interpolated). ?version= asks for that version (409
    when another is stored)."""
    query = _tracks_query()
    basis = annotation_store.tracks_basis(db.connection(), annotation_id)
    _check_version(basis["version"])
    etag = tracks_etag(annotation_id, basis, query)
    if request.if_none_match.contains_weak(etag):
        return _cacheable(Response(status=304), etag)
    row = annotation_store.get(db.connection(), annotation_id)
    _check_version(row["version"])
    task, project = _task_and_project(row["task_id"])
    used = {**task, "version": row["version"], "label_config": project["label_config"]}  # the basis as read now
    response = _tracks(row["result"], task, project_config(project), (task["media"] or {}).get("frames"), query)
    return _cacheable(response, tracks_etag(annotation_id, used, query))


def _check_version(stored: int) -> None:
    wanted = int_arg("version", maximum=2**31 - 1)
    if wanted is not None and wanted != stored:
        raise ApiError(409, "conflict", f"version {stored} is stored, not {wanted}", "version", version=stored)


def _cacheable(response: Response, etag: str) -> Response:
    """Kept by the browser for this user only, and revalidated each time it is used."""
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.post("/api/tasks/<int:task_id>/tracks")
@require()
def draft_tracks(task_id: int):
    """The same for a result sent in the body (unsaved edits: only the regions asked about)."""
    task, config, frames = _task_context(task_id)
    return _tracks(json_body().get("result"), task, config, frames, _tracks_query())


def _tracks_query() -> dict:
    """?from= and ?to= (1-based, inclusive), the regions asked for (?region=, repeated; none
    means all) and ?hidden=1."""
    return {"from": int_arg("from", 1), "to": int_arg("to"), "hidden": request.args.get("hidden") == "1",
            "regions": sorted(set(request.args.getlist("region")))}


def _tracks(result, task: dict, config, frames_count: int | None, query: dict) -> Response:
    """{"regions": [{"id", "type", "label", "frame": [...], "keyframe": [...], ...}]}: the
    visible shapes of each keyframed region (of those asked for) in the query's frames, one
    list per field of its tag's Shapes (x, y, width, height, rotation for boxes); with hidden,
    every frame, and a "visible" list."""
    if not isinstance(result, list):
        raise ApiError(400, "invalid", "result must be a list of regions", "$.result")
    first, last, wanted, hidden = query["from"], query["to"], set(query["regions"]), query["hidden"]
    job = shapes_job(task, config, result, frames_count)
    reg = registry()
    shaped = [r for r in keyframed_regions(job) if not (wanted and r.id not in wanted)]
    spans = [min(r.value.framesCount, last or r.value.framesCount) - max(first, 1) + 1 for r in shaped]
    if sum(max(span, 0) for span in spans) > MAX_BOXES:
        raise ApiError(413, "too_large", f"more than {MAX_BOXES} boxes asked for: ask for fewer "
                                         f"frames (?from=&to=) or regions (?region=)")
    regions = []
    with closing(job):  # an image-guided interpolator opens the video
        for region in shaped:
            stop = min(region.value.framesCount, last or region.value.framesCount)
            shapes = job.shapes(0, region, np.arange(max(first, 1), stop + 1))
            columns = shapes.columns() if hidden else shapes.only_visible().columns()
            if not hidden:
                del columns["visible"]
            labels = reg.region_tag(region.type).labels(region.value)
            regions.append({"id": region.id, "type": region.type,
                            "label": labels[0] if labels else None, **columns})
    return Response(msgspec.json.encode({"regions": regions}), mimetype="application/json")
