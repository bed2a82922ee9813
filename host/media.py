"""Task videos: attaching a file, its probed facts."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from tracklabel.core.decoding import IndexCache, Video

from . import db
from .plugins import registry


def attach_video(task_id: int, path: Path) -> None:
    """Record the task's video file and its probed facts (decoded frame count, rate, size)."""
    with Video(path, registry().decoder("pyav"), IndexCache(Path(current_app.config["DATA_DIR"]) / "index")) as video:
        media = {"frames": video.index.count, "fps": video.fps, "width": video.probe.width,
                 "height": video.probe.height, "constant_rate": video.index.constant_rate,
                 "codec": video.probe.codec, "start_time": video.index.start_time,
                 "duration": video.index.duration}
    with db.engine().begin() as conn:
        conn.execute(db.tasks.update().where(db.tasks.c.id == task_id)
                     .values(video_path=str(Path(path).resolve()), media=media))
