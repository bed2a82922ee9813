"""The player's pages, the interface a project's config describes, and the tags' modules."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, send_file

from . import db
from .auth import require
from .config_api import interface_tree
from .errors import ApiError
from .plugins import registry
from .configs import project_config
from .store import projects as project_store

bp = Blueprint("player", __name__)


@bp.get("/tasks/<int:task_id>")
def page(task_id: int):
    """The player (it signs in, then opens the task)."""
    return current_app.send_static_file("player/index.html")


@bp.get("/api/projects/<int:project_id>/interface")
@require()
def interface(project_id: int):
    """The config as the player builds it: a tree of tags, each with its module's URL."""
    config = project_config(project_store.get(db.connection(), project_id))
    return jsonify({"root": interface_tree(config.root)})


@bp.get("/api/tags/<name>.js")
def tag_module(name: str):
    """A tag's ES module, from the plugin that registered the tag."""
    tag = registry().tag(name)
    if tag is None or tag.module is None or not tag.module.is_file():
        raise ApiError(404, "not_found", f"no player module for tag {name!r}")
    return send_file(tag.module, mimetype="text/javascript", max_age=0)
