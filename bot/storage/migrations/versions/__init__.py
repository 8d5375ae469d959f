"""Revision files (loaded by Alembic by path)."""
