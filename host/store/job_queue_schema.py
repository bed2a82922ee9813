"""Procrastinate's tables and functions in our PostgreSQL database, kept by our Alembic migrations.

A database that has none gets the schema of the installed procrastinate
(`SchemaManager.get_schema()`), and the name of the newest migration script that schema
includes is recorded in the one-row table `job_queue_schema`. Upgrading procrastinate: bump
its pin in pyproject.toml and add an Alembic revision whose upgrade calls `bring_up_to_date`
again: it applies, in order, the scripts of procrastinate's `sql/migrations` folder named after
the recorded one (each version's `pre` scripts sort before its `post` ones) and records the
newest. Stop the workers and web processes for it, as procrastinate's "easier way" says.
SQLite has no procrastinate schema: its jobs run on the host's thread pool.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from procrastinate.schema import SchemaManager

RECORD = "job_queue_schema"


def _scripts() -> list[Path]:
    """Procrastinate's migration scripts, oldest first."""
    return sorted(Path(SchemaManager.get_migrations_path()).glob("*.sql"))


def _run(conn: sa.Connection, sql: str) -> None:
    conn.exec_driver_sql(sql.replace("%", "%%"))  # no parameters: every % is the script's own


def bring_up_to_date(conn: sa.Connection) -> None:
    """Create procrastinate's schema, or apply the migration scripts newer than the recorded one."""
    newest = _scripts()[-1].name
    if conn.exec_driver_sql("SELECT to_regclass('procrastinate_jobs')").scalar() is None:
        _run(conn, SchemaManager.get_schema())
        conn.exec_driver_sql(f"CREATE TABLE {RECORD} (migration text NOT NULL)")
        conn.execute(sa.text(f"INSERT INTO {RECORD} VALUES (:name)"), {"name": newest})
        return
    applied = conn.exec_driver_sql(f"SELECT migration FROM {RECORD}").scalar_one()
    for script in _scripts():
        if script.name > applied:
            _run(conn, script.read_text(encoding="utf-8"))
    conn.execute(sa.text(f"UPDATE {RECORD} SET migration = :name"), {"name": newest})
