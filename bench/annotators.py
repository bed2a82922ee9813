"""How many annotators one host serves: the largest N whose request p99 stays under 100 ms, on
SQLite with one process, on PostgreSQL with one web process, and on PostgreSQL with two web
processes plus one `tracklabel worker` exporting the project in a loop, side by side in one run.

Each simulated annotator works on its own task (its own 3,000-frame 320x180 H.264 video, a
keyframe every 2 s, generated here; a saved annotation of 50 regions x 20 keyframes) and loops,
as the player does while stepping through saved work: fetch the 200-frame window of the saved
annotation's tracks that holds the current frame (GET, with If-None-Match when an ETag came for
that URL, as a browser cache sends it; a 304 counts as a request), edit one region and post only
that region for its tracks (POST /api/tasks/<id>/tracks), step 10 frames, fetch that frame's
image, and every 10th step save the whole annotation (PUT with If-Match). There is no think
time: an annotator sends its next request when the last one is answered. Latency is each
request's round trip on the annotator's keep-alive connection; p99 is over every request of a
trial.

A trial runs N annotators for a 3 s warm-up, then 10 s measured. It starts once the machine's
other processes use under a quarter of a core (or after 2 minutes of waiting; the cores they
used during the trial are printed as `others`). N grows by doubling until p99 reaches 100 ms (or
a request fails), then is bisected. After each trial every annotation is read back: `lost`
counts acknowledged saves that are not stored (the last one of each annotation compared with
what is stored, each earlier one by the next save's If-Match being accepted). The annotators
run in a process of their own; the CPU each part used during a trial (web processes,
PostgreSQL, the worker, the annotators' process, the rest of the benchmark) is printed in
cores, with p50/p99 and the count of each kind of request.

Run: `.venv/bin/python bench/annotators.py` (about 10 minutes). Last line:
`annotators_sqlite=A annotators_pg1=B annotators_pg2=C scale_ratio=C/B lost=L`.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import av
import msgspec
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from pg_cluster import Cluster  # noqa: E402
from server_process import Client, Process, Server, add_user, region, wait_indexed  # noqa: E402

REGIONS, KEYFRAMES, FRAMES = 50, 20, 3000
WINDOW, STEP, SAVE_EVERY = 200, 10, 10
KINDS = ("tracks", "tracks_304", "draft", "frame", "save")  # requests, by what they do
VARIANTS = 4  # pre-encoded edits of each region
P99_LIMIT_MS = 100.0
WARMUP_SECONDS, TRIAL_SECONDS = 3.0, 10.0
MAX_ANNOTATORS = 256
QUIET_CORES, QUIET_WAIT_SECONDS = 0.25, 120.0  # a trial waits for other processes to calm down
VIDEO = "generated.mp4"  # copied to clip<n>.mp4 for the nth task
CONFIG = """<View><Video name="video" value="$video" frameRate="25"/>
<VideoRectangle name="box" toName="video"/>
<Labels name="labels" toName="video"><Label value="Man"/><Label value="Woman"/><Label value="Other"/></Labels>
</View>"""


@dataclass
class Setup:
    """One deployment under test: how `tracklabel serve` runs, and whether a worker exports."""
    name: str
    postgres: bool
    web_processes: int = 1
    job_threads: int | None = None  # None: serve's default
    exporting_worker: bool = False


SETUPS = [Setup("sqlite", postgres=False), Setup("pg1", postgres=True),
          Setup("pg2", postgres=True, web_processes=2, job_threads=0, exporting_worker=True)]


# The annotators (in a process of their own)

def annotation_regions(n: int, variant: int = 0) -> list[dict]:
    """Annotator n's 50 regions; variant v > 0 moves each one a little (an edit)."""
    return [region(f"a{n}r{k}", KEYFRAMES, FRAMES, shift=variant / 100, label=("Man", "Woman", "Other")[k % 3])
            for k in range(REGIONS)]


