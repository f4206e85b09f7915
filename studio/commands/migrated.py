"""The app for a CLI command, on a database migrated to the newest schema first: a fresh machine needs no extra
step before `studio catalog import`, `studio source add` and the rest."""
from __future__ import annotations


def migrated_app():
    from studio.app import create_app
    from studio.config import load_config
    from studio.store.migrate import upgrade
    upgrade(load_config()["DATABASE_URL"])
    return create_app()
