"""Ids are never given twice (issue 11, item 3): a deleted annotation's id is not reused by the
next one (SQLite AUTOINCREMENT; PostgreSQL's serial ids never are), so a stale write aimed at
it is 404 instead of landing on someone else's annotation; and the migration that makes SQLite
so keeps every row of a database made before it."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from host_support import SEED_CONFIG, Client, make_user
from tracklabel.host import create_app, db, jobs

REGION = {"id": "r1", "type": "videorectangle", "from_name": "box", "to_name": "video",
          "value": {"labels": ["Man"], "framesCount": 10,
                    "sequence": [{"frame": 1, "x": 10, "y": 10, "width": 5, "height": 5, "enabled": True}]}}


@pytest.fixture
def task(admin, project):
    return admin.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": "a.mp4"}}]).json["tasks"][0]


def test_a_stale_write_to_a_deleted_annotation_is_404_not_an_overwrite_of_the_next(annotator, task):
    deleted = annotator.post(f"/api/tasks/{task}/annotations", json={"result": []}).json["id"]
    assert annotator.delete(f"/api/annotations/{deleted}").status_code == 204
    created = annotator.post(f"/api/tasks/{task}/annotations", json={"result": [REGION]}).json
    assert created["id"] != deleted
    response = annotator.put(f"/api/annotations/{deleted}", json={"result": []}, headers={"If-Match": '"1"'})
    assert response.status_code == 404 and response.json["error"] == "not_found"
    assert annotator.delete(f"/api/annotations/{deleted}").status_code == 404
    assert annotator.get(f"/api/annotations/{deleted}/tracks").status_code == 404
    assert annotator.get(f"/api/annotations/{created['id']}").json["result"] == created["result"]


def _row(table: str, n: int) -> dict:
    """Values for a new row of `table` (its parents are the first rows of theirs)."""
    return {"users": {"name": f"u{n}", "role": "annotator"},
            "tokens": {"user_id": 1, "digest": f"{n:064d}", "kind": "api"},
            "projects": {"title": f"p{n}", "label_config": SEED_CONFIG},
            "tasks": {"project_id": 1, "data": {"video": "a.mp4"}, "extra": {}},
            "annotations": {"task_id": 1, "kind": "annotation", "result": [], "extra": {}, "version": 1},
            "jobs": {"kind": "index", "task_id": 1, "state": "done"}}[table]


@pytest.mark.parametrize("table", ["users", "tokens", "projects", "tasks", "annotations", "jobs"])
def test_no_table_gives_a_deleted_id_again(app, table):
    rows = db.metadata.tables
    with app.app_context(), db.engine().begin() as conn:
        for parent in ("users", "projects", "tasks"):
            conn.execute(rows[parent].insert().values(**_row(parent, 0)))
        first = conn.execute(rows[table].insert().values(**_row(table, 1))).inserted_primary_key[0]
        last = conn.execute(rows[table].insert().values(**_row(table, 2))).inserted_primary_key[0]
        conn.execute(rows[table].delete().where(rows[table].c.id == last))
        again = conn.execute(rows[table].insert().values(**_row(table, 3))).inserted_primary_key[0]
    assert first < last < again


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    return config


def _alembic(connection, revision: str) -> None:
    config = _config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _contents(engine, tables) -> dict:
    """Every row of each table, as reflected from the database."""
    meta = sa.MetaData()
    with engine.connect() as conn:
        return {name: [dict(r) for r in conn.execute(sa.select(sa.Table(name, meta, autoload_with=conn))
                                                     .order_by(sa.text("id"))).mappings()]
                for name in tables}


def test_upgrading_a_database_made_at_0002_keeps_every_row(tmp_path, database_url):
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        _alembic(conn, "0002")
        meta = sa.MetaData()
        table = {name: sa.Table(name, meta, autoload_with=conn)
                 for name in ("users", "tokens", "projects", "tasks", "annotations", "jobs")}
        for n in range(3):
            conn.execute(table["users"].insert().values(name=f"user{n}", role="annotator", password_hash=None))
            conn.execute(table["tokens"].insert().values(user_id=n + 1, digest=f"{n:064d}", kind="api"))
            conn.execute(table["projects"].insert().values(title=f"p{n}", label_config=SEED_CONFIG))
            conn.execute(table["tasks"].insert().values(project_id=1, data={"video": f"{n}.mp4"}, extra={"n": n}))
            conn.execute(table["annotations"].insert().values(task_id=n + 1, kind="annotation", result=[REGION],
                                                              extra={"lead_time": n}, author_id=n + 1, version=n + 1))
            conn.execute(table["jobs"].insert().values(kind="index", task_id=n + 1, state="done", progress=1.0,
                                                       message="", params={"n": n}, result=None))
    before = _contents(engine, table)
    engine.dispose()

    app = create_app({"DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": database_url, "TESTING": True})
    try:
        after = _contents(app.extensions["tracklabel.engine"], table)
        for name in table:
            added = {"created_by", "description", "owner", "queue_job"}  # columns of later migrations
            assert [{k: v for k, v in row.items() if k not in added} for row in after[name]] == before[name], name
        assert all(row["created_by"] is None for row in after["jobs"])
        assert all(row["description"] == "" for row in after["projects"])
        user = Client(app, make_user(app, "admin", "admin"))
        assert user.get("/api/annotations/3").json["result"] == [REGION]
        assert user.delete("/api/annotations/3").status_code == 204
        assert user.post("/api/tasks/1/annotations", json={"result": []}).json["id"] == 4
        with app.extensions["tracklabel.engine"].connect() as conn:
            version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            assert version == ScriptDirectory.from_config(_config()).get_current_head()
            if conn.dialect.name == "sqlite":
                sql = dict(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all())
                assert all("AUTOINCREMENT" in sql[name] for name in table), sql
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        jobs.shutdown(app)
        app.extensions["tracklabel.engine"].dispose()
