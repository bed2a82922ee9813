"""`tracklabel serve --demo`: a project with the seed's config and a generated clip."""

from __future__ import annotations

import secrets
from pathlib import Path

import av
import cv2
import numpy as np
from flask import current_app

from . import db
from .auth import add_user, create_token
from .store import projects as project_store
from .store import tasks as task_store
from .store import users as user_store
from .video_jobs import attach_video

TITLE = "Demo: video object tracking"
CONFIG = """<View>
   <Header>Label the video:</Header>
   <Video name="video" value="$video" framerate="25.0"/>
   <VideoRectangle name="box" toName="video" />
   <Labels name="videoLabels" toName="video" allowEmpty="true">
     <Label value="Man" background="blue"/>
     <Label value="Woman" background="red"/>
     <Label value="Other" background="green"/>
   </Labels>
</View>
"""
WIDTH, HEIGHT, FPS, FRAMES = 640, 360, 25, 250


def prepare_demo() -> str:
    """Make (once) the demo project, its clip and an admin; return a one-time login link (a
    path) that opens the player on the demo task (the project's page when its task is gone)."""
    with db.write() as conn:
        admin = user_store.id_by_name(conn, "admin")
        if admin is None:
            admin, _ = add_user(conn, "admin", "admin", secrets.token_urlsafe(16))
        code = create_token(conn, admin, kind="login")
        project = project_store.id_by_title(conn, TITLE)
        made = project is None
        if made:
            project = project_store.create(conn, TITLE, CONFIG)
            clip = Path(current_app.config["DATA_DIR"]) / "uploads" / "demo.mp4"
            if not clip.exists():
                write_clip(clip)
            task = task_store.create(conn, project, {"video": clip.name}, {})
        tasks = task_store.of_project(conn, project)
    if made:
        attach_video(task, clip, creator=admin)
    landing = f"/tasks/{tasks[0]['id']}" if tasks else f"/projects/{project}"
    return f"/login/{code}?next={landing}"


def write_clip(path: Path) -> None:
    """Moving and rotating shapes over a textured background, H.264, a keyframe each second."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    texture = cv2.GaussianBlur(rng.integers(0, 255, (HEIGHT, WIDTH, 3), dtype=np.uint8), (0, 0), 3)
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH]
    tmp = path.with_suffix(".part.mp4")
    with av.open(str(tmp), "w") as container:
        stream = container.add_stream("libx264", rate=FPS, options={"g": str(FPS), "crf": "23"})
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        for i in range(FRAMES):
            t = i / FRAMES
            frame = (texture * 0.6 + np.stack([xs * 0.1, ys * 0.2, (xs + ys) * 0.05], -1)).astype(np.uint8)
            centre = (60 + t * 480, 120 + 40 * np.sin(6 * t))
            box = cv2.boxPoints(((centre[0], centre[1]), (90, 50), 360 * t))
            cv2.fillPoly(frame, [box.astype(np.int32)], (40, 40, 200))
            cv2.circle(frame, (int(560 - t * 420), int(260 - 60 * abs(np.sin(9 * t)))), 28, (30, 180, 30), -1)
            cv2.rectangle(frame, (int(300 + 80 * np.cos(4 * t)), 40), (int(340 + 80 * np.cos(4 * t)), 110),
                          (200, 120, 20), -1)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    tmp.replace(path)
