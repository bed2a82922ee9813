"""What waitress itself refuses, against a real `tracklabel serve` over raw sockets (issue 11,
item 7): every refusal is the app's JSON error, and a body over its route's limit is refused as
soon as the headers are in, before it is sent (so before anything buffers it)."""

import json

import pytest

from server_process import Client, Server, add_user, raw_request

JSON_LIMIT = 64 * 1024**2  # the app's MAX_JSON_BYTES
UPLOAD_LIMIT = 2 * 1024**3  # MAX_CONTENT_LENGTH


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("refusals") / "data"
    token = add_user(data, password="secret-admin")
    served = Server(data)
    try:
        yield served, token
    finally:
        served.stop()


def request(port, head: str, body: bytes = b"") -> tuple[int, dict]:
    """Send a request (`head` without the blank line) and the body; (status, JSON answer)."""
    status, headers, payload = raw_request(port, head.encode("latin-1") + b"\r\n\r\n" + body)
    assert headers.get("content-type") == "application/json", (status, headers, payload)
    answer = json.loads(payload)
    assert set(answer) >= {"error", "message"}, answer
    return status, answer


def test_malformed_requests_get_json_errors(server):
    served, token = server
    port, auth = served.port, f"Authorization: Token {token}"
    cases = [
        (f"POST /api/projects HTTP/1.1\r\nHost: x\r\n{auth}\r\nContent-Length: abc", b"", 400, "bad_request"),
        (f"POST /api/projects HTTP/1.1\r\nHost: x\r\n{auth}\r\nContent-Length: -5", b"", 400, "bad_request"),
        (f"POST /api/projects HTTP/1.1\r\nHost: x\r\n{auth}\r\nTransfer-Encoding: chunked", b"zz\r\n{}\r\n0\r\n\r\n",
         400, "bad_request"),
        (f"POST /api/projects HTTP/1.1\r\nHost: x\r\n{auth}\r\nTransfer-Encoding: gzip", b"", 501, "not_implemented"),
        (f"GET /api/projects HTTP/1.1\r\nHost: x\r\nX-Big: {'a' * 300_000}", b"", 431,
         "request_header_fields_too_large"),
    ]
    for head, body, status, error in cases:
        got_status, answer = request(port, head, body)
        assert (got_status, answer["error"]) == (status, error), (head[:80], answer)
    assert Client(port, token).request("GET", "/api/projects")[0] == 200  # and it goes on


def test_a_body_over_its_routes_limit_is_refused_before_it_is_sent(server):
    served, token = server
    port, auth = served.port, f"Authorization: Token {token}"
    for head in (f"POST /api/projects HTTP/1.1\r\nHost: x\r\n{auth}\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {JSON_LIMIT + 1}",
                 f"POST /api/projects/1/tasks HTTP/1.1\r\nHost: x\r\n{auth}\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {10**9}",
                 f"POST /api/projects/1/tasks HTTP/1.1\r\nHost: x\r\n{auth}\r\n"
                 f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {UPLOAD_LIMIT + 1}"):
        status, answer = request(port, head)  # no body sent: the answer comes without it
        limit = UPLOAD_LIMIT if "multipart" in head else JSON_LIMIT
        assert (status, answer) == (413, {"error": "too_large", "message": f"the request body is over {limit} bytes"})


def test_a_chunked_body_is_refused_once_it_passes_the_limit(server):
    served, token = server
    chunk = b"%x\r\n" % (JSON_LIMIT + 1) + b" " * (JSON_LIMIT + 1) + b"\r\n"  # the end is never sent
    status, answer = request(served.port, f"POST /api/projects HTTP/1.1\r\nHost: x\r\nAuthorization: Token {token}\r\n"
                                          f"Content-Type: application/json\r\nTransfer-Encoding: chunked", chunk)
    assert status == 413 and answer["error"] == "too_large"


def test_a_non_ascii_csrf_token_is_403_not_500(server):
    served, _ = server
    client = Client(served.port)
    status, headers, _ = client.request("POST", "/api/auth/login", {"name": "admin", "password": "secret-admin"})
    assert status == 200
    cookie = headers["Set-Cookie"].split(";")[0]
    for token in ("é", "\u2603".encode().decode("latin-1"), "\x80\xff"):
        status, answer = request(served.port, f"POST /api/projects HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n"
                                              f"X-CSRF-Token: {token}\r\nContent-Type: application/json\r\n"
                                              f"Content-Length: 2", b"{}")
        assert (status, answer["error"]) == (403, "csrf")
