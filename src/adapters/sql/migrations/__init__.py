"""Alembic migrations (`prorata db upgrade`)."""
