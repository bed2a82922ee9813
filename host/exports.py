"""A project exported in any exporter's format, as a download (folders come zipped)."""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, request, send_file

from tracklabel.core.errors import PluginError
from tracklabel.core.export import ExportJob, ExportOptions

from . import db
from .auth import require
from .errors import ApiError
from .plugins import registry
from .projects import project_config, project_row
from .validate import check_tasks

bp = Blueprint("exports", __name__)

SUFFIXES = {"ls-json": ".json", "ls-frames": ".json", "jsonl": ".jsonl", "cvat-video": ".xml"}


def project_tasks(project_id: int) -> list[dict]:
    """The project's tasks as Label Studio JSON; regions get the probed frame size and count."""
    conn = db.connection()
    tasks = conn.execute(sa.select(db.tasks).where(db.tasks.c.project_id == project_id)
                         .order_by(db.tasks.c.id)).mappings().all()
    rows = conn.execute(sa.select(db.annotations).join(db.tasks).where(db.tasks.c.project_id == project_id)
                        .order_by(db.annotations.c.id)).mappings().all()
    by_task: dict[int, dict] = {t["id"]: {"id": t["id"], "data": t["data"], **t["extra"],
                                          "annotations": [], "predictions": []} for t in tasks}
    media = {t["id"]: t["media"] or {} for t in tasks}
    for row in rows:
        result = [_with_media(item, media[row["task_id"]]) for item in row["result"]]
        by_task[row["task_id"]][row["kind"] + "s"].append({"id": row["id"], "result": result, **row["extra"]})
    return list(by_task.values())


def _with_media(item, media: dict):
    if not (isinstance(item, dict) and isinstance(item.get("value"), dict)
            and str(item.get("type", "")).lower() == "videorectangle"):
        return item
    item = {**item, "value": dict(item["value"])}
    if media.get("width") and media.get("height"):
        item.setdefault("original_width", media["width"])
        item.setdefault("original_height", media["height"])
    if media.get("frames"):
        item["value"].setdefault("framesCount", media["frames"])
    return item


def _float_arg(name: str) -> float | None:
    value = request.args.get(name)
    try:
        return None if value is None else float(value)
    except ValueError:
        raise ApiError(400, "invalid", f"query parameter {name}={value!r} is not a number") from None


@bp.get("/api/projects/<int:project_id>/export")
@require("admin")
def export_project(project_id: int):
    name = request.args.get("format", "ls-json")
    try:
        exporter = registry().exporter(name)
    except PluginError as exc:
        raise ApiError(400, "invalid", str(exc), "format") from None
    config = project_config(project_row(project_id))
    loaded = check_tasks(project_tasks(project_id), config)
    options = ExportOptions(width=_float_arg("width"), height=_float_arg("height"),
                            fps=_float_arg("fps"), origin=int(request.args.get("origin", "1") == "1"),
                            clip=request.args.get("clip") == "true",
                            every_frame=request.args.get("every_frame") == "true")
    job = ExportJob(loaded, registry(), config, options=options)
    stem = f"project-{project_id}-{name}"
    with tempfile.TemporaryDirectory() as tmp:
        if exporter.single_file:
            buffer = io.BytesIO()
            exporter.export(job, buffer)
            buffer.seek(0)
            return send_file(buffer, as_attachment=True, download_name=stem + SUFFIXES.get(name, ".txt"))
        folder = Path(tmp) / stem
        folder.mkdir()
        exporter.export(job, folder)
        archive = Path(shutil.make_archive(str(folder), "zip", folder))
        data = io.BytesIO(archive.read_bytes())
    return send_file(data, as_attachment=True, download_name=stem + ".zip", mimetype="application/zip")
