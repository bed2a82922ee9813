"""Projects' labeling configs as parsed objects (parsed once per config text) and what the host
reads from them."""

from __future__ import annotations

from flask import current_app

from tracklabel.core.config import parse_config

from .plugins import registry

CACHED = 64  # parsed configs kept per app


def project_config(project: dict):
    """The project's parsed config; parsed once per config text (every save asks for it)."""
    cache = current_app.extensions.setdefault("tracklabel.configs", {})
    text = project["label_config"]
    if text not in cache:
        if len(cache) >= CACHED:
            cache.clear()
        cache[text] = parse_config(text, registry(), source="label_config")
    return cache[text]


def video_tag(config):
    """The config's first <Video> tag (the task's video field is its `value`), or None."""
    return next((node for node in config.objects() if node.tag.name == "Video"), None)
