"""The ETag of a saved annotation's tracks: a digest of everything the answer depends on (the
annotation's version, its task, its project's config, the loaded plugins and the query), so a
client revalidating learns it is unchanged from one small read and no interpolation."""

from __future__ import annotations

import hashlib
import importlib.metadata

import msgspec
from flask import current_app

from .plugins import registry

BASIS = ("version", "data", "video_path", "label_config")  # read by tracks_basis, with media


def tracks_etag(annotation_id: int, basis: dict, query: dict) -> str:
    """The strong ETag (without quotes) of the tracks of this annotation and query. Of the
    video's probed facts only the frame count matters (other jobs add facts to them)."""
    frames = (basis["media"] or {}).get("frames")
    parts = [annotation_id, [basis[key] for key in BASIS], frames, query, _plugins_digest()]
    return hashlib.sha256(msgspec.json.encode(parts, order="sorted")).hexdigest()[:32]


def _plugins_digest() -> str:
    """Which plugin gave each registered name, and the versions of tracklabel and of the
    installed plugins' distributions (an upgrade can change the shapes): computed once per registry."""
    reg = registry()
    cached = current_app.extensions.get("tracklabel.tracks_plugins")
    if cached is None or cached[0] is not reg:
        versions = {name: dist.version for name, dist in reg.pm.distributions.items()}
        parts = [sorted(f"{kind}:{name}:{owner}" for (kind, name), owner in reg.owners.items()),
                 importlib.metadata.version("tracklabel"), versions]
        cached = (reg, hashlib.sha256(msgspec.json.encode(parts, order="sorted")).hexdigest())
        current_app.extensions["tracklabel.tracks_plugins"] = cached
    return cached[1]
