"""Faults of a team's deployment, with real processes: two web processes (`tracklabel serve
--workers 2`, gunicorn) on a PostgreSQL server of the test's own, under clients saving with
If-Match as bench/host.py does. A web process killed with SIGKILL: the other goes on serving,
gunicorn starts a new one, and no acknowledged save is lost. PostgreSQL restarted: requests are
refused with 503 JSON while it is down and succeed after, and no acknowledged save is lost."""

from __future__ import annotations

import http.client
import os
import signal
import threading
import time

import pytest
from pg_cluster import Cluster, binaries

from server_process import Client, Server, add_user, region, setup_project

SAVERS = 4


@pytest.fixture
def cluster():
    """A PostgreSQL server this test may stop and start (CI installs the binaries: there, their
    absence is a failure)."""
    if binaries() is None:
        reason = "no PostgreSQL server binaries (/usr/lib/postgresql/*/bin): install Debian's postgresql"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    cluster = Cluster()
    try:
        yield cluster
    finally:
        cluster.close()


def wait_for(condition, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.05)


class Savers:
    """Client threads, each saving its own annotation over and over (PUT with If-Match). Each
    keeps what the server acknowledged and the saves whose answer it never got (a cut
    connection, a 503: stored wholly or not at all); after such a save, or a 409, it reads the
    annotation back to learn its version, which must be the acknowledged one or one of those."""

    def __init__(self, server: Server, token: str, annotations: list[int]):
        self.server, self.token = server, token
        self.acked = {aid: (1, None) for aid in annotations}  # annotation -> (version, result)
        self.unanswered = {aid: [] for aid in annotations}  # (version, result) maybe stored
        self.answers = []  # (monotonic time sent, status, JSON body, headers), or (time, exception name)
        self.failures = []
        self.lock, self.stopping = threading.Lock(), threading.Event()
        self.threads = [threading.Thread(target=self._save, args=(aid,)) for aid in annotations]

    def start(self) -> Savers:
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in self.threads), "a saver hangs"
        assert not self.failures, self.failures

    def acks_since(self, moment: float) -> int:
        with self.lock:
            return sum(1 for sent, status, *_ in self.answers if sent >= moment and status == 200)

    def statuses_since(self, moment: float) -> list:
        with self.lock:
            return [answer for answer in self.answers if answer[0] >= moment]

    def _ask(self, client: Client, method: str, url: str, body=None, headers=None):
        sent = time.monotonic()
        try:
            status, answer_headers, answer = client.request(method, url, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            with self.lock:
                self.answers.append((sent, type(exc).__name__))
            return None, None
        with self.lock:
            self.answers.append((sent, status, answer, answer_headers))
        return status, answer

    def _save(self, aid: int) -> None:
        client, url, step = Client(self.server.port, self.token, timeout=60), f"/api/annotations/{aid}", 0
        while not self.stopping.is_set():
            step += 1
            version = self.acked[aid][0]
            result = [region(f"a{aid}-r{k}", keyframes=10, shift=step) for k in range(5)]
            status, answer = self._ask(client, "PUT", url, {"result": result}, {"If-Match": f'"{version}"'})
            if status == 200 and answer["version"] == version + 1 and answer["result"] == result:
                self.acked[aid], self.unanswered[aid] = (version + 1, result), []
            elif status in (None, 503, 409):
                if status != 409:
                    self.unanswered[aid].append((version + 1, result))
                if not self._read_back(client, aid):
                    return
            else:
                self.failures.append(("PUT", aid, status, answer))
                return
        client.close()

    def _read_back(self, client: Client, aid: int) -> bool:
        """Learn the stored version (trying again while the server cannot answer); False when
        it is neither the acknowledged save nor an unanswered one (one was lost)."""
        while True:
            status, stored = self._ask(client, "GET", f"/api/annotations/{aid}")
            if status == 200:
                break
            if status not in (None, 503):
                self.failures.append(("GET", aid, status, stored))
                return False
            time.sleep(0.05)  # the database or the web process is coming back
        got = (stored["version"], stored["result"])
        if got != self.acked[aid] and got not in self.unanswered[aid]:
            self.failures.append(("lost", aid, self.acked[aid][0], got[0]))
            return False
        self.acked[aid] = got
        return True

    def check_stored(self) -> None:
        """Every annotation holds its last acknowledged save (or a later unanswered one)."""
        client = Client(self.server.port, self.token)
        for aid, acked in self.acked.items():
            status, _, stored = client.request("GET", f"/api/annotations/{aid}")
            assert status == 200, stored
            got = (stored["version"], stored["result"])
            assert got == acked or got in self.unanswered[aid], f"annotation {aid}: {acked[0]} saved, {got[0]} stored"
        client.close()


def serve_and_save(cluster: Cluster, folder) -> tuple[Server, Savers]:
    """Two web processes on the cluster, a task with an annotation per saver, the savers started."""
    data = folder / "data"
    token = add_user(data, database=cluster.url)
    server = Server(data, database=cluster.url, workers=2)
    try:
        (task,) = setup_project(server.port, token)
        client, annotations = Client(server.port, token), []
        for n in range(SAVERS):
            status, _, created = client.request("POST", f"/api/tasks/{task}/annotations", {"result": [region(f"s{n}")]})
            assert status == 201, created
            annotations.append(created["id"])
        client.close()
        savers = Savers(server, token, annotations).start()
        wait_for(lambda: savers.acks_since(0) >= 20 or savers.failures, "the first saves")
    except BaseException:
        server.stop()
        raise
    return server, savers


def test_a_web_process_killed_under_load_loses_no_acknowledged_save(cluster, tmp_path):
    server, savers = serve_and_save(cluster, tmp_path)
    try:
        victim = server.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        killed = time.monotonic()
        wait_for(lambda: savers.acks_since(killed) >= 40 or savers.failures, "saves after the kill")
        wait_for(lambda: len(set(server.worker_pids()) - {victim}) == 2, "gunicorn starting a new web process")
        restarted = time.monotonic()
        wait_for(lambda: savers.acks_since(restarted) >= 20 or savers.failures, "saves on the new process")
        savers.stop()
        savers.check_stored()
        assert server.process.poll() is None
    finally:
        savers.stopping.set()
        server.stop()


def test_postgresql_restarted_under_load_answers_503_then_serves_and_loses_nothing(cluster, tmp_path):
    # the cluster's synchronous_commit=off would lose the last commits in an immediate stop
    cluster.restart_with(synchronous_commit="on")
    server, savers = serve_and_save(cluster, tmp_path)
    try:
        cluster.stop()
        stopped = time.monotonic()

        def refused():
            return [a for a in savers.statuses_since(stopped) if a[1] == 503]

        wait_for(lambda: len(refused()) >= 2 * SAVERS or savers.failures, "503 answers while PostgreSQL is down")
        for _, _, body, headers in refused():
            assert body["error"] == "database_unavailable" and body["message"], body
            assert int(headers["Retry-After"]) > 0
        cluster.start()
        started = time.monotonic()
        wait_for(lambda: savers.acks_since(started) >= 40 or savers.failures, "saves after PostgreSQL is back")
        savers.stop()
        savers.check_stored()
        answers = savers.statuses_since(0)
        assert {a[1] for a in answers} <= {200, 503}, {a[1] for a in answers}  # no 500, no cut connection
        assert {a[1] for a in savers.statuses_since(started)} == {200}  # no stale pooled connection
    finally:
        savers.stopping.set()
        server.stop()


def test_a_web_process_started_while_postgresql_is_down_waits_for_it(cluster, tmp_path):
    """Gunicorn stops every process when one fails to start: a process it starts while the
    database is down waits for the database instead, and the server serves again after."""
    data = tmp_path / "data"
    token = add_user(data, database=cluster.url)
    server = Server(data, database=cluster.url, workers=2)
    try:
        cluster.stop()
        victim = server.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: len(set(server.worker_pids()) - {victim}) == 2, "gunicorn starting a new web process")
        wait_for(lambda: "the database is unavailable" in server.output() or server.process.poll() is not None,
                 "the new process finding the database down")
        assert server.process.poll() is None, server.output()
        status, headers, body = Client(server.port, token).request("GET", "/api/projects")
        assert (status, body["error"]) == (503, "database_unavailable") and headers["Retry-After"]
        cluster.start()
        wait_for(lambda: Client(server.port, token).request("GET", "/api/projects")[0] == 200, "serving again")
        workers = set(server.worker_pids())
        for _ in range(20):  # on new connections, to either process
            assert Client(server.port, token).request("GET", "/api/projects")[0] == 200
        assert set(server.worker_pids()) == workers and server.process.poll() is None
    finally:
        server.stop()


