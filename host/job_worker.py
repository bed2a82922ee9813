"""A procrastinate worker that runs the app's jobs (PostgreSQL): in `tracklabel worker`, or on a
thread of a host process whose WORKERS > 0.

It runs up to `concurrency` jobs at a time, each through `job_run` (claim with an owner token,
run, record the end). A transient failure is retried with exponential backoff (JOB_RETRY_SECONDS,
doubling, at most JOB_RETRIES times). The worker's heartbeat (every JOB_HEARTBEAT_SECONDS) tells
the others it lives; its keeper thread runs the housekeeping and, every JOB_RECOVERY_SECONDS,
`job_queue.recover` (jobs of workers silent for JOB_STALLED_SECONDS run again). `stop` interrupts
the running jobs at their next progress report (they go back to the queue) and ends the worker.
"""

from __future__ import annotations

import asyncio
import threading

import procrastinate
from procrastinate.exceptions import JobAborted

from . import db, job_queue, job_run
from .job_keeper import Keeper, housekeeping_chores
from .store import job_queue as queue_store

RESTART_SECONDS = 2.0  # after the worker lost the database, it tries again this long after


class RetryLaterStrategy(procrastinate.BaseRetryStrategy):
    """Procrastinate retries what job_run asked to retry, after the wait it chose."""

    def get_retry_decision(self, *, exception: BaseException, job) -> procrastinate.RetryDecision | None:
        if isinstance(exception, job_run.RetryLater):
            return procrastinate.RetryDecision(retry_in={"seconds": exception.seconds})
        return None


class QueueWorker:
    """The app's procrastinate worker and its keeper."""

    def __init__(self, app, concurrency: int):
        self.app, self.concurrency = app, concurrency
        self.stopping = threading.Event()
        self.keeper = Keeper(app, housekeeping_chores(app) + [(self.recover, lambda: app.config["JOB_RECOVERY_SECONDS"])])
        self.queue = self._queue_app()
        self.thread: threading.Thread | None = None
        self.running = 0  # jobs running now (a stop waits for them, heartbeat on)
        self.running_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    def _queue_app(self) -> procrastinate.App:
        # procrastinate's own connections: fetching and ending each running job, the heartbeat,
        # the listener (the jobs' work goes through the app's engine)
        connector = procrastinate.PsycopgConnector(conninfo=db.libpq_url(self.app.config["DATABASE_URL"]),
                                                   min_size=1, max_size=self.concurrency + 3)
        queue = procrastinate.App(connector=connector)

        @queue.task(name=queue_store.TASK, queue=queue_store.QUEUE, pass_context=True, retry=RetryLaterStrategy())
        def run_job(context, job_id: int) -> str:
            attempt = job_run.Attempt(self.stopping.is_set, retry_in=lambda exc: self.retry_in(context.job.attempts),
                                      requeue=job_queue.defer_again)
            with self.running_lock:
                self.running += 1
            try:
                outcome = job_run.run(self.app, job_id, attempt)
            finally:
                with self.running_lock:
                    self.running -= 1
            if outcome == "cancelled":
                raise JobAborted(f"job {job_id} was cancelled")
            return outcome

        return queue

    def retry_in(self, attempts: int) -> float | None:
        """Seconds before the next attempt after `attempts` failed ones; None when none is left."""
        config = self.app.config
        return None if attempts >= config["JOB_RETRIES"] else config["JOB_RETRY_SECONDS"] * 2 ** attempts

    def recover(self) -> None:
        with db.engine().begin() as conn:
            queued = job_queue.recover(conn, self.app.config["JOB_STALLED_SECONDS"])
        if queued:
            self.app.logger.warning("jobs %s queued again: their worker stopped", queued)

    def start(self) -> None:
        """Run on a thread of its own (with its own event loop), the keeper on another."""
        self.keeper.start()
        self.thread = threading.Thread(target=self._serve, name="tracklabel-queue-worker", daemon=True)
        self.thread.start()

    def run(self) -> None:
        """Run jobs on this thread until `stop`."""
        self.keeper.start()
        self._serve()

    def _serve(self) -> None:
        try:
            asyncio.run(self._main())
        finally:
            self.keeper.stop()

    def stop(self) -> None:
        """Interrupt the running jobs (back to the queue), stop, and wait for the worker's thread."""
        self.stopping.set()
        loop = self._loop
        if loop is not None:
            try:
                loop.call_soon_threadsafe(self._stop.set)
            except RuntimeError:  # the loop has ended already
                pass
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        while not self.stopping.is_set():
            try:
                async with self.queue.open_async():
                    await self._work()
            except Exception:  # e.g. the database went away: try again
                self.app.logger.exception("the job worker stopped; it starts again in %g s", RESTART_SECONDS)
            if not self.stopping.is_set():
                try:
                    await asyncio.wait_for(self._stop.wait(), RESTART_SECONDS)
                except asyncio.TimeoutError:
                    pass

    async def _work(self) -> None:
        """Run procrastinate's worker until `stop` (or until it fails)."""
        config = self.app.config
        worker = asyncio.ensure_future(self.queue.run_worker_async(
            queues=[queue_store.QUEUE], concurrency=self.concurrency, name=f"tracklabel-{id(self):x}",
            install_signal_handlers=False, delete_jobs="successful",
            update_heartbeat_interval=config["JOB_HEARTBEAT_SECONDS"],
            stalled_worker_timeout=config["JOB_STALLED_SECONDS"],
            fetch_job_polling_interval=config["JOB_POLL_SECONDS"],
            abort_job_polling_interval=config["JOB_POLL_SECONDS"]))
        stop = asyncio.ensure_future(self._stop.wait())
        await asyncio.wait([worker, stop], return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        # the running jobs stop at their next progress report; until they have, procrastinate's
        # worker keeps its heartbeat (its shutdown ends the heartbeat first, and a job whose
        # worker is silent would be run again elsewhere while this one still runs it)
        while self.running and not worker.done():
            await asyncio.sleep(0.05)
        if not worker.done():
            worker.cancel()  # procrastinate waits for the running jobs (interrupted: they end soon)
            try:
                await worker
            except asyncio.CancelledError:
                pass
        else:
            worker.result()  # its failure, if it failed
