"""Alembic environment: the URL comes from the studio's configuration, the schema from studio.models."""
from alembic import context
from sqlalchemy import create_engine, pool

from studio.config import load_config
from studio.store.models import Base

config = context.config
url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url") or load_config()["DATABASE_URL"]


def run_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connectable = config.attributes.get("connection") or create_engine(url, poolclass=pool.NullPool)
    with connectable.connect() if hasattr(connectable, "connect") else connectable as conn:
        context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
