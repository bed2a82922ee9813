"""SQLite never gives a deleted row's id again (AUTOINCREMENT), as PostgreSQL's serial ids
never do: a stale request aimed at a deleted annotation, task or job can only miss (404).
Each table is rebuilt with its rows, in the order of their references (foreign keys are off
while the host migrates SQLite)."""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("users", "tokens", "projects", "tasks", "annotations", "jobs")


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always",
                                  table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade():
    _rebuild(True)


def downgrade():
    _rebuild(False)
