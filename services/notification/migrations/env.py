"""Alembic environment of the notification service."""

from servicekit.migrate import run_env
from services.notification.db import metadata

run_env(metadata)
