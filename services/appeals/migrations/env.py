"""Alembic environment of the appeals service."""

from servicekit.migrate import run_env
from services.appeals.db import metadata

run_env(metadata)
