"""`tracklabel serve --workers N`: N web processes under gunicorn, each with gthread workers.

Why gunicorn: waitress serves from one process only. Gunicorn's arbiter forks the processes,
which accept on one shared listening socket, starts a new one when one dies (a kill -9
included), and stops them gracefully (on SIGTERM each finishes the requests it has).

The app is not preloaded into the arbiter: a database engine's connections and the job threads
must not cross a fork, so each process calls its app factory once forked (the serving command
has migrated the database before, so the processes never race to migrate). A process that
starts while the database is down waits for it, telling the arbiter it is alive, rather than
failing to boot: gunicorn stops every process when one fails to boot.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.http.errors import ParseException

from . import db
from .jobs import shutdown
from .requests import largest_body

BOOT_RETRY_SECONDS = 1.0  # between tries to reach the database while a process starts
DRAIN_SECONDS = 120  # a refused body is dropped until the client pauses this long (waitress's channel timeout)

log = logging.getLogger(__name__)


class WebProcesses(BaseApplication):
    """Gunicorn serving `make_app()` on `host:port` from `processes` processes of `threads`
    threads each."""

    def __init__(self, make_app: Callable[[], Flask], host: str, port: int, processes: int, threads: int):
        self.make_app = make_app
        self.worker = None  # this process's gunicorn worker, once forked
        self.settings = {
            "bind": f"{host}:{port}",
            "workers": processes,
            "worker_class": "gthread",
            "threads": threads,
            "keepalive": 5,  # seconds an idle keep-alive connection stays open
            "limit_request_line": 8190,  # the most gunicorn allows (long query strings)
            "proc_name": "tracklabel",
            "post_fork": self._forked,
            "worker_exit": _worker_exit,
            # gunicorn 27's control socket is one path per user ($HOME/.gunicorn/gunicorn.ctl): two
            # servers would take it from each other, and nothing here uses it
            "control_socket_disable": True,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.settings.items():
            if key in self.cfg.settings:  # control_socket_disable: gunicorn 27 on
                self.cfg.set(key, value)

    def _forked(self, _arbiter, worker) -> None:
        self.worker = worker

    def load(self) -> Flask:
        """The app of this process, made once the database answers."""
        while True:
            try:
                app = self.make_app()
                app.wsgi_app = RefusedBodyDrain(app.wsgi_app, largest_body(app) + 1)
                return app
            except db.UNAVAILABLE as exc:
                reason = str(exc).strip().splitlines()[0]
                (self.worker.log if self.worker else log).warning("the database is unavailable (%s); trying again",
                                                                  reason)
            if self.worker is not None:
                self.worker.notify()  # alive: the arbiter must not kill this process for silence
            time.sleep(BOOT_RETRY_SECONDS)


class RefusedBodyDrain:
    """WSGI middleware: once a 413 (a body over its route's limit) is sent, read and drop what
    the client still sends, up to `most` bytes. Gunicorn itself drops only 64 KiB before
    closing, which resets the connection under a client still sending (most do before they
    read), so it would never read the answer; this is what tracklabel's waitress server does."""

    def __init__(self, app, most: int):
        self.app, self.most = app, most

    def __call__(self, environ, start_response):
        refused = False

        def start(status, headers, exc_info=None):
            nonlocal refused
            refused = status.startswith("413")
            return start_response(status, headers, exc_info)

        answer = self.app(environ, start)
        return self._then_drain(answer, environ) if refused else answer

    def _then_drain(self, answer, environ):
        try:
            yield from answer  # each piece is on the wire before the next is asked for
        finally:
            if hasattr(answer, "close"):
                answer.close()
        sock = environ.get("gunicorn.socket")
        if sock is not None:
            sock.settimeout(DRAIN_SECONDS)
        left, body = self.most, environ["wsgi.input"]
        try:
            while left > 0:
                dropped = len(body.read(min(left, 1 << 16)))
                if not dropped:
                    break
                left -= dropped
        except (OSError, ParseException):  # a pause, a reset, a malformed chunk: gunicorn closes
            pass


def _worker_exit(_arbiter, worker) -> None:
    """Stop the process's job threads (their unfinished jobs stay queued)."""
    app = getattr(worker, "wsgi", None)
    if isinstance(app, Flask):
        shutdown(app)


def serve(make_app: Callable[[], Flask], host: str, port: int, processes: int, threads: int) -> None:
    """Serve until the arbiter is stopped (SIGTERM or SIGINT: graceful; SIGQUIT: at once)."""
    WebProcesses(make_app, host, port, processes, threads).run()
