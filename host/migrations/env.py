"""Alembic environment: migrations run on the connection the host hands over."""

from alembic import context

from tracklabel.host.db import metadata

context.configure(connection=context.config.attributes["connection"], target_metadata=metadata,
                  render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
