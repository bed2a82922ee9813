"""Annotation saves against a real `tracklabel serve` on SQLite: 8 clients, each on its own task,
save a realistic annotation (50 videorectangle regions x 20 keyframes, Label Studio JSON, about
130 kB) over and over with its version (If-Match), as the player does after every edit, and
start a new annotation every 10th save. Latency is one save's round trip on a keep-alive
connection. At the end every acknowledged write is read back and must be stored exactly.

Run: `.venv/bin/python bench/host.py [--seconds 30]`. Goal: p99 < 50 ms, nothing lost, at least
126 saves/s (ten times Label Studio 1.23's 12.6 saves/s in the same test on this kind of machine).
The last line is `saves_per_s=X p50_ms=Y p99_ms=Z lost=N`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import msgspec
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from server_process import Client, Server, add_user, region, setup_project  # noqa: E402

REGIONS, KEYFRAMES, FRAMES = 50, 20, 3000


def annotation(client: int, save: int, base: list[dict] | None = None) -> list[dict]:
    """The client's annotation after its `save`-th edit: one region moved a little each time
    (the other regions taken from `base`, the unmoved annotation, when given)."""
    moved = save % REGIONS
    def make(k, shift=0.0):
        return region(f"c{client}r{k}", KEYFRAMES, FRAMES, shift=shift, label=("Man", "Woman", "Other")[k % 3])
    result = list(base) if base else [make(k) for k in range(REGIONS)]
    result[moved] = make(moved, save / 1000)
    return result


class Annotator(threading.Thread):
    """One client: saves until the deadline, keeping what the server acknowledged."""

    def __init__(self, n: int, port: int, token: str, task: int, deadline: float):
        super().__init__()
        self.n, self.port, self.token, self.task, self.deadline = n, port, token, task, deadline
        self.latencies: list[float] = []
        self.acked: dict[int, tuple[int, list]] = {}  # annotation id -> (version, result)
        self.errors: list[str] = []

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Authorization": f"Token {self.token}", "Content-Type": "application/json"}
        current, base = None, annotation(self.n, 0)
        for save in range(1_000_000):
            if time.monotonic() >= self.deadline:
                break
            result = annotation(self.n, save, base)
            body = msgspec.json.encode({"result": result})
            if current is None or save % 10 == 0:
                method, url, extra = "POST", f"/api/tasks/{self.task}/annotations", {}
            else:
                method, url, extra = "PUT", f"/api/annotations/{current}", {"If-Match": f'"{self.acked[current][0]}"'}
            start = time.perf_counter()
            connection.request(method, url, body=body, headers={**headers, **extra})
            response = connection.getresponse()
            payload = response.read()
            self.latencies.append(time.perf_counter() - start)
            if response.status not in (200, 201):
                self.errors.append(f"{method} {url}: {response.status} {payload[:200]!r}")
                break
            if method == "POST":
                current = json.loads(payload)["id"]
            self.acked[current] = (int(response.getheader("ETag").strip('"')), result)
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--threads", type=int, default=8, help="the server's threads")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tracklabel-bench-") as tmp:
        data = Path(tmp) / "data"
        token = add_user(data)
        server = Server(data, threads=args.threads)
        try:
            tasks = setup_project(server.port, token, tasks=args.clients)
            size = len(json.dumps({"result": annotation(0, 0)}))
            print(f"{args.clients} clients, {args.seconds:g} s, one save = {REGIONS} regions x {KEYFRAMES} "
                  f"keyframes ({size / 1024:.0f} kB), server threads {args.threads}")
            start = time.monotonic()
            clients = [Annotator(n, server.port, token, task, start + args.seconds) for n, task in enumerate(tasks)]
            for client in clients:
                client.start()
            for client in clients:
                client.join(timeout=args.seconds + 120)
            elapsed = time.monotonic() - start
            errors = [e for c in clients for e in c.errors]
            latencies = np.array([t for c in clients for t in c.latencies]) * 1000

            reader, lost, checked = Client(server.port, token), 0, 0
            for client in clients:
                for aid, (version, result) in client.acked.items():
                    status, _, stored = reader.request("GET", f"/api/annotations/{aid}")
                    checked += 1
                    if status != 200 or stored["version"] != version or stored["result"] != result:
                        lost += 1
            reader.close()
        finally:
            server.stop()
    p50, p99 = np.percentile(latencies, [50, 99]) if len(latencies) else (float("nan"),) * 2
    print(f"saves={len(latencies)} in {elapsed:.1f} s, errors={len(errors)}, annotations checked={checked}, "
          f"max_ms={latencies.max() if len(latencies) else float('nan'):.1f}")
    for error in errors[:5]:
        print("error:", error)
    print(f"saves_per_s={len(latencies) / elapsed:.1f} p50_ms={p50:.1f} p99_ms={p99:.1f} lost={lost}")


if __name__ == "__main__":
    main()
