"""Alembic environment of the decision service."""

from servicekit.migrate import run_env
from services.decision.db import metadata

run_env(metadata)
