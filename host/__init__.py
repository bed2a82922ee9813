"""The Flask host: projects, tasks, annotations and media over a real database."""


import os
import secrets
import tempfile
import time
from pathlib import Path

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # ids are 32-bit integers (PostgreSQL's integer)


class _IdConverter(IntegerConverter):
    """`<int:...>` in URLs: an id past MAX_ID is 404 whatever the method (instead of overflowing
    the database driver, a 500; a rule that merely did not match would make other methods' rules
    for the same path answer 405)."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            raise NotFound(f"no object has the id {value}: ids go up to {MAX_ID}")
        return number


def create_app(config: dict | None = None) -> Flask:
    """The app factory. `config` keys: DATA_DIR, DATABASE_URL, MEDIA_ROOTS, MAX_CONTENT_LENGTH,
    WORKERS (background job threads; 0 runs no jobs in this process; on PostgreSQL, the
    concurrency of an in-process procrastinate worker), JOB_RUNNERS (more job runners by kind,
    besides the host's own), JOB_RETRIES and JOB_RETRY_SECONDS (on PostgreSQL, a transient
    failure is retried so many times, after so long, doubling), JOB_HEARTBEAT_SECONDS,
    JOB_STALLED_SECONDS and JOB_RECOVERY_SECONDS (a worker beats so often; one silent so long is
    dead and its jobs run again; every worker checks so often), JOB_POLL_SECONDS (a worker looks
    for jobs it was not told of so often), SESSION_IDLE_SECONDS and
    SESSION_MAX_SECONDS (a login ends after so long unused, and so long after it began),
    EXPORT_MAX_AGE_SECONDS (an export job's file is removed after so long), HOUSEKEEPING_SECONDS
    (how often the housekeeping of a process that runs jobs, e.g. removing old exports, runs), CLOCK (seconds since
    the epoch; tests move it)..."""
    config = dict(config or {})
    data = Path(config.get("DATA_DIR") or os.environ.get("TRACKLABEL_DATA", "tracklabel-data"))
    data.mkdir(parents=True, exist_ok=True)
    # the instance folder is the data folder (Flask cannot find one for a namespace package)
    app = Flask(__name__, instance_path=str(data.resolve()))
    app.url_map.converters["int"] = _IdConverter
    app.config.update(
        DATA_DIR=str(data),
        MEDIA_ROOTS=[],
        MAX_CONTENT_LENGTH=2 * 1024**3,  # uploads
        MAX_JSON_BYTES=64 * 1024**2,  # JSON request bodies
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_IDLE_SECONDS=8 * 3600,  # a login ends after 8 hours unused
        SESSION_MAX_SECONDS=7 * 24 * 3600,  # and a week after it began
        EXPORT_MAX_AGE_SECONDS=24 * 3600,  # an export's file is kept a day
        HOUSEKEEPING_SECONDS=600,  # old exports are removed within 10 minutes of their age
        CLOCK=time.time,
        WORKERS=2,
        JOB_RETRIES=4,  # transient failures: retried after 5, 10, 20 and 40 s
        JOB_RETRY_SECONDS=5.0,
        JOB_HEARTBEAT_SECONDS=10.0,
        JOB_STALLED_SECONDS=30.0,
        JOB_RECOVERY_SECONDS=10.0,
        JOB_POLL_SECONDS=5.0,
    )
    app.config.update(config)
    app.config.setdefault("DATABASE_URL", f"sqlite:///{(data / 'tracklabel.db').resolve()}")
    app.config["MEDIA_ROOTS"] = [Path(r).resolve() for r in app.config["MEDIA_ROOTS"]] + [
        (data / "uploads").resolve()]
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(data)

    from . import (annotations, auth, config_api, db, errors, exports, jobs, members, pages, player, plugins,
                   precompute, projects, queue, requests, task_list, tasks, thumbnails, tracking, user_settings,
                   video_jobs, video_routes, videos)

    plugins.init_app(app)
    db.init_app(app)
    errors.init_app(app)
    requests.init_app(app)
    auth.init_app(app)
    videos.init_app(app)
    video_jobs.init_app(app)  # the runners of index and proxy jobs
    tracking.init_app(app)  # of track jobs
    exports.init_app(app)  # of export jobs
    precompute.init_app(app)  # of precompute jobs (image-guided shapes after a save)
    for kind, runner in app.config.get("JOB_RUNNERS", {}).items():
        jobs.register_runner(app, kind, runner)
    for blueprint in (auth.bp, projects.bp, tasks.bp, annotations.bp, exports.bp, jobs.bp, video_routes.bp,
                      tracking.bp, player.bp, members.bp, pages.bp, config_api.bp,
                      task_list.bp, thumbnails.bp,  # the data manager's
                      queue.bp,  # the labeling queue
                      user_settings.bp):  # the player's layout, hotkeys and regions per user
        app.register_blueprint(blueprint)
    jobs.init_app(app)  # last: it may start left-over jobs at once
    return app


def _secret_key(data: Path) -> str:
    """The session signing key, made once and kept in the data folder (mode 600). Processes that
    start together on a shared folder all read the one key: it is written whole under a name of
    its own, then linked into place (the first link wins)."""
    path = data / "secret_key"
    if not path.exists():
        fd, tmp = tempfile.mkstemp(prefix=".secret_key.", dir=data)  # mode 600
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip()
