"""Helpers for the VideoPolygon and VideoKeyPoint tests: their config, regions, a host project
using them, and a clip with a moving textured object to track."""

import json

from scenes import make_scene, write_video

CONFIG = """<View>
  <Video name="video" value="$video" frameRate="25"/>
  <VideoPolygon name="outline" toName="video"/>
  <VideoKeyPoint name="spot" toName="video"/>
  <Labels name="labels" toName="video"><Label value="Car"/><Label value="Wheel"/></Labels>
</View>"""

FRAMES = 60
SIZE = (320, 180)


def polygon(rid, keys, frames_count=10, label="Car", **value):
    """A videopolygon region; keys are (frame, points, enabled)."""
    return {"id": rid, "type": "videopolygon", "from_name": "outline", "to_name": "video",
            "value": {"framesCount": frames_count, "labels": [label], "closed": True, **value,
                      "sequence": [{"frame": f, "enabled": e, "points": p} for f, p, e in keys]}}


def keypoint(rid, keys, frames_count=10, label="Wheel"):
    """A videokeypoint region; keys are (frame, x, y, enabled)."""
    return {"id": rid, "type": "videokeypoint", "from_name": "spot", "to_name": "video",
            "value": {"framesCount": frames_count, "labels": [label],
                      "sequence": [{"frame": f, "enabled": e, "x": x, "y": y} for f, x, y, e in keys]}}


def write_tasks(folder, *regions, video="clip.mp4"):
    """A task file of one task whose annotation holds these regions, and a config beside it."""
    (folder / "config.xml").write_text(CONFIG)
    path = folder / "tasks.json"
    path.write_text(json.dumps([{"id": 1, "data": {"video": video},
                                 "annotations": [{"id": 3, "result": list(regions)}]}]))
    return path


def make_task(admin):
    """A host task (no video: regions carry framesCount) of a project whose config has both tags."""
    project = admin.post("/api/projects", json={"title": "Shapes", "label_config": CONFIG})
    assert project.status_code == 201, project.json
    response = admin.post(f"/api/projects/{project.json['id']}/tasks", json=[{"data": {"video": "a.mp4"}}])
    assert response.status_code == 201, response.json
    return response.json["tasks"][0]


def moving_clip(folder):
    """(scene, video path): a textured object crossing the frame, growing a little."""
    scene = make_scene(FRAMES, SIZE, seed=5, scale=(1.0, 1.2), curve=0.1)
    return scene, write_video(scene, folder / "clip.mp4", lossless=True)
