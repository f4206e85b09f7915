"""The schema and its plain reads and writes (SQLAlchemy, Alembic). Imports only studio.errors and studio.blocks:
no web, no live state."""