def test_requests_that_only_read_send_no_begin_or_rollback(cluster, tmp_path):
    """On PostgreSQL a request that only reads is autocommitted: of the five statements such a
    request sent (the pool's ping, BEGIN, two reads, ROLLBACK), BEGIN and ROLLBACK were round
    trips for nothing. A write still runs in one transaction (BEGIN ... COMMIT). Seen in the
    server's log of every statement."""
    cluster.restart_with(log_statement="all")
    data = tmp_path / "data"
    token = add_user(data, database=cluster.url)
    server = Server(data, database=cluster.url, job_threads=0)
    try:
        (task,) = setup_project(server.port, token)
        client = Client(server.port, token)
        status, _, created = client.request("POST", f"/api/tasks/{task}/annotations", {"result": [region("r")]})
        assert status == 201
        before = len(cluster.log().splitlines())
        for _ in range(20):
            assert client.request("GET", f"/api/tasks/{task}")[0] == 200
            assert client.request("GET", f"/api/annotations/{created['id']}/tracks?from=1&to=20")[0] == 200
        reads = "\n".join(cluster.log().splitlines()[before:])
        status, _, saved = client.request("PUT", f"/api/annotations/{created['id']}", {"result": [region("r", shift=1)]},
                                          headers={"If-Match": f'"{created["version"]}"'})
        assert status == 200 and saved["version"] == created["version"] + 1
        status, _, _ = client.request("POST", f"/api/tasks/{task}/annotations", {"result": [region("s")]})
        assert status == 201  # a write, then a read of what it wrote
        client.close()
    finally:
        server.stop()
    assert reads.count("FROM tasks") >= 40
    assert "BEGIN" not in reads and "ROLLBACK" not in reads
    writes = cluster.log().split(reads, 1)[1]
    assert writes.index("BEGIN") < writes.index("UPDATE annotations SET") < writes.index("statement: COMMIT")
    assert writes.count("BEGIN") == writes.count("statement: COMMIT") == 2 and "ROLLBACK" not in writes
