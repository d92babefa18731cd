"""Alembic environment of the assessment service."""

from servicekit.migrate import run_env
from services.assessment.db import metadata

run_env(metadata)
