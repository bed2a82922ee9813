"""`tracklabel worker` processes for tests, started with `python -c` through the Python API
(`tracklabel.host.worker.run_worker`) so they carry the test job kinds below, with heartbeats,
recovery, polling and retries fast enough for a test; and a long video made quickly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import av
from flask import g

from server_process import Process
from tracklabel.core.errors import InputError

TESTS = Path(__file__).parent
FAST = {"JOB_HEARTBEAT_SECONDS": 0.5, "JOB_STALLED_SECONDS": 3.0, "JOB_RECOVERY_SECONDS": 0.5,
        "JOB_POLL_SECONDS": 0.5, "JOB_RETRIES": 3, "JOB_RETRY_SECONDS": 0.5, "HOUSEKEEPING_SECONDS": 1.0}


def _log(path: str, *words) -> None:
    """Append one line (one write, so lines of several processes never mix)."""
    line = " ".join(str(w) for w in words) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def record(_task_id, progress, params: dict) -> dict:
    """Log its start and end (job id, pid, time) in params["log"], reporting progress for
    params["seconds"] between them."""
    _log(params["log"], "start", g.job_id, os.getpid(), time.time())
    began = time.monotonic()
    while time.monotonic() - began < params["seconds"]:
        progress((time.monotonic() - began) / params["seconds"])
        time.sleep(0.01)
    _log(params["log"], "end", g.job_id, os.getpid(), time.time())
    return {"pid": os.getpid()}


def flaky(_task_id, _progress, params: dict) -> dict:
    """Log each attempt; fail with an OSError (transient) until attempt params["succeed_at"],
    or with an InputError when params["bad"], or a FileNotFoundError when params["missing"]."""
    _log(params["log"], "attempt", g.job_id, os.getpid(), time.time())
    if params.get("bad"):
        raise InputError("this job's input is bad")
    if params.get("missing"):
        raise FileNotFoundError(2, "No such file or directory", params["missing"])
    attempts = sum(1 for line in Path(params["log"]).read_text().splitlines() if line.split()[1] == str(g.job_id))
    if attempts < params.get("succeed_at", 10**6):
        raise OSError(f"the shared media is away (attempt {attempts})")
    return {"attempts": attempts}


def slow_step(_task_id, progress, params: dict) -> dict:
    """Log its start, then one step of params["seconds"] with no progress report (a long decode,
    say), then report and log its end."""
    _log(params["log"], "start", g.job_id, os.getpid(), time.time())
    time.sleep(params["seconds"])
    progress(1.0)
    _log(params["log"], "end", g.job_id, os.getpid(), time.time())
    return {"pid": os.getpid()}


RUNNERS = {"test-record": record, "test-locked": record, "test-flaky": flaky, "test-slow-step": slow_step}


def param_lock(_conn, _task_id, params):
    """The lock of a test-locked job: its params["lock"]."""
    return params["lock"]


def main() -> None:
    """The worker process: `python -c ... main() CONFIG_JSON`."""
    from tracklabel.host import jobs
    from tracklabel.host.worker import run_worker

    config = json.loads(sys.argv[1])
    jobs.PROGRESS_INTERVAL = config.pop("PROGRESS_INTERVAL", jobs.PROGRESS_INTERVAL)
    run_worker({**FAST, **config, "JOB_RUNNERS": RUNNERS})


class Worker(Process):
    """A worker process on the data folder and database; its output goes to a log file."""

    def __init__(self, data: Path, url: str, concurrency: int = 1, **config):
        config = {"DATA_DIR": str(data), "DATABASE_URL": url, "WORKERS": concurrency, **config}
        super().__init__([json.dumps(config)], data.parent / f"worker-{time.monotonic_ns()}.log",
                         command=(sys.executable, "-c", f"import sys; sys.path.insert(0, {str(TESTS)!r}); "
                                                        "import job_workers_support; job_workers_support.main()"))

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM, and its exit status once it has ended."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the worker did not stop on SIGTERM:\n{self.output()}") from None
        finally:
            self.log.close()


def long_video(path: Path, clip: Path, repeats: int) -> Path:
    """The clip's packets `repeats` times in a row (stream copy: quick to make, long to index)."""
    with av.open(str(clip)) as source:
        packets = [p for p in source.demux(source.streams.video[0]) if p.size]
        template = source.streams.video[0]
        span = max(p.pts for p in packets) + packets[0].duration - min(p.pts for p in packets)
        with av.open(str(path), "w") as out:
            stream = out.add_stream_from_template(template)
            for r in range(repeats):
                for packet in packets:
                    packet.stream = stream
                    packet.pts += span if r else 0
                    packet.dts += span if r else 0
                    out.mux(packet)
    return path
