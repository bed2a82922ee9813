"""Storage through SQLAlchemy Core: the tables, the engine (SQLite WAL or PostgreSQL), migrations."""

from __future__ import annotations

import threading
from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone
from pathlib import Path

import msgspec
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from flask import current_app, g

metadata = sa.MetaData()
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}  # a deleted row's id is never given again
# (PostgreSQL's serial ids never are); every later batch migration on SQLite must pass it again

users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("password_hash", sa.String(300)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    **NEVER_REUSE_IDS,
)

tokens = sa.Table(
    "tokens", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False, unique=True),
    sa.Column("kind", sa.String(20), nullable=False),  # "api", or "login" (used once)
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    **NEVER_REUSE_IDS,
)

projects = sa.Table(
    "projects", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(500), nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("label_config", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    **NEVER_REUSE_IDS,
)

tasks = sa.Table(
    "tasks", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("extra", sa.JSON, nullable=False),  # other keys of the imported task, kept
    sa.Column("video_path", sa.Text),  # the task's video file, when it is local
    sa.Column("media", sa.JSON),  # probed facts of the video (fps, frames, size, ...)
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    **NEVER_REUSE_IDS,
)

annotations = sa.Table(
    "annotations", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("task_id", sa.Integer, sa.ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),  # "annotation" or "prediction"
    sa.Column("result", sa.JSON, nullable=False),
    sa.Column("extra", sa.JSON, nullable=False),  # other keys (lead_time, model_version, ...)
    sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    **NEVER_REUSE_IDS,
)

jobs = sa.Table(
    "jobs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("task_id", sa.Integer, sa.ForeignKey("tasks.id", ondelete="CASCADE"), index=True),
    sa.Column("state", sa.String(20), nullable=False),  # queued, running, done, failed, cancelled
    sa.Column("progress", sa.Float, nullable=False, server_default="0"),
    sa.Column("message", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("params", sa.JSON),  # what the runner needs beyond the task (track jobs)
    sa.Column("result", sa.JSON),  # what a done job gives back (track jobs: the new keyframes)
    # who queued it (a job queued by another job belongs to that job's creator): only they and
    # admins see it; None for jobs from before creators were kept
    sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id", name="fk_jobs_created_by", ondelete="SET NULL")),
    sa.Column("owner", sa.String(32)),  # the running attempt's fencing token: only it may update the job
    sa.Column("queue_job", sa.BigInteger),  # on PostgreSQL, its procrastinate job
    **NEVER_REUSE_IDS,
)

sessions = sa.Table(
    "sessions", metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # SHA-256 of the token in the cookie
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),  # seconds since the epoch, by the app's clock
    sa.Column("last_seen_at", sa.Float, nullable=False),
)

user_settings = sa.Table(
    "user_settings", metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),  # "layout", "hotkeys", "regions:<task id>"
    sa.Column("value", sa.JSON, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# The labeling queue: a task open in an annotator's player is locked to them until the lock
# expires (the player refreshes it); a task a user skipped is not offered to them again.
task_locks = sa.Table(
    "task_locks", metadata,
    sa.Column("task_id", sa.Integer, sa.ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("expires_at", sa.Float, nullable=False),  # seconds since the epoch, by the app's clock
)

task_skips = sa.Table(
    "task_skips", metadata,
    sa.Column("task_id", sa.Integer, sa.ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)


def timestamp(value: datetime) -> str:
    """A stored time as RFC 3339 text (SQLite gives it back without its zone: it is UTC)."""
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()


def _json_text(value) -> str:
    return msgspec.json.encode(value).decode()


# JSON columns (results of 100 kB and more) through msgspec: several times faster than json
JSON_ARGS = {"json_serializer": _json_text, "json_deserializer": msgspec.json.decode}


def make_engine(url: str) -> sa.Engine:
    """An engine for the URL; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **JSON_ARGS)

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record):
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # a killed process loses nothing committed
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True,
                            connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS}, **JSON_ARGS)


# what the driver raises when the database cannot be reached (down, restarting, connections cut)
UNAVAILABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.DisconnectionError)
CONNECT_TIMEOUT_SECONDS = 10  # a PostgreSQL host that stops answering is unavailable, not a hang


def is_sqlite(url: str | None) -> bool:
    """Whether a database URL (None: the default) is SQLite."""
    return url is None or sa.make_url(url).get_backend_name() == "sqlite"


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL as libpq (psycopg's connection pool) takes it: no driver name."""
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def upgrade(engine: sa.Engine) -> None:
    """Bring the schema to the newest migration (creating it on an empty database), in one
    transaction."""
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    migrating = _sqlite_migration_engine(engine.url) if engine.dialect.name == "sqlite" else engine
    try:
        with migrating.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            if migrating is not engine:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
    finally:
        if migrating is not engine:
            migrating.dispose()


def _sqlite_migration_engine(url: sa.URL) -> sa.Engine:
    """A one-connection engine for migrating SQLite: foreign keys off (a table rebuilt by a batch
    migration is dropped, which would cascade into the tables that reference it; they are checked
    before the commit instead), and transactions begun by us, so that DDL is inside them and the
    write lock is taken at once (pysqlite begins only before DML by itself)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args={"timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _connect(connection, _record):
        connection.isolation_level = None
        connection.execute("PRAGMA foreign_keys=OFF")

    @sa.event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def init_app(app) -> None:
    """Create the engine, migrate, and hand out one connection per request."""
    engine = make_engine(app.config["DATABASE_URL"])
    upgrade(engine)
    app.extensions["tracklabel.engine"] = engine
    # SQLite has one writer at a time, and a writer that finds the lock taken sleeps in steps of
    # up to 100 ms: this process's writers queue on a lock instead (other processes still wait
    # on the busy timeout)
    app.extensions["tracklabel.write_lock"] = threading.RLock() if engine.dialect.name == "sqlite" else None
    app.teardown_appcontext(_close_connection)


def engine() -> sa.Engine:
    return current_app.extensions["tracklabel.engine"]


def connection() -> sa.Connection:
    """The request's connection. On PostgreSQL its reads are autocommitted: each statement sees
    what is committed, as in a READ COMMITTED transaction, without the BEGIN and ROLLBACK round
    trips (two of the five statements of a request that reads). Writes begin a transaction
    (`write`)."""
    if "db" not in g:
        g.db = engine().connect()
        if g.db.dialect.name == "postgresql":
            g.db.execution_options(isolation_level="AUTOCOMMIT")
    return g.db


@contextmanager
def write():
    """A write transaction on the request's connection (ending the read it may have begun)."""
    conn = connection()
    if conn.in_transaction():
        conn.commit()
    autocommit = conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
    if autocommit:
        conn.execution_options(isolation_level=conn.default_isolation_level)
    try:
        with current_app.extensions["tracklabel.write_lock"] or nullcontext(), conn.begin():
            yield conn
    finally:
        if autocommit:  # the request's reads after the write are autocommitted again
            conn.execution_options(isolation_level="AUTOCOMMIT")


def _close_connection(_exc=None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()
