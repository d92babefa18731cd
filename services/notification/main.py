"""Composition root of the notification service: python -m services.notification.main"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from contracts.topics import Topic
from servicekit.clock import clock_from
from servicekit.runtime import Parts, ServiceSpec, serve
from servicekit.settings import ServiceSettings
from services.notification.api import router
from services.notification.handlers import handlers
from services.notification.sweeper import sweep


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FORVALT_NOTIFICATION_", extra="ignore")

    service_name: str = "notification"
    http_port: int = 8006
    sweep_interval_s: float = Field(default=60.0, gt=0, le=3600, description="how often deadlines are swept")


async def sweep_deadlines(parts: Parts) -> int:
    """The periodic sweep: the sweeper depends on the database, the bus and the tracer only."""
    return await sweep(parts.db, parts.bus, parts.tracer)


def spec(settings: Settings | None = None) -> ServiceSpec:
    """The notification service. Who must act on a case's deadlines comes from the acting municipality's
    configuration (deploy/tenants/*.yaml), which the runtime loads and each unit of work carries."""
    settings = settings or Settings()
    return ServiceSpec(
        name="notification",
        title="Forvalt notification",
        description="Receipts, deadlines and reminders for each municipality.",
        produces=[Topic.NOTIFICATION, Topic.DEADLINES],
        feeds=True,
        migrations_dir=Path(__file__).parent / "migrations",
        routers=[router],
        handlers=handlers,
        periodic=[(settings.sweep_interval_s, sweep_deadlines)],
    )


def main() -> None:
    settings = Settings()
    serve(spec(settings), settings, clock=clock_from(settings))


if __name__ == "__main__":
    main()
