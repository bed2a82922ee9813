"""The host as a real `tracklabel serve` process on a real SQLite file: racing versioned writes,
a request body of many megabytes, and SIGKILL in the middle of concurrent saves; and as two web
processes (gunicorn) on PostgreSQL: a login holds on both, a body over the limit is refused."""

import http.client
import sqlite3
import subprocess
import threading
import time

import pytest
from host_support import PG_URL, reset_postgres

from server_process import CLI, SEED_CONFIG, Client, Server, add_user, region, setup_project

THREADS = 8


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data = tmp_path_factory.mktemp("served") / "data"
    token = add_user(data)
    server = Server(data)
    try:
        (task,) = setup_project(server.port, token)
        yield server, token, task
    finally:
        server.stop()


def test_racing_puts_on_one_version_have_exactly_one_winner(served):
    server, token, task = served
    clients = [Client(server.port, token) for _ in range(THREADS)]
    status, _, created = clients[0].request("POST", f"/api/tasks/{task}/annotations", {"result": [region("r0")]})
    assert status == 201
    url, version = f"/api/annotations/{created['id']}", created["version"]
    for _ in range(3):
        barrier, answers = threading.Barrier(THREADS), [None] * THREADS

        def put(i):
            barrier.wait(timeout=30)
            answers[i] = clients[i].request("PUT", url, {"result": [region("r0", shift=i)]},
                                            headers={"If-Match": f'"{version}"'})

        threads = [threading.Thread(target=put, args=(i,)) for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        statuses = [a[0] for a in answers]
        assert sorted(statuses) == [200] + [409] * (THREADS - 1), statuses
        winner = statuses.index(200)
        assert all(a[2]["version"] == version + 1 for a in answers if a[0] == 409)
        status, headers, stored = clients[0].request("GET", url)
        assert stored["version"] == version + 1 and headers["ETag"] == f'"{version + 1}"'
        assert stored["result"] == [region("r0", shift=winner)] == answers[winner][2]["result"]
        version += 1
    for client in clients:
        client.close()


def test_answers_without_a_body_keep_the_connection_open(served):
    """A 304 (tracks revalidated by ETag, as the player steps through saved work) and a 204 leave
    the keep-alive connection open, as any other answer does: waitress alone closes it after them."""
    server, token, task = served
    client = Client(server.port, token)
    status, _, created = client.request("POST", f"/api/tasks/{task}/annotations", {"result": [region("r1")]})
    assert status == 201
    tracks = f"/api/annotations/{created['id']}/tracks?from=1&to=50"
    status, headers, _ = client.request("GET", tracks)
    assert status == 200
    socket = client.connection.sock
    status, headers, _ = client.request("GET", tracks, headers={"If-None-Match": headers["ETag"]})
    assert status == 304 and headers.get("Connection", "").lower() != "close"
    status, headers, _ = client.request("DELETE", f"/api/annotations/{created['id']}")
    assert status == 204 and headers.get("Connection", "").lower() != "close"
    assert client.request("GET", f"/api/tasks/{task}")[0] == 200
    assert client.connection.sock is socket  # the same connection throughout
    client.close()


def test_a_body_of_many_megabytes_is_refused_and_the_server_goes_on(served):
    server, token, task = served
    client = Client(server.port, token, timeout=120)
    huge = b'{"result": [' + b" " * (65 * 1024**2) + b"]}"  # over MAX_JSON_BYTES (64 MiB)
    status, _, body = client.request("POST", f"/api/tasks/{task}/annotations", raw=huge)
    assert status == 413 and body["error"] == "too_large"
    client.close()
    client = Client(server.port, token)
    assert client.request("GET", f"/api/tasks/{task}")[0] == 200
    assert client.request("POST", f"/api/tasks/{task}/annotations", raw=b"[" * 100_000)[0] == 400
    client.close()


def test_sigkill_during_concurrent_saves_loses_no_acknowledged_write(tmp_path):
    """Clients create annotations and update them with their versions; the server is killed
    mid-way. After a restart every acknowledged write is stored exactly; a write in flight at
    the kill is either wholly there or not at all."""
    data = tmp_path / "data"
    token = add_user(data)
    server = Server(data)
    try:
        (task,) = setup_project(server.port, token)
        acked, in_flight, failures = {}, {}, []  # annotation id -> (version, result)
        lock, cut = threading.Lock(), []
        deadline = time.monotonic() + 60

        def save(n):
            client, mine = Client(server.port, token, timeout=20), []
            for i in range(2000):
                if time.monotonic() > deadline:
                    return
                result = [region(f"c{n}-r{k}", keyframes=10, shift=i) for k in range(5)]
                if not mine or i % 4 == 0:
                    method, url, headers, aid = "POST", f"/api/tasks/{task}/annotations", {}, None
                else:
                    aid = mine[i % len(mine)]
                    version = acked[aid][0]
                    method, url, headers = "PUT", f"/api/annotations/{aid}", {"If-Match": f'"{version}"'}
                    with lock:
                        in_flight[aid] = (version + 1, result)
                try:
                    status, _, body = client.request(method, url, {"result": result}, headers)
                except (OSError, http.client.HTTPException):
                    with lock:
                        cut.append(n)  # the server is gone: stop
                    return
                if status not in (200, 201) or body["result"] != result:
                    failures.append((method, url, status, body))
                    return
                with lock:
                    acked[body["id"]] = (body["version"], result)
                    in_flight.pop(body["id"], None)
                if aid is None:
                    mine.append(body["id"])

        threads = [threading.Thread(target=save, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        def updated() -> int:  # annotations saved over at least once
            with lock:
                return sum(version > 1 for version, _ in acked.values())

        while (len(acked) < 40 or updated() < 10) and time.monotonic() < deadline - 30 and not failures:
            time.sleep(0.05)
        server.kill()
        server.stop()
        for t in threads:
            t.join(timeout=60)
        assert not failures, failures
        assert len(acked) >= 40 and cut, "the kill should land in the middle of the saves"

        server = Server(data)
        client = Client(server.port, token)
        updated = 0
        for aid, (version, result) in sorted(acked.items()):
            status, _, stored = client.request("GET", f"/api/annotations/{aid}")
            assert status == 200
            got = (stored["version"], stored["result"])
            assert got == (version, result) or got == in_flight.get(aid), f"annotation {aid}"
            updated += version > 1
        assert updated > 0
        client.close()
        with sqlite3.connect(data / "tracklabel.db") as db:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        server.stop()


def test_several_web_processes_are_refused_on_sqlite(tmp_path):
    out = subprocess.run([*CLI, "serve", "--data", str(tmp_path / "data"), "--workers", "2"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "needs PostgreSQL" in out.stderr and "SQLite serialises writers" in out.stderr


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory):
    """`tracklabel serve --workers 2` on TRACKLABEL_TEST_DATABASE_URL, with an admin who has a
    password: (server, token)."""
    if not PG_URL:
        pytest.skip("several web processes need PostgreSQL: set TRACKLABEL_TEST_DATABASE_URL")
    reset_postgres(PG_URL)
    data = tmp_path_factory.mktemp("two-processes") / "data"
    token = add_user(data, password="secret-admin", database=PG_URL)
    server = Server(data, database=PG_URL, workers=2)
    try:
        yield server, token
    finally:
        server.stop()


def test_a_login_made_on_one_process_holds_on_the_other(two_processes):
    """Sign in once, then make requests on new connections until both processes have answered
    some: every one is signed in (the session is in the database, the cookie's key in the data
    folder); after a logout on one, the cookie signs in on neither."""
    server, _ = two_processes
    status, headers, body = Client(server.port).request("POST", "/api/auth/login",
                                                        {"name": "admin", "password": "secret-admin"})
    assert status == 200
    session = {"Cookie": headers["Set-Cookie"].split(";")[0], "X-CSRF-Token": body["csrf_token"]}
    answered_by, workers = set(), set(server.worker_pids())

    def on_a_new_connection(method, url, body=None):
        client = Client(server.port)
        answer = client.request(method, url, body, headers=session)
        answered_by.add(server.pid_serving(client))
        client.close()
        return answer

    for i in range(200):
        status, _, me = on_a_new_connection("GET", "/api/auth/me")
        assert status == 200 and me["user"]["name"] == "admin"
        status, _, project = on_a_new_connection("POST", "/api/projects", {"title": f"p{i}", "label_config":
                                                                           SEED_CONFIG})
        assert status == 201, project  # a cookie write: the CSRF token is checked too
        if answered_by >= workers:
            break
    assert answered_by >= workers, f"only {answered_by} of {workers} answered"
    assert on_a_new_connection("POST", "/api/auth/logout")[0] == 200
    for _ in range(10):
        assert on_a_new_connection("GET", "/api/auth/me")[0] == 401


def test_a_body_over_the_limit_is_refused_by_the_web_processes(two_processes):
    server, token = two_processes
    client = Client(server.port, token, timeout=120)
    (task,) = setup_project(server.port, token)
    huge = b'{"result": [' + b" " * (65 * 1024**2) + b"]}"  # over MAX_JSON_BYTES (64 MiB)
    status, _, body = client.request("POST", f"/api/tasks/{task}/annotations", raw=huge)
    assert (status, body) == (413, {"error": "too_large", "message": f"the request body is over {64 * 1024**2} bytes"})
    status, _, body = client.request("POST", f"/api/tasks/{task}/annotations", {"result": [region("r0")]})
    assert status == 201, body  # the same connection goes on
    client.close()


def test_a_write_that_waits_out_the_sqlite_lock_is_503_and_the_next_one_succeeds(served):
    """Another program holding SQLite's write lock past the busy timeout (30 s): the write is
    refused with 503 database_unavailable and Retry-After, not a 500; reads go on meanwhile."""
    server, token, task = served
    client = Client(server.port, token, timeout=120)
    holder = sqlite3.connect(server.data / "tracklabel.db", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        assert client.request("GET", f"/api/tasks/{task}")[0] == 200
        status, headers, body = client.request("POST", f"/api/tasks/{task}/annotations", {"result": [region("r0")]})
        assert (status, body["error"]) == (503, "database_unavailable") and int(headers["Retry-After"]) > 0
    finally:
        holder.rollback()
        holder.close()
    assert client.request("POST", f"/api/tasks/{task}/annotations", {"result": [region("r0")]})[0] == 201
    client.close()
