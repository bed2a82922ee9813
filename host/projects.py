"""Projects: a title, a description and a Label Studio labeling config, checked on every save."""

from __future__ import annotations

from flask import Blueprint, jsonify

from tracklabel.core.config import parse_config

from . import db
from .auth import require
from .config_api import dropped
from .configs import project_config
from .errors import ApiError
from .plugins import registry
from .requests import json_body
from .store import project_stats
from .store import projects as project_store

bp = Blueprint("projects", __name__)
TITLE_LIMIT = 500
DESCRIPTION_LIMIT = 10_000


def _public(row: dict) -> dict:
    return {"id": row["id"], "title": row["title"], "description": row["description"],
            "label_config": row["label_config"],
            "created_at": db.timestamp(row["created_at"]), "updated_at": db.timestamp(row["updated_at"])}


def _checked(body: dict, partial: bool) -> dict:
    values = {}
    if "title" in body or not partial:
        if not isinstance(body.get("title"), str) or not body["title"].strip():
            raise ApiError(400, "invalid", "title must be a non-empty string", "$.title")
        if len(body["title"]) > TITLE_LIMIT:
            raise ApiError(400, "invalid", f"title is over {TITLE_LIMIT} characters", "$.title")
        values["title"] = body["title"].strip()
    if "description" in body:
        if not isinstance(body["description"], str):
            raise ApiError(400, "invalid", "description must be a string", "$.description")
        if len(body["description"]) > DESCRIPTION_LIMIT:
            raise ApiError(400, "invalid", f"description is over {DESCRIPTION_LIMIT} characters", "$.description")
        values["description"] = body["description"]
    if "label_config" in body or not partial:
        if not isinstance(body.get("label_config"), str):
            raise ApiError(400, "invalid", "label_config must be the config's XML text", "$.label_config")
        parse_config(body["label_config"], registry(), source="label_config")  # 400 when invalid
        values["label_config"] = body["label_config"]
    return values


@bp.get("/api/projects")
@require()
def list_projects():
    conn = db.connection()
    counts = project_stats.stats(conn)
    return jsonify([{**_public(row), **counts[row["id"]]} for row in project_store.all_rows(conn)])


@bp.post("/api/projects")
@require("admin")
def create_project():
    values = _checked(json_body(), partial=False)
    with db.write() as conn:
        project_id = project_store.create(conn, **values)
    return jsonify(_public(project_store.get(db.connection(), project_id))), 201


@bp.get("/api/projects/<int:project_id>")
@require()
def get_project(project_id: int):
    return jsonify(_public(project_store.get(db.connection(), project_id)))


@bp.patch("/api/projects/<int:project_id>")
@require("admin")
def update_project(project_id: int):
    project = project_store.get(db.connection(), project_id)
    body = json_body()
    values = _checked(body, partial=True)
    if "confirm" in body and not isinstance(body["confirm"], bool):
        raise ApiError(400, "invalid", "confirm must be true or false", "$.confirm")
    if "label_config" in values and body.get("confirm") is not True:
        _refuse_dropping_used(project, values["label_config"])
    with db.write() as conn:
        project_store.update(conn, project_id, **values)
    return jsonify(_public(project_store.get(db.connection(), project_id)))


def _refuse_dropping_used(project: dict, new_text: str) -> None:
    """409 when the new config drops a control or a label that annotations use (the answer says
    what and how many annotations); the client sends `"confirm": true` to save anyway."""
    controls, labels = dropped(project_config(project), project_config({"label_config": new_text}))
    count = project_stats.annotations_using(db.connection(), project["id"], controls, labels)
    if count:
        what = ", ".join([f"control {c!r}" for c in sorted(controls)] + [f"label {v!r}" for v in sorted(labels)])
        raise ApiError(409, "confirm", f"the new config drops {what}, used by {count} annotation"
                       f"{'s' if count != 1 else ''}; send confirm: true to save anyway", "$.label_config",
                       annotations=count, controls=sorted(controls), labels=sorted(labels))


@bp.delete("/api/projects/<int:project_id>")
@require("admin")
def delete_project(project_id: int):
    project_store.get(db.connection(), project_id)
    with db.write() as conn:
        project_store.delete(conn, project_id)
    return "", 204
