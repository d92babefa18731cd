"""Alembic environment of the intake service."""

from servicekit.migrate import run_env
from services.intake.db import metadata

run_env(metadata)
