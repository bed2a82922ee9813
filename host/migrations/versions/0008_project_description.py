"""A project's description (what its annotators are asked to do), shown on the Projects page."""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("projects", sa.Column("description", sa.Text, nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("projects", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("description")
