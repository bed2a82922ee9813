"""Labeling configs as the editor checks them: problems by line, the interface a config builds,
and the templates to start from."""

from __future__ import annotations

import re

from flask import Blueprint, jsonify

from tracklabel.core.config import parse_config
from tracklabel.core.errors import ConfigError

from .auth import require
from .config_templates import TEMPLATES
from .errors import ApiError
from .plugins import registry
from .requests import json_body

bp = Blueprint("config_api", __name__)
_LINE = re.compile(r":(\d+)$")


def interface_tree(node) -> dict:
    """A config node as the player builds it: tag, name, attrs, text, to_names, its module's URL
    and its children."""
    return {"tag": node.tag.name, "name": node.name, "attrs": node.attrs, "text": node.text,
            "to_names": node.to_names,
            "module": f"/api/tags/{node.tag.name.lower()}.js" if node.tag.module else None,
            "children": [interface_tree(child) for child in node.children]}


@bp.post("/api/config/check")
@require()
def check():
    """The posted config's problems, each with its line (what `tracklabel config check` says),
    and when it has none, the interface it builds."""
    body = json_body()
    if not isinstance(body.get("label_config"), str):
        raise ApiError(400, "invalid", "label_config must be the config's XML text", "$.label_config")
    try:
        config = parse_config(body["label_config"], registry(), source="label_config")
    except ConfigError as error:
        problems = [{"line": _line(p.where), "message": p.message} for p in error.problems]
        return jsonify({"ok": False, "problems": problems})
    return jsonify({"ok": True, "problems": [], "root": interface_tree(config.root)})


def _line(where: str) -> int | None:
    match = _LINE.search(where)
    return int(match.group(1)) if match else None


@bp.get("/api/config/templates")
@require()
def templates():
    """The configs a project can start from: [{name, title, config}]."""
    return jsonify(list(TEMPLATES))


def dropped(old, new) -> tuple[set[str], set[str]]:
    """The control names and label values `old` (a parsed config) has and `new` has not."""
    def names(config):
        controls = {n.name for n in config.controls()}
        labels = {n.attrs.get("value") for n in config.nodes if n.tag.kind == "option"}
        return controls, labels
    (old_controls, old_labels), (new_controls, new_labels) = names(old), names(new)
    return old_controls - new_controls, old_labels - new_labels
