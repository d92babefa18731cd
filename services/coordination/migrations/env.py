"""Alembic environment of the coordination service."""

from servicekit.migrate import run_env
from services.coordination.db import metadata

run_env(metadata)
