"""Alembic environment: the engine comes from aigis.store.Database, never from a config file."""

from __future__ import annotations

from alembic import context

import aigis.store  # noqa: F401  (registers every table on Base.metadata)
from aigis.store.base import Base

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