def result_body(parts) -> bytes:
    return b'{"result":[' + b",".join(parts) + b"]}"


class Annotator(threading.Thread):
    """One annotator's loop on one keep-alive connection, from `start_at` to `stop_at` (requests
    started before `measure_from` are the warm-up, not measured)."""

    def __init__(self, n: int, port: int, token: str, task: int, annotation: int, version: int,
                 measure_from: float, stop_at: float):
        super().__init__(daemon=True)
        self.n, self.port, self.task, self.annotation, self.version = n, port, task, annotation, version
        self.measure_from, self.stop_at = measure_from, stop_at
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        self.variants = [[msgspec.json.encode(r) for r in annotation_regions(n, v)] for v in range(VARIANTS + 1)]
        self.parts = list(self.variants[0])
        self.latencies: dict[str, list[float]] = {kind: [] for kind in KINDS}
        self.errors: list[str] = []
        self.conflicts = 0
        self.acked: tuple[int, tuple[bytes, ...]] | None = None
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, kind: str, method: str, url: str, body: bytes | None = None, extra: dict | None = None,
             ok=(200,)) -> tuple[int, str | None]:
        """One request: (status, ETag); its latency recorded under its kind when measured (a
        304 as tracks_304)."""
        start = time.perf_counter()
        try:
            self.connection.request(method, url, body=body, headers={**self.headers, **extra} if extra else self.headers)
            response = self.connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.connection.close()
            self.errors.append(f"{method} {url}: {exc!r}")
            return 0, None
        end = time.perf_counter()
        if start >= self.measure_from:
            self.latencies["tracks_304" if response.status == 304 else kind].append(end - start)
        if response.status not in ok and response.status != 409:
            self.errors.append(f"{method} {url}: {response.status} {payload[:200]!r}")
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        return response.status, response.getheader("ETag")

    def run(self) -> None:
        etags: dict[str, str] = {}
        frame = 1 + (self.n * 7 * WINDOW) % FRAMES
        for step in range(1, 10**9):
            if time.perf_counter() >= self.stop_at:
                break
            first = (frame - 1) // WINDOW * WINDOW + 1
            window = f"from={first}&to={min(first + WINDOW - 1, FRAMES)}"
            url = f"/api/annotations/{self.annotation}/tracks?{window}"
            status, etag = self.call("tracks", "GET", url, extra={"If-None-Match": etags[url]} if url in etags else None,
                                     ok=(200, 304))
            if status == 200 and etag:
                etags[url] = etag
            edited = step % REGIONS
            self.parts[edited] = self.variants[1 + step // REGIONS % VARIANTS][edited]
            self.call("draft", "POST", f"/api/tasks/{self.task}/tracks?{window}", result_body([self.parts[edited]]))
            frame = (frame + STEP - 1) % FRAMES + 1
            self.call("frame", "GET", f"/api/tasks/{self.task}/frames/{frame}.jpg")
            if step % SAVE_EVERY == 0:
                self.save()
        self.connection.close()

    def save(self) -> None:
        parts = tuple(self.parts)
        status, etag = self.call("save", "PUT", f"/api/annotations/{self.annotation}", result_body(parts),
                                 {"If-Match": f'"{self.version}"'})
        if status == 200:
            self.version = int(etag.strip('"'))
            self.acked = (self.version, parts)
        elif status == 409:  # the version this annotator was acknowledged is not the stored one
            self.conflicts += 1
            self.errors.append(f"PUT /api/annotations/{self.annotation}: 409")


def run_trial(port: int, token: str, work: list[tuple[int, int]]) -> dict:
    """N annotators (one per (task, annotation) of `work`) for the warm-up and the trial, then
    every annotation read back. Runs in the annotators' process."""
    cpu_start, reader = time.process_time(), Client(port, token)
    versions = [reader.request("GET", f"/api/annotations/{aid}")[2]["version"] for _, aid in work]
    reader.close()
    begin = time.perf_counter() + 0.2
    measure_from, stop_at = begin + WARMUP_SECONDS, begin + WARMUP_SECONDS + TRIAL_SECONDS
    annotators = [Annotator(n, port, token, task, aid, version, measure_from, stop_at)
                  for n, ((task, aid), version) in enumerate(zip(work, versions))]
    for annotator in annotators:
        annotator.start()
    for annotator in annotators:
        annotator.join(timeout=WARMUP_SECONDS + TRIAL_SECONDS + 120)
    cpu = time.process_time() - cpu_start
    lost, reader = 0, Client(port, token)
    for annotator in annotators:
        lost += annotator.conflicts
        if annotator.acked is None:
            continue
        version, parts = annotator.acked
        status, _, stored = reader.request("GET", f"/api/annotations/{annotator.annotation}")
        if status != 200 or stored["version"] != version or stored["result"] != json.loads(result_body(parts))["result"]:
            lost += 1
    reader.close()
    latencies = {kind: np.array([t for a in annotators for t in a.latencies[kind]]) * 1000 for kind in KINDS}
    return {"latencies": latencies,
            "errors": [e for a in annotators for e in a.errors], "lost": lost,
            "saves": sum(a.version - v for a, v in zip(annotators, versions)), "client_cpu": cpu}


# The deployments (managed by the main process)

def cpu_seconds(root_pids: list[int]) -> float:
    """CPU time (user + system, seconds) of the processes `root_pids` and all their descendants."""
    children: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, list(root_pids)
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo.extend(children.get(pid, []))
    return total


def machine_cpu_seconds() -> float:
    """CPU time every process of the machine used so far (/proc/stat: all but idle and iowait)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def make_video(path: Path) -> None:
    """A 320x180 H.264 clip, FRAMES frames at 25 fps, a keyframe every 50 frames."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25, options={"g": "50", "preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        ramp = np.arange(320)[None, :, None]
        for i in range(FRAMES):
            image = np.broadcast_to((ramp + 3 * i) % 256, (180, 320, 3)).astype(np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        container.mux(stream.encode(None))


class Worker(Process):
    """`tracklabel worker` in the background, its output in a log file."""

    def __init__(self, database: str, data: Path, media: Path):
        super().__init__(["worker", "--database", database, "--data", str(data), "--media-root", str(media)],
                         data.parent / "worker.log")

    def check(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"tracklabel worker exited:\n{self.output()}")


class Deployment:
    """A setup's processes on a fresh data folder (and a fresh PostgreSQL cluster): the web
    server, and the worker when the setup has one; its project grows to as many tasks as asked."""

    def __init__(self, setup: Setup, root: Path, media: Path):
        self.setup, self.media = setup, media
        data = root / setup.name / "data"
        self.cluster = Cluster() if setup.postgres else None
        self.web = self.worker = None
        database = self.cluster.url if self.cluster else None
        try:
            self.token = add_user(data, "bench", database=database)
            self.web = Server(data, media_roots=[media], database=database, workers=setup.web_processes,
                              job_threads=setup.job_threads)
            self.port = self.web.port
            if setup.exporting_worker:
                self.worker = Worker(database, data, media)
            client = Client(self.port, self.token, timeout=120)
            status, _, project = client.request("POST", "/api/projects", {"title": "Bench", "label_config": CONFIG})
            client.close()
            assert status == 201, project
            self.project = project["id"]
            self.work: list[tuple[int, int]] = []
        except BaseException:
            self.close()
            raise

    def ensure_tasks(self, count: int) -> list[tuple[int, int]]:
        """(task, annotation) for `count` annotators: tasks made (videos indexed) as needed."""
        missing = range(len(self.work), count)
        if missing:
            client = Client(self.port, self.token, timeout=120)  # gunicorn closes idle connections
            for i in missing:
                if not (self.media / f"clip{i}.mp4").exists():
                    shutil.copyfile(self.media / VIDEO, self.media / f"clip{i}.mp4")
            status, _, created = client.request("POST", f"/api/projects/{self.project}/tasks",
                                                     [{"data": {"video": f"clip{i}.mp4"}} for i in missing])
            assert status == 201, created
            for n, task in zip(missing, created["tasks"]):
                if self.worker:
                    self.worker.check()
                wait_indexed(client, task, timeout=300)
                status, _, saved = client.request("POST", f"/api/tasks/{task}/annotations",
                                                       {"result": annotation_regions(n)})
                assert status == 201, saved
                self.work.append((task, saved["id"]))
            client.close()
        return self.work[:count]

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far of the web processes, PostgreSQL and the worker."""
        out = {"machine": machine_cpu_seconds(), "bench": cpu_seconds([os.getpid()]),
               "web": cpu_seconds([self.web.process.pid])}
        if self.cluster:
            postmaster = (self.cluster.folder / "data" / "postmaster.pid").read_text().split()[0]
            out["pg"] = cpu_seconds([int(postmaster)])
        if self.worker:
            out["worker"] = cpu_seconds([self.worker.process.pid])
        return out

    def close(self) -> None:
        if self.worker:
            self.worker.stop(timeout=30)
        if self.web:
            self.web.stop()
        if self.cluster:
            self.cluster.close()


class ExportLoop(threading.Thread):
    """Queues an export of the project, waits until its job ends, and again, until stopped."""

    def __init__(self, deployment: Deployment):
        super().__init__(daemon=True)
        self.deployment, self.stopping = deployment, threading.Event()
        self.done, self.failed = 0, []

    def run(self) -> None:
        client = Client(self.deployment.port, self.deployment.token, timeout=120)
        while not self.stopping.is_set():
            status, _, job = client.request("POST", f"/api/projects/{self.deployment.project}/exports",
                                            {"format": "ls-json"})
            if status != 202:
                self.failed.append(f"POST exports: {status} {job}")
                self.stopping.wait(1.0)
                continue
            while not self.stopping.wait(0.1):
                _, _, state = client.request("GET", f"/api/jobs/{job['id']}")
                if state["state"] == "done":
                    self.done += 1
                    break
                if state["state"] in ("failed", "cancelled"):
                    self.failed.append(f"export job {job['id']}: {state['state']} {state.get('message')}")
                    break
        client.close()


@dataclass
class Trial:
    annotators: int
    requests_per_s: float
    p50: float
    p99: float
    lost: int
    errors: list[str]
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def passes(self) -> bool:
        return self.p99 < P99_LIMIT_MS and not self.errors


def others_cores(deployment: Deployment, seconds: float = 1.0) -> float:
    """Cores the machine's other processes (not this benchmark's, nor its PostgreSQL) use now."""
    before = deployment.cpu()
    time.sleep(seconds)
    after = deployment.cpu()
    ours = ("bench", "pg")
    return ((after["machine"] - before["machine"]) - sum(after.get(k, 0) - before.get(k, 0) for k in ours)) / seconds


def wait_for_quiet(deployment: Deployment) -> None:
    """Wait (up to QUIET_WAIT_SECONDS) until other processes leave the cores to the trial."""
    deadline = time.monotonic() + QUIET_WAIT_SECONDS
    while (busy := others_cores(deployment)) > QUIET_CORES:
        if time.monotonic() > deadline:
            print(f"  (the machine is busy: other processes use {busy:.2f} cores)", flush=True)
            return


def trial(deployment: Deployment, annotators: int, pool, exports: ExportLoop | None) -> Trial:
    work = deployment.ensure_tasks(annotators)
    wait_for_quiet(deployment)
    before, exported = deployment.cpu(), exports.done if exports else 0
    wall = time.perf_counter()
    future = pool.submit(run_trial, deployment.port, deployment.token, work)
    out = future.result()
    wall = time.perf_counter() - wall
    cores = {k: (v - before[k]) / wall for k, v in deployment.cpu().items()}
    cores["client"] = out["client_cpu"] / wall
    cores["bench"] -= cores["web"] + cores.get("worker", 0) + cores["client"]  # its children's CPU counted apart
    cores["others"] = cores.pop("machine") - sum(cores.values())  # what else ran on the machine
    latencies = np.concatenate(list(out["latencies"].values()))
    p50, p99 = np.percentile(latencies, [50, 99]) if len(latencies) else (float("nan"),) * 2
    result = Trial(annotators, len(latencies) / TRIAL_SECONDS, float(p50), float(p99), out["lost"], out["errors"],
                   cores)
    extra = f" exports={exports.done - exported}" if exports else ""
    print(f"  {deployment.setup.name} N={annotators} requests_per_s={result.requests_per_s:.0f} "
          f"p50_ms={p50:.1f} p99_ms={p99:.1f} lost={result.lost} errors={len(result.errors)} "
          f"saves={out['saves']}{extra} cpu_cores "
          + " ".join(f"{k}={v:.2f}" for k, v in cores.items()), flush=True)
    print("    p50/p99 ms by kind: " + " ".join(
        f"{kind}={np.percentile(v, 50):.1f}/{np.percentile(v, 99):.1f}({len(v)})"
        for kind, v in out["latencies"].items() if len(v)), flush=True)
    for error in result.errors[:3]:
        print("    error:", error, flush=True)
    return result


def largest(run) -> tuple[int, int]:
    """The largest N that passes (doubling, then bisecting), and the lost saves of all trials."""
    lost, best, worst, n = 0, 0, None, 1
    while n <= MAX_ANNOTATORS:
        result = run(n)
        lost += result.lost
        if not result.passes:
            worst = n
            break
        best, n = n, n * 2
    while worst is not None and worst - best > 1:
        middle = (best + worst) // 2
        result = run(middle)
        lost += result.lost
        best, worst = (middle, worst) if result.passes else (best, middle)
    return best, lost


def measure(setup: Setup, root: Path, media: Path, pool) -> tuple[int, int]:
    started = time.perf_counter()
    deployment = Deployment(setup, root, media)
    exports = ExportLoop(deployment) if setup.exporting_worker else None
    try:
        deployment.ensure_tasks(1)
        if exports:
            exports.start()
        best, lost = largest(lambda n: trial(deployment, n, pool, exports))
    finally:
        if exports:
            exports.stopping.set()
            exports.join(timeout=150)
        deployment.close()
    if exports and exports.failed:
        print(f"  {setup.name}: {len(exports.failed)} exports failed, e.g. {exports.failed[0]}")
    print(f"{setup.name}: {best} annotators ({time.perf_counter() - started:.0f} s)", flush=True)
    return best, lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--setups", default=",".join(s.name for s in SETUPS),
                        help="which setups to run (comma-separated), e.g. sqlite,pg1")
    args = parser.parse_args()
    wanted = args.setups.split(",")
    with tempfile.TemporaryDirectory(prefix="tracklabel-annotators-") as tmp:
        root = Path(tmp)
        media = root / "media"
        media.mkdir()
        started = time.perf_counter()
        make_video(media / VIDEO)
        print(f"a video of {FRAMES} frames in {time.perf_counter() - started:.1f} s; trials of "
              f"{WARMUP_SECONDS:g} s warm-up + {TRIAL_SECONDS:g} s, {REGIONS} regions x {KEYFRAMES} keyframes "
              f"per task, {os.cpu_count()} cores", flush=True)
        counts, lost = {}, 0
        with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            for setup in SETUPS:
                if setup.name in wanted:
                    counts[setup.name], setup_lost = measure(setup, root, media, pool)
                    lost += setup_lost
    a, b, c = (counts.get(name, 0) for name in ("sqlite", "pg1", "pg2"))
    ratio = c / b if b else 0.0
    print(f"annotators_sqlite={a} annotators_pg1={b} annotators_pg2={c} scale_ratio={ratio:.2f} lost={lost}")


if __name__ == "__main__":
    main()
