"""The host's storage layer: SQL lives only in host/store/ (and host/db.py and the migrations),
and job runners exist only in an app that registered them."""

import re
from pathlib import Path

import pytest

from tracklabel import host
from tracklabel.host import create_app, db, jobs

HOST = Path(host.__file__).parent
SQL_HOMES = ("store", "migrations")  # folders whose modules may build SQL, besides db.py
TABLES = "|".join(sorted(db.metadata.tables))
SQL = re.compile(rf"^[ \t]*(import sqlalchemy|from sqlalchemy)|\bsa\.[a-z_]+\(|\bdb\.({TABLES}|metadata)\b|\.execute\(",
                 re.M)


def sql_outside_store(root: Path) -> list[str]:
    """`path:line: text` of each line under `root` that builds or runs SQL outside its homes."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] in SQL_HOMES or relative == Path("db.py"):
            continue
        text = path.read_text()
        for match in SQL.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{relative}:{line}: {text.splitlines()[line - 1].strip()}")
    return found


def test_no_module_outside_the_store_builds_sql():
    assert sql_outside_store(HOST) == []


@pytest.mark.parametrize("line", ["import sqlalchemy as sa", "from sqlalchemy import select",
                                  "rows = conn.execute(query)", "q = sa.select(x)", "t = db.tasks.c.id",
                                  "t = db.user_settings"])
def test_the_check_finds_sql_in_a_blueprint(tmp_path, line):
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "fine.py").write_text("import sqlalchemy as sa\nsa.select(1)\n")
    (tmp_path / "db.py").write_text("import sqlalchemy as sa\n")
    (tmp_path / "routes.py").write_text(f'"""A blueprint."""\n\n{line}\n')
    assert sql_outside_store(tmp_path) == [f"routes.py:3: {line}"]


def test_runners_exist_only_in_an_app_that_registered_them(tmp_path):
    def runner(task_id, progress):
        return None

    plain = create_app({"DATA_DIR": str(tmp_path / "a"), "WORKERS": 0, "TESTING": True})
    given = create_app({"DATA_DIR": str(tmp_path / "b"), "WORKERS": 0, "TESTING": True,
                        "JOB_RUNNERS": {"test-extra": runner}})
    try:
        assert set(jobs.runners(plain)) == {"index", "proxy", "track", "export", "precompute"}
        assert jobs.runners(given)["test-extra"] is runner
        with plain.app_context(), pytest.raises(ValueError, match="no runner for jobs of kind 'test-extra'"):
            jobs.enqueue("test-extra", None, creator=None)
        with given.app_context():
            assert jobs.enqueue("test-extra", None, creator=None) > 0
        from flask import Flask
        assert jobs.runners(Flask("bare")) == {}  # importing the host's modules registers nothing
    finally:
        for app in (plain, given):
            app.extensions["tracklabel.engine"].dispose()
