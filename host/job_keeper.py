"""The chores of a process that runs jobs, on a thread of their own: each function is called (in
an app context) at the start and then every so many seconds, until the keeper stops."""

from __future__ import annotations

import threading
import time
from typing import Callable

Chore = tuple[Callable[[], None], Callable[[], float]]  # (function, seconds until it runs again)


class Keeper(threading.Thread):
    def __init__(self, app, chores: list[Chore], name: str = "tracklabel-housekeeping"):
        # a daemon, so an app never shut down cannot hold the process open
        super().__init__(name=name, daemon=True)
        self.app, self.chores = app, chores
        self.stopping = threading.Event()

    def stop(self) -> None:
        """Stop at once (waking the thread from its wait) and wait for it to end."""
        self.stopping.set()
        if self.is_alive():
            self.join()

    def run(self) -> None:
        due = [0.0] * len(self.chores)
        while not self.stopping.is_set():
            for i, (function, interval) in enumerate(self.chores):
                if time.monotonic() >= due[i]:
                    with self.app.app_context():
                        try:
                            function()
                        except Exception:  # reported; the next round tries again
                            self.app.logger.exception("%s failed", function.__name__)
                    due[i] = time.monotonic() + interval()
            self.stopping.wait(max(0.0, min(due) - time.monotonic()))


def housekeeping_chores(app) -> list[Chore]:
    """The app's housekeeping functions (`jobs.register_housekeeping`), every HOUSEKEEPING_SECONDS."""
    from . import jobs

    return [(function, lambda: app.config["HOUSEKEEPING_SECONDS"]) for function in jobs.housekeeping(app)]
