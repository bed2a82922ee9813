"""`tracklabel serve`'s server: waitress, answering its own refusals (a malformed Content-Length
or chunk, headers too large, a body over the limit) in the app's JSON, and refusing a body over
its route's limit as soon as the headers are in, before waitress buffers the body (what the
client still sends is then read and dropped, so that it gets the answer instead of a reset), and
keeping the connection open after an answer without a body (204, 304)."""

from __future__ import annotations

import functools
import json
import logging
import socket

from waitress import create_server
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer
from waitress.task import ErrorTask, WSGITask
from waitress.utilities import RequestEntityTooLarge

from .requests import largest_body, route_body_limit


class JsonErrorTask(ErrorTask):
    """Waitress's error response, as `{"error", "message"}` JSON."""

    def execute(self):
        error = self.request.error
        code = "too_large" if error.code == 413 else error.reason.lower().replace(" ", "_")
        body = json.dumps({"error": code, "message": error.body}).encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/json"))
        self.set_close_on_finish()
        self.channel.linger = error.code == 413  # the client may still be sending the body
        self.content_length = len(body)
        self.write(body)


class KeepAliveTask(WSGITask):
    """An answer that keeps an HTTP/1.1 connection open after a 204 or 304 too: waitress takes
    their missing Content-Length for a body of unknown length and closes the connection, so every
    revalidation by ETag would cost the client a new connection."""

    building_header = False

    def build_response_header(self):
        self.building_header = True
        try:
            return super().build_response_header()
        finally:
            self.building_header = False

    def set_close_on_finish(self) -> None:
        keep_alive = self.version == "1.1" and self.request.headers.get("CONNECTION", "").lower() != "close"
        if self.building_header and not self.has_body and keep_alive:
            return  # no body: no length is needed to find the next answer
        super().set_close_on_finish()


class RouteLimitedParser(HTTPRequestParser):
    """A request parser that learns the route's body limit from the headers (`limit_for(method,
    path, content type)`) and refuses a longer Content-Length at once, or a chunked body once
    it grows past the limit."""

    limit_for = None  # set on a subclass per app
    limit = None

    def received(self, data):
        consumed = super().received(data)
        over_waitress = isinstance(self.error, RequestEntityTooLarge)  # over every route's limit
        if self.headers_finished and (self.error is None or over_waitress):
            if self.limit is None:
                self.limit = self.limit_for(self.command, self.path, self.headers.get("CONTENT_TYPE", ""))
            body = len(self.body_rcv) if self.body_rcv is not None else 0
            if over_waitress or max(self.content_length, body) > self.limit:
                self.error = RequestEntityTooLarge(f"the request body is over {self.limit} bytes")
                self.completed = True
        return consumed


class LingeringChannel(HTTPChannel):
    """A connection that, after refusing a body, sends its answer, shuts its sending side and
    reads and drops what the client still sends until it closes (or waitress's channel timeout,
    or as many bytes as waitress would accept): closing at once would reset the connection, and
    a client still sending would never read the answer."""

    linger = False  # set by the error task: linger instead of closing once the answer is out
    lingering = False
    dropped = 0

    def handle_write(self):
        if self.linger and self.close_when_flushed and not self.total_outbufs_len:
            self.linger, self.close_when_flushed, self.lingering = False, False, True
            try:
                self.socket.shutdown(socket.SHUT_WR)
            except OSError:
                self.handle_close()
            return
        super().handle_write()

    def readable(self):
        return self.lingering or super().readable()

    def received(self, data):
        if not self.lingering:
            return super().received(data)
        self.dropped += len(data)
        if self.dropped > self.adj.max_request_body_size:
            self.handle_close()
        return True


def serve(app, host: str, port: int, threads: int) -> None:
    """Serve the app until the process is stopped."""
    limit_for = functools.partial(route_body_limit, app)
    parser = type("AppParser", (RouteLimitedParser,), {"limit_for": staticmethod(limit_for)})
    channel = type("AppChannel", (LingeringChannel,), {"parser_class": parser, "task_class": KeepAliveTask,
                                                "error_task_class": JsonErrorTask})
    sockets = {}
    # waitress's own body limit only backs up the routes' (the largest of them, plus one byte)
    largest = largest_body(app) + 1
    server = create_server(app, map=sockets, host=host, port=port, threads=threads,
                           max_request_body_size=largest, ident="tracklabel")
    for listener in sockets.values():
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = channel
    logging.basicConfig()
    server.print_listen("Serving on http://{}:{}")
    server.run()
