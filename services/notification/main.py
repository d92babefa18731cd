"""Composition root of the notification service: python -m services.notification.main"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from contracts.topics import Topic
from servicekit.clock import clock_from
from servicekit.runtime import ServiceSpec, serve
from servicekit.settings import ServiceSettings
from servicekit.tenants import Tenants
from services.notification.api import router
from services.notification.handlers import build_handlers
from services.notification.sweeper import sweep


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FORVALT_NOTIFICATION_", extra="ignore")

    service_name: str = "notification"
    http_port: int = 8006
    sweep_interval_s: float = Field(default=60.0, gt=0, le=3600, description="how often deadlines are swept")


def spec(settings: Settings | None = None) -> ServiceSpec:
    """The notification service, bound to its municipalities' configuration (deploy/tenants/*.yaml): who must act
    on a case's deadlines comes from it."""
    settings = settings or Settings()
    tenants = Tenants.load(settings.tenants_dir)
    return ServiceSpec(
        name="notification",
        title="Forvalt notification",
        description="Receipts, deadlines and reminders for each municipality.",
        produces=[Topic.NOTIFICATION, Topic.DEADLINES],
        feeds=True,
        migrations_dir=Path(__file__).parent / "migrations",
        routers=[router],
        handlers=build_handlers(tenants),
        periodic=[(settings.sweep_interval_s, sweep)],
    )


def main() -> None:
    settings = Settings()
    serve(spec(settings), settings, clock=clock_from(settings))


if __name__ == "__main__":
    main()
