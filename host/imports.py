"""Video files that become tasks: uploads, and paths confined to the media roots."""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from flask import current_app, request
from werkzeug.utils import secure_filename

from tracklabel.core.decoding import check_file
from tracklabel.core.errors import InputError

from .errors import ApiError
from .videos import DECODER
from .plugins import registry

LOCAL_FILES = "/data/local-files/"  # Label Studio's local storage URLs: /data/local-files/?d=<relative path>


def in_media_roots(name: str) -> Path:
    """The file `name` names (absolute, or relative to a media root) with symlinks and `..`
    resolved: 403 when it lies outside every media root, 400 when no file is there."""
    roots = current_app.config["MEDIA_ROOTS"]
    try:
        given = Path(name)
        candidates = [given] if given.is_absolute() else [root / given for root in roots]
        outside = False
        for candidate in candidates:
            real = candidate.resolve()
            if not any(real.is_relative_to(root) for root in roots):
                outside = True
            elif real.is_file():
                return real
    except (OSError, ValueError) as exc:
        raise ApiError(400, "invalid_path", f"{name!r}: {exc}", "$.path") from None
    if outside:
        raise ApiError(403, "outside_media_roots", f"{name!r} is outside the media roots", "$.path")
    raise ApiError(400, "no_such_file", f"{name!r}: no such file in the media roots", "$.path")


def task_video(value) -> Path | None:
    """The local file a task's video field names, when it lies in a media root (a plain or
    root-relative path, or a Label Studio local-files URL); None otherwise (e.g. a URL)."""
    if not isinstance(value, str) or not value or "://" in value:
        return None
    if value.startswith(LOCAL_FILES):
        value = parse_qs(urlsplit(value).query).get("d", [""])[0]
    try:
        return in_media_roots(value)
    except ApiError:
        return None


def check_video(path: Path, name: str) -> None:
    """400 naming `name` and the reason unless the decoder can read a video stream from `path`."""
    try:
        check_file(str(path))
        registry().decoder(DECODER).probe(str(path))
    except InputError as exc:
        raise ApiError(400, "not_a_video", f"{name}: {exc.problems[0].message}") from None


def save_uploads() -> list[Path]:
    """Save the request's files (multipart field `file`) into the uploads folder under unique
    names, each checked to be a video; on any error none is kept."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "too_large", f"the upload is over {limit} bytes")
    files = request.files.getlist("file")
    if not files:
        raise ApiError(400, "invalid", "send the video as the multipart/form-data field `file`")
    uploads = Path(current_app.config["DATA_DIR"]) / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    try:
        for upload in files:
            name = upload.filename or "video"
            saved.append(uploads / f"{secrets.token_hex(8)}-{secure_filename(name) or 'video'}")
            upload.save(saved[-1])
            check_video(saved[-1], name)
    except BaseException:
        for path in saved:
            path.unlink(missing_ok=True)
        raise
    return saved
