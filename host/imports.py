"""Video files that become tasks: uploads, and paths confined to the media roots."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from flask import current_app, request
from werkzeug.utils import secure_filename

from tracklabel.core.decoding import check_file
from tracklabel.core.errors import InputError

from .errors import ApiError
from .videos import DECODER
from .plugins import registry

CHUNK = 1 << 20  # bytes read at a time from an upload
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


def same_video(path: Path) -> dict:
    """How task_list.with_video finds the tasks that have this video: an upload by its content's
    folder (the same bytes under any name), any other file by its path."""
    uploads = (Path(current_app.config["DATA_DIR"]) / "uploads").resolve()
    if path.is_relative_to(uploads) and len(path.relative_to(uploads).parts) > 1:
        return {"prefix": f"{uploads / path.relative_to(uploads).parts[0]}{os.sep}"}
    return {"path": str(path)}


def check_video(path: Path, name: str) -> None:
    """400 naming `name` and the reason unless the decoder can read a video stream from `path`."""
    try:
        check_file(str(path))
        registry().decoder(DECODER).probe(str(path))
    except InputError as exc:
        raise ApiError(400, "not_a_video", f"{name}: {exc.problems[0].message}") from None


def save_uploads(refuse: Callable[[Path, str], None]) -> list[tuple[str, Path]]:
    """Save the request's files (multipart field `file`) as uploads/<SHA-256 of the content>/<name>,
    each checked to be a video and then given to `refuse(its content's folder, name)`, which
    raises to refuse it (a duplicate); on any error nothing this request wrote is kept. Returns
    (the name relative to the uploads folder, the file) for each."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "too_large", f"the upload is over {limit} bytes")
    files = request.files.getlist("file")
    if not files:
        raise ApiError(400, "invalid", "send the video as the multipart/form-data field `file`")
    uploads = (Path(current_app.config["DATA_DIR"]) / "uploads").resolve()
    uploads.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []  # by this request: removed on an error
    kept: list[tuple[str, Path]] = []
    try:
        for upload in files:
            name = upload.filename or "video"
            part = uploads / f".{secrets.token_hex(8)}.part"
            written.append(part)
            digest = _write(upload.stream, part)
            check_video(part, name)
            folder = uploads / digest
            if any(path.parent == folder for _, path in kept):
                raise ApiError(409, "duplicate_video", f"{name}: the same video is sent twice")
            refuse(folder, name)
            final = folder / (secure_filename(name) or "video")
            if final.is_file():  # these bytes under this name are there already
                part.unlink()
            else:
                folder.mkdir(exist_ok=True)
                os.replace(part, final)
                written.append(final)
            written.remove(part)
            kept.append((f"{digest}/{final.name}", final))
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
            if path.parent != uploads and not any(path.parent.iterdir()):
                path.parent.rmdir()
        raise
    return kept


def _write(stream, path: Path) -> str:
    """Copy the stream to the file; the SHA-256 of what was written."""
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()
