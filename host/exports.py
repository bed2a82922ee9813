"""A project exported in any exporter's format, as a download (folders come zipped)."""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
import uuid
from contextlib import closing
from pathlib import Path
from typing import NamedTuple

from flask import Blueprint, current_app, g, jsonify, request, send_file

from tracklabel.core.errors import PluginError
from tracklabel.core.export import ExportJob, ExportOptions
from tracklabel.core.files import new_folder

from . import MAX_ID, db, jobs
from .auth import require
from .errors import ApiError
from .plugins import registry
from .configs import project_config
from .store import annotations as annotation_store
from .store import projects as project_store
from .store import tasks as task_store
from .requests import json_body
from .shapes import keyframed_types, with_media
from .validate import check_tasks

bp = Blueprint("exports", __name__)


def project_tasks(project_id: int, task_ids: list[int] | None = None) -> list[dict]:
    """The project's tasks (those of `task_ids`, when given) as Label Studio JSON; regions get
    the probed frame size and count."""
    conn = db.connection()
    tasks = task_store.of_project(conn, project_id, task_ids)
    rows = annotation_store.of_project(conn, project_id, task_ids)
    by_task: dict[int, dict] = {t["id"]: _as_imported(t) for t in tasks}
    media = {t["id"]: t["media"] or {} for t in tasks}
    keyframed = keyframed_types()
    for row in rows:
        result = [with_media(item, media[row["task_id"]], keyframed) for item in row["result"]]
        annotation = {"id": row["id"], "result": result, **row["extra"]}
        entries = by_task[row["task_id"]][row["kind"] + "s"]
        slot = next((i for i, e in enumerate(entries) if isinstance(e, _Slot) and e.row == row["id"]), None)
        if slot is None:
            entries.append(annotation)
        else:  # in its place, its keys in the order they were imported in
            entries[slot] = {**{k: annotation[k] for k in entries[slot].keys if k in annotation}, **annotation}
    for task in by_task.values():
        for key in ("annotations", "predictions"):
            task[key] = [e for e in task[key] if not isinstance(e, _Slot)]  # deleted since
    return list(by_task.values())


class _Slot(NamedTuple):
    """Where an imported annotation goes in its task, and the order of its keys."""

    row: int
    keys: list


def _as_imported(task: dict) -> dict:
    """A task's keys in the order it was imported with (tasks stored before that was kept:
    id and data first), ids-only annotation lists as they were, slots for the stored ones."""
    layout = task["extra"]
    base = {} if "data" in layout else {"id": None, "data": None}
    out = {**base, **layout, "id": task["id"], "data": task["data"]}
    for key in ("annotations", "predictions"):
        out[key] = [_Slot(e["row"], e["keys"]) if isinstance(e, dict) else e for e in out.get(key) or []]
    return out


NUMBER_OPTIONS = ("width", "height", "fps")
COMMON_OPTIONS = (*NUMBER_OPTIONS, "clip")  # the kernel's ExportOptions a request may set


def read_options(values, exporter) -> dict:
    """Export options from a query string or a JSON body: width, height, fps, clip and the
    exporter's own options by their names (400 naming the one that is not of its type, out
    of the kernel's range, or an option of another format)."""
    options = {}
    for name in NUMBER_OPTIONS:
        value = values.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ApiError(400, "invalid", f"{name}={value!r} is not a number", name)
        try:
            options[name] = float(value)
        except ValueError:
            raise ApiError(400, "invalid", f"{name}={value!r} is not a number", name) from None
    options["clip"] = str(values.get("clip", "")).lower() == "true"
    ExportOptions(**options)  # checked now, not when a background job runs (an InputError: 400)
    own = {option.name for option in exporter.options}
    for name in sorted(_other_options(exporter) - own):
        if name in values:
            owners = ", ".join(repr(e.name) for e in registry().exporters.values()
                               if any(o.name == name for o in e.options))
            raise ApiError(400, "invalid", f"{name} is an option of format {owners}, not of "
                                           f"{exporter.name!r}", name)
    options.update(exporter.option_values({name: values[name] for name in own if name in values}))
    return options


def _other_options(exporter) -> set[str]:
    """The names of the options other exporters declare."""
    return {o.name for e in registry().exporters.values() if e is not exporter for o in e.options}


