"""`tracklabel serve` as a real process on 127.0.0.1, and a keep-alive JSON client for it.
Used by tests/test_host_server.py, tests/test_player.py, bench/host.py and bench/player.py."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tracklabel.host.demo import CONFIG

CLI = [sys.executable, "-c", "from tracklabel.core.cli import main; main()"]
SEED_CONFIG = CONFIG


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def add_user(data: Path, name: str = "admin", role: str = "admin", password: str | None = None,
             database: str | None = None) -> str:
    """`tracklabel user add`: the new user's API token."""
    extra = (["--password", password] if password else []) + (["--database", database] if database else [])
    out = subprocess.run([*CLI, "user", "add", name, "--role", role, "--data", str(data), *extra],
                         check=True, capture_output=True, text=True, timeout=120)
    return out.stdout.strip().splitlines()[-1]


class Process:
    """A `tracklabel` command (or another, `command`) in the background, its output in a log
    file; `kill()` sends SIGKILL, `stop()` a polite SIGTERM first."""

    def __init__(self, args: list[str], log: Path, command: tuple[str, ...] = tuple(CLI)):
        self.log = open(log, "w+b")
        self.process = subprocess.Popen([*command, *args], stdout=self.log, stderr=subprocess.STDOUT)

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self, timeout: float = 10) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


class Server(Process):
    """`tracklabel serve --data DATA` on a free loopback port, started and ready (or an error
    with its log); `kill()` sends SIGKILL, `stop()` a polite SIGTERM first. `database`,
    `workers` (web processes: gunicorn when above 1) and `job_threads` are serve's options."""

    def __init__(self, data: Path, threads: int = 8, timeout: float = 60.0, media_roots=(),
                 database: str | None = None, workers: int = 1, job_threads: int | None = None):
        self.data, self.port, self.workers = Path(data), free_port(), workers
        self.url = f"http://127.0.0.1:{self.port}"
        self.data.parent.mkdir(parents=True, exist_ok=True)
        options = [arg for root in media_roots for arg in ("--media-root", str(root))]
        options += ["--database", database] if database else []
        options += ["--workers", str(workers)] + (["--job-threads", str(job_threads)] if job_threads is not None else [])
        super().__init__(["serve", "--data", str(self.data), "--host", "127.0.0.1", "--port", str(self.port),
                          "--threads", str(threads), *options], self.data.parent / f"server-{self.port}.log")
        deadline, answered = time.monotonic() + timeout, set()
        while not self._ready(answered):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"tracklabel serve did not start:\n{self.output()}")
            time.sleep(0.05)

    def _ready(self, answered: set) -> bool:
        """Whether the server answers; with several web processes, whether each has answered
        a request (on new connections: any of them may take one), so each has made its app."""
        client = Client(self.port, timeout=2)
        try:
            if client.request("GET", "/api/auth/me")[0] != 401:
                return False
            if self.workers == 1:
                return True
            answered.add(self.pid_serving(client))
        except OSError:
            return False
        finally:
            client.close()
        pids = self.worker_pids()
        return len(pids) == self.workers and answered >= set(pids)

    def worker_pids(self) -> list[int]:
        """The pids of the web processes gunicorn forked (the server's children; none on waitress)."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rpartition(")")[2].split()  # after "pid (name)"
            except OSError:  # the process ended meanwhile
                continue
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                children.append(int(stat.parent.name))
        return sorted(children)

    def pid_serving(self, client: "Client") -> int | None:
        """The web process holding the server's end of the client's open connection (from
        /proc/net/tcp and the processes' file descriptors), or None."""
        own_port = client.connection.sock.getsockname()[1]
        ends = f"0100007F:{self.port:04X} 0100007F:{own_port:04X}"  # 127.0.0.1, as the kernel shows it
        inodes = {fields[9] for fields in (line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:])
                  if f"{fields[1]} {fields[2]}" == ends}
        for pid in self.worker_pids() or [self.process.pid]:
            if inodes & {link.removeprefix("socket:[").rstrip("]") for link in _fd_links(pid)}:
                return pid
        return None

def _fd_links(pid: int) -> set[str]:
    """What the process's file descriptors point to (none when it has ended)."""
    links = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                links.add(os.readlink(fd))
            except OSError:  # closed meanwhile
                pass
    except OSError:
        pass
    return links


class Client:
    """One keep-alive HTTP/1.1 connection; `request` returns (status, headers, JSON or None)."""

    def __init__(self, port: int, token: str | None = None, timeout: float = 30.0):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.headers = {"Authorization": f"Token {token}"} if token else {}

    def request(self, method: str, url: str, body=None, headers: dict | None = None, raw: bytes | None = None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        sent = {**self.headers, **(headers or {})}
        if data is not None:
            sent.setdefault("Content-Type", "application/json")
        try:
            self.connection.request(method, url, body=data, headers=sent)
            response = self.connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # the next request opens a new connection
            raise
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        kind = response.getheader("Content-Type", "")
        return response.status, response.headers, json.loads(payload) if payload and "json" in kind else None

    def close(self) -> None:
        self.connection.close()


def raw_request(port: int, data: bytes, timeout: float = 30.0) -> tuple[int, dict, bytes]:
    """Send bytes as they are (the body may be left unsent) and read one response: (status,
    headers with lower-case names, body). The connection stays open for writing meanwhile, so
    a server that waits for the rest of a body shows as a timeout."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused mid-send: its answer may still be there to read
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
        while len(body) < int(headers.get("content-length", 0)):
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    return int(status_line.split()[1]), headers, body


def setup_project(port: int, token: str, tasks: int = 1) -> list[int]:
    """A project with the seed's config and `tasks` video tasks: their ids."""
    client = Client(port, token)
    status, _, project = client.request("POST", "/api/projects", {"title": "Street", "label_config": SEED_CONFIG})
    assert status == 201, project
    status, _, created = client.request("POST", f"/api/projects/{project['id']}/tasks",
                                        [{"data": {"video": f"clip{i}.mp4"}} for i in range(tasks)])
    assert status == 201, created
    client.close()
    return created["tasks"]


def region(rid: str, keyframes: int = 3, frames: int = 500, shift: float = 0.0, label: str = "Man") -> dict:
    """A Label Studio videorectangle region with `keyframes` keyframes, as the player saves it."""
    step = max(1, (frames - 1) // max(1, keyframes - 1))
    sequence = [{"frame": 1 + i * step, "x": round(5 + i * 0.5 + shift, 4), "y": round(10 + i * 0.25, 4),
                 "width": 12.5, "height": 20.0, "rotation": 0.0, "enabled": True,
                 "time": round(i * step / 25, 4)} for i in range(keyframes)]
    sequence[-1]["enabled"] = False
    return {"id": rid, "type": "videorectangle", "from_name": "box", "to_name": "video", "origin": "manual",
            "value": {"labels": [label], "framesCount": frames, "duration": frames / 25, "sequence": sequence}}


def wait_indexed(client: Client, task: int, timeout: float = 120.0) -> dict:
    """The task once its video's index job has finished (its media facts are known)."""
    deadline = time.monotonic() + timeout
    while True:
        status, _, body = client.request("GET", f"/api/tasks/{task}")
        if status == 200 and (body["media"] or {}).get("frames"):
            return body
        if time.monotonic() > deadline:
            raise TimeoutError(f"task {task}'s video was not indexed in {timeout:.0f} s")
        time.sleep(0.2)
