"""Alembic environment for the agency server's schema (always run on a connection the server opened)."""

from __future__ import annotations

from alembic import context

from casedesk.server.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
