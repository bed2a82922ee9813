"""`tracklabel worker`: a process that runs background jobs from PostgreSQL's queue, on any
machine that sees the database, the data folder and the media roots; added as a plugin.
`run_worker` builds the same worker from Python (e.g. with more job runners)."""

from __future__ import annotations

import os
import signal

import click

from tracklabel.core.hookspecs import hookimpl

from .commands import _data_options


def run_worker(config: dict) -> None:
    """Run jobs for an app made with `config` (its WORKERS is the concurrency) until SIGTERM or
    SIGINT: the running jobs then go back to the queue at their next progress report."""
    from tracklabel.host import create_app
    from tracklabel.host.job_worker import QueueWorker

    app = create_app({**config, "WORKERS": 0})  # this process's worker is the one below
    worker = QueueWorker(app, config["WORKERS"])
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: worker.stop())
    try:
        worker.run()
    finally:
        app.extensions["tracklabel.engine"].dispose()


@click.command()
@_data_options
@click.option("--concurrency", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Jobs run at once.")
@click.option("--media-root", "media_roots", multiple=True, type=click.Path(file_okay=False),
              help="A folder whose videos tasks may name by path (repeatable), as the web processes have it.")
@click.option("--nice", default=10, show_default=True, type=click.IntRange(0, 19),
              help="Lower the worker's CPU priority by this much, so that on a machine it shares with web "
                   "processes, annotators' requests come first (0: as the web processes).")
def worker(data_dir, database, concurrency, media_roots, nice):
    """Run background jobs (indexing, proxies, exports, tracking) from a PostgreSQL database."""
    if not database or not database.startswith("postgresql"):
        raise click.UsageError("tracklabel worker needs --database postgresql+psycopg://...: "
                               "on SQLite, jobs run inside `tracklabel serve`")
    os.nice(nice)
    click.echo(f"worker on {data_dir}: {concurrency} jobs at once, niceness {os.nice(0)}")
    run_worker({"DATA_DIR": str(data_dir), "DATABASE_URL": database, "MEDIA_ROOTS": list(media_roots),
                "WORKERS": concurrency})


@hookimpl
def register_commands(cli):
    cli.add_command(worker)
