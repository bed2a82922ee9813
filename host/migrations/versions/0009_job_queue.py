"""Jobs on procrastinate (PostgreSQL): its schema (see host/store/job_queue_schema.py for how a procrastinate
upgrade is migrated), the queue's job of each of our jobs (`queue_job`, so a cancel reaches it)
and the fencing token of the attempt that runs it (`owner`: only that attempt may report
progress or end the job). Our jobs left queued or running are queued, each with a queue job."""

import sqlalchemy as sa
from alembic import op

from tracklabel.host.store import job_queue_schema

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

NEVER_REUSE_IDS = {"sqlite_autoincrement": True}  # kept when SQLite rebuilds the table (0003)

# the names host/store/job_queue.py uses, as they were at this revision
QUEUE, TASK = "tracklabel", "tracklabel.run_job"


def upgrade():
    with op.batch_alter_table("jobs", table_kwargs=NEVER_REUSE_IDS) as batch:
        batch.add_column(sa.Column("owner", sa.String(32)))
        batch.add_column(sa.Column("queue_job", sa.BigInteger))
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    job_queue_schema.bring_up_to_date(conn)
    conn.execute(sa.text("UPDATE jobs SET state = 'queued', progress = 0 WHERE state = 'running'"))
    conn.execute(sa.text(
        "UPDATE jobs SET queue_job = (procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL, NULL, "
        "jsonb_build_object('job_id', jobs.id), NULL)::procrastinate_job_to_defer_v1]))[1] "
        "WHERE state = 'queued'"), {"queue": QUEUE, "task": TASK})


def downgrade():
    with op.batch_alter_table("jobs", table_kwargs=NEVER_REUSE_IDS) as batch:
        batch.drop_column("queue_job")
        batch.drop_column("owner")
