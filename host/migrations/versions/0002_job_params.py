"""Jobs carry their parameters and their result (track jobs: the request and new keyframes)."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("params", sa.JSON))
        batch.add_column(sa.Column("result", sa.JSON))


def downgrade():
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("result")
        batch.drop_column("params")