def exporter_row(exporter) -> dict:
    """An exporter as GET /api/exporters lists it."""
    return {"name": exporter.name, "description": exporter.description, "suffix": exporter.suffix,
            "media_type": exporter.media_type, "single_file": exporter.single_file,
            "options": [option.describe() for option in exporter.options]}


def _exporter(name):
    if not isinstance(name, str):
        raise ApiError(400, "invalid", "format must be the name of an exporter", "format")
    try:
        return registry().exporter(name)
    except PluginError as exc:
        raise ApiError(400, "invalid", str(exc), "format") from None


def write_export(project_id: int, name: str, options: dict, folder: Path, progress=None,
                 task_ids: list[int] | None = None) -> tuple[Path, list[dict]]:
    """The project (or its tasks of `task_ids`) exported into `folder`: (the file, or a zip of
    the exporter's folder; the exporter's warnings, as `export_warnings` gives them)."""
    exporter = _exporter(name)
    config = project_config(project_store.get(db.connection(), project_id))
    loaded = check_tasks(project_tasks(project_id, task_ids), config)
    own = {option.name for option in exporter.options}
    common = {k: v for k, v in options.items() if k in COMMON_OPTIONS and k not in own}
    videos = {t["id"]: Path(t["video_path"]) for t in task_store.of_project(db.connection(), project_id, task_ids)
              if t["video_path"] and Path(t["video_path"]).is_file()}
    job = ExportJob(loaded, registry(), config, options=ExportOptions(**common, videos=videos), format=exporter.name,
                    format_options=exporter.option_values({k: v for k, v in options.items() if k in own}))
    total, done = max(job.track_count(), 1), [0]
    if progress is not None:
        def advance(n: int) -> None:
            done[0] += n
            progress(done[0] / total)
        job.progress = advance
    stem = f"project-{project_id}-{name}"
    with closing(job):  # an interpolator that needs the videos opens them
        if exporter.single_file:
            path = folder / (stem + exporter.suffix)
            with open(path, "wb") as out:
                exporter.export(job, out)
            return path, export_warnings(job)
        (folder / stem).mkdir()
        exporter.export(job, folder / stem)
    archive = Path(shutil.make_archive(str(folder / stem), "zip", folder / stem))
    shutil.rmtree(folder / stem)
    return (archive.rename(folder / (stem + exporter.suffix)) if exporter.suffix else archive,
            export_warnings(job))


def export_warnings(job: ExportJob) -> list[dict]:
    """The export's warnings (e.g. regions left out): each its message, its JSON path in the
    exported tasks (`$[2].annotations[0].result[1]`) and, when that names a task, the task's id."""
    out = []
    for warning in job.warnings:
        path = warning.where.removeprefix(f"{job.tasks.source}: ")
        index = re.match(r"\$\[(\d+)\]", path)
        task = {"task": job.tasks.tasks[int(index[1])].id} if index else {}
        out.append({"path": path, "message": warning.message, **task})
    return out


@bp.get("/api/projects/<int:project_id>/export")
@require("admin")
def export_project(project_id: int):
    """The export as a download, made while the request waits (see /exports for a job)."""
    name = request.args.get("format", "ls-json")
    exporter = _exporter(name)
    with tempfile.TemporaryDirectory() as tmp:
        path, _ = write_export(project_id, name, read_options(request.args, exporter), Path(tmp))
        data = io.BytesIO(path.read_bytes())
    return send_file(data, as_attachment=True, download_name=path.name, mimetype=exporter.media_type)


@bp.get("/api/exporters")
@require()
def exporters():
    """The registered export formats with their download's suffix and media type and their
    own options (what the export routes accept besides width, height, fps and clip)."""
    return jsonify([exporter_row(exporter) for _, exporter in sorted(registry().exporters.items())])


@bp.post("/api/projects/<int:project_id>/exports")
@require("admin")
def start_export(project_id: int):
    """The export as a background job with progress; GET /api/jobs/{id}/download when done."""
    project_store.get(db.connection(), project_id)
    body = json_body()
    name = body.get("format", "ls-json")
    exporter = _exporter(name)
    params = {"project": project_id, "format": name, "options": read_options(body, exporter)}
    if "tasks" in body:
        params["tasks"] = _task_ids(body["tasks"], project_id)
    job_id = jobs.enqueue("export", None, params)
    response = jsonify(jobs.public(jobs.job_row(job_id)))
    response.status_code = 202
    response.headers["Location"] = f"/api/jobs/{job_id}"
    return response


