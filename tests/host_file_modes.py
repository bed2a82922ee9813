"""Used by test_file_modes.py, run under a umask: a host imports a video by path (index and
proxy jobs), takes an upload, exports as a job; prints every file and folder it made in its
DATA_DIR, with its mode, as JSON (the SQLite file's mode is SQLite's: 0644 less the umask)."""
import io
import json
import stat
import sys
import time
from pathlib import Path

from tracklabel.host import create_app, db, jobs
from tracklabel.host.auth import add_user
from tracklabel.host.demo import CONFIG

root, video = Path(sys.argv[1]), Path(sys.argv[2])
app = create_app({"DATA_DIR": str(root / "data"), "DATABASE_URL": f"sqlite:///{root / 'host.db'}",
                  "MEDIA_ROOTS": [str(video.parent)], "TESTING": True})
with app.app_context(), db.engine().begin() as conn:
    _, token = add_user(conn, "admin", "admin", "a-password-1")
client = app.test_client()
headers = {"Authorization": f"Token {token}"}


def settle(url):
    for _ in range(1200):
        body = client.get(url, headers=headers).json
        states = [j["state"] for j in (body if isinstance(body, list) else [body])]
        if states and all(s in ("done", "failed") for s in states):
            return body
        time.sleep(0.05)
    raise SystemExit(f"jobs did not finish: {body}")


project = client.post("/api/projects", json={"title": "p", "label_config": CONFIG}, headers=headers).json["id"]
(task,) = client.post(f"/api/projects/{project}/tasks", json={"path": video.name}, headers=headers).json["tasks"]
settle(f"/api/tasks/{task}/jobs")
(uploaded,) = client.post(f"/api/projects/{project}/tasks", headers=headers, content_type="multipart/form-data",
                          data={"file": (io.BytesIO(video.read_bytes()), "up.mp4")}).json["tasks"]
settle(f"/api/tasks/{uploaded}/jobs")
export = client.post(f"/api/projects/{project}/exports", json={"format": "mot", "options": {"width": 100, "height": 100}},
                     headers=headers).json["id"]
settle(f"/api/jobs/{export}")
jobs.shutdown(app)
print(json.dumps({str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode)
                  for p in sorted((root / "data").rglob("*"))}))
