"""Jobs keep who queued them: only that user and admins may read, cancel or download a job.
Jobs from before have no creator (admins only)."""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

NEVER_REUSE_IDS = {"sqlite_autoincrement": True}  # kept when SQLite rebuilds the table (0003)


def upgrade():
    with op.batch_alter_table("jobs", table_kwargs=NEVER_REUSE_IDS) as batch:
        batch.add_column(sa.Column("created_by", sa.Integer,
                                   sa.ForeignKey("users.id", name="fk_jobs_created_by", ondelete="SET NULL")))


def downgrade():
    with op.batch_alter_table("jobs", table_kwargs=NEVER_REUSE_IDS) as batch:
        batch.drop_constraint("fk_jobs_created_by", type_="foreignkey")
        batch.drop_column("created_by")