def init_app(app) -> None:
    """Register the runner of export jobs, and the removal of old exports as housekeeping."""
    jobs.register_runner(app, "export", export_job)
    jobs.register_housekeeping(app, remove_old_exports)


def export_job(_task_id, progress, params: dict) -> dict:
    """Remove the exports past their age, then write this one into a folder of its own, which
    appears whole: written under a hidden name of this attempt's (what other attempts of this
    job left is removed first: killed ones, or one whose worker was declared dead, which then
    fails) and renamed when complete. Its time, by the app's clock, is the folder's modification
    time. The result: its file, size and warnings."""
    now = current_app.config["CLOCK"]()
    remove_old_exports()
    exports = _exports()
    exports.mkdir(parents=True, exist_ok=True)
    for left in exports.glob(f".job-{g.job_id}.*"):
        shutil.rmtree(left, ignore_errors=True)
    partial = new_folder(exports, f".job-{g.job_id}.")
    try:
        path, warnings = write_export(params["project"], params["format"], params["options"], partial, progress,
                                      params.get("tasks"))
        folder = exports / uuid.uuid4().hex
        os.utime(partial, (now, now))
        os.rename(partial, folder)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    file = folder / path.name
    return {"file": str(file.relative_to(exports)), "bytes": file.stat().st_size, "warnings": warnings}


def remove_old_exports() -> None:
    """Remove the export folders older than EXPORT_MAX_AGE_SECONDS by the app's clock (and the
    hidden ones killed exports left, as old)."""
    exports, now = _exports(), current_app.config["CLOCK"]()
    for old in exports.iterdir() if exports.is_dir() else ():
        if _expired(old, now):
            shutil.rmtree(old, ignore_errors=True)


def _exports() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "exports"


def _expired(folder: Path, now: float) -> bool:
    """Whether an export's folder is older than EXPORT_MAX_AGE_SECONDS at `now`."""
    try:
        return folder.stat().st_mtime < now - current_app.config["EXPORT_MAX_AGE_SECONDS"]
    except FileNotFoundError:  # removed meanwhile
        return False


MAX_TASKS = 10_000  # task ids one export request may list


def _task_ids(value, project_id: int) -> list[int]:
    """The export's task ids: a non-empty list of the project's tasks (400 naming the entry
    that is not an id or not the project's)."""
    if not isinstance(value, list) or not 0 < len(value) <= MAX_TASKS:
        raise ApiError(400, "invalid", f"tasks must be a list of task ids (1 to {MAX_TASKS})", "$.tasks")
    for index, task in enumerate(value):
        if isinstance(task, bool) or not isinstance(task, int) or not 1 <= task <= MAX_ID:
            raise ApiError(400, "invalid", f"{task!r} is not a task id", f"$.tasks[{index}]")
    ids = sorted(set(value))
    found = {t["id"] for t in task_store.of_project(db.connection(), project_id, ids)}
    for index, task in enumerate(value):
        if task not in found:
            raise ApiError(400, "invalid", f"task {task} is not in project {project_id}", f"$.tasks[{index}]")
    return ids


@bp.get("/api/jobs/<int:job_id>/download")
@require()
def download(job_id: int):
    """The file a finished export job made (for whoever started the export, or an admin)."""
    job = jobs.job_row(job_id)
    if job["kind"] != "export" or job["state"] != "done":
        raise ApiError(409, "not_ready", f"job {job_id} is not a finished export ({job['state']})")
    path = _exports() / job["result"]["file"]
    remove_old_exports()  # this one's too, if it is past its age
    if not path.is_file():
        age = current_app.config["EXPORT_MAX_AGE_SECONDS"]
        raise ApiError(410, "gone", f"the file of export job {job_id} was removed: exports are kept "
                                    f"{age:g} seconds; export again")
    exporter = registry().exporters.get((job["params"] or {}).get("format"))
    return send_file(path, as_attachment=True, download_name=path.name,
                     mimetype=exporter.media_type if exporter is not None else None)
