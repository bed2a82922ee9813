"""`tracklabel serve`, `tracklabel user add` and `tracklabel user password`: the host's commands,
added as a plugin."""

from __future__ import annotations

import os
from pathlib import Path

import click

from tracklabel.core.hookspecs import hookimpl


def _data_options(command):
    command = click.option("--database", metavar="URL",
                           help="SQLAlchemy URL (postgresql://...); default: SQLite in the data folder.")(command)
    return click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
                        default=lambda: os.environ.get("TRACKLABEL_DATA", "tracklabel-data"),
                        show_default="$TRACKLABEL_DATA or ./tracklabel-data",
                        help="Folder for the database, uploads, frame indexes and proxies.")(command)


def _app(data_dir: Path, database: str | None, **config):
    from tracklabel.host import create_app

    if database:
        config["DATABASE_URL"] = database
    return create_app({"DATA_DIR": str(data_dir), **config})


@click.command()
@_data_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--media-root", "media_roots", multiple=True, type=click.Path(file_okay=False),
              help="A folder whose videos tasks may name by path (repeatable).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Request threads of each web process.")
@click.option("--workers", "processes", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Web processes sharing the port (more than one: gunicorn, on PostgreSQL).")
@click.option("--job-threads", type=click.IntRange(0, 64),
              help="Background job threads in each web process [default: 2 with one web process, "
                   "0 with more: run `tracklabel worker`s].")
@click.option("--demo", is_flag=True, help="Create a demo project and print a one-time login URL.")
def serve(data_dir, database, host, port, media_roots, threads, processes, job_threads, demo):
    """Run the host: one process on waitress, or `--workers N` processes on gunicorn."""
    from tracklabel.host import db, jobs

    if processes > 1 and db.is_sqlite(database):
        raise click.UsageError("--workers above 1 needs PostgreSQL (--database postgresql+psycopg://...): "
                               "SQLite serialises writers, so more web processes would only wait on each other")
    if job_threads is None:
        job_threads = 2 if processes == 1 else 0
    config = {"MEDIA_ROOTS": list(media_roots), "WORKERS": job_threads if processes == 1 else 0}
    app = _app(data_dir, database, **config)  # with several processes: only to migrate, once
    if demo:
        from tracklabel.host.demo import prepare_demo

        with app.app_context():
            link = prepare_demo()
        click.echo(f"demo: open http://{host}:{port}{link} (a one-time login link to the player)")
    click.echo(f"serving {data_dir} on http://{host}:{port}")
    if processes == 1:
        from tracklabel.host.server import serve as serve_app

        try:
            serve_app(app, host, port, threads)
        finally:
            jobs.shutdown(app)  # unfinished jobs stay queued for the next start
        return
    from tracklabel.host.gunicorn_server import serve as serve_processes

    with app.app_context():
        db.engine().dispose()  # no connection crosses the fork: each process makes its own app
    del app
    config["WORKERS"] = job_threads
    serve_processes(lambda: _app(data_dir, database, **config), host, port, processes, threads)


@click.group()
def user():
    """Users of the host."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["admin", "annotator"]), required=True)
@click.option("--password", help="A password for the player's login (else token only).")
@_data_options
def user_add(name, role, password, data_dir, database):
    """Create a user and print an API token for it (shown only this once)."""
    from tracklabel.host import db
    from tracklabel.host.auth import add_user
    from tracklabel.host.store import users as user_store

    app = _app(data_dir, database, WORKERS=0)  # a running server owns the jobs
    with app.app_context(), db.engine().begin() as conn:
        if user_store.id_by_name(conn, name) is not None:
            raise click.UsageError(f"user {name!r} exists")
        _, token = add_user(conn, name, role, password)
    click.echo(token)


@user.command("password")
@click.argument("name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="The new password (asked for when not given).")
@_data_options
def user_password(name, password, data_dir, database):
    """Set a user's password; every session they have ends."""
    from tracklabel.host import db
    from tracklabel.host.auth import PASSWORD_LIMIT, set_password
    from tracklabel.host.store import users as user_store

    if not password or len(password) > PASSWORD_LIMIT:
        raise click.BadParameter(f"give 1 to {PASSWORD_LIMIT} characters", param_hint="--password")
    app = _app(data_dir, database, WORKERS=0)
    with app.app_context(), db.engine().begin() as conn:
        user_id = user_store.id_by_name(conn, name)
        if user_id is None:
            raise click.UsageError(f"no user {name!r}")
        set_password(conn, user_id, password)
    click.echo(f"password of {name!r} set; their sessions ended")


@hookimpl
def register_commands(cli):
    cli.add_command(serve)
    cli.add_command(user)
