"""Composition root of the notification service: python -m services.notification.main"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from contracts.topics import Topic
from servicekit.runtime import ServiceSpec, serve
from servicekit.settings import ServiceSettings
from services.notification.api import router
from services.notification.handlers import handlers


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FORVALT_NOTIFICATION_", extra="ignore")

    service_name: str = "notification"
    http_port: int = 8006


def spec() -> ServiceSpec:
    return ServiceSpec(
        name="notification",
        title="Forvalt notification",
        description="Receipts, deadlines and reminders for each municipality.",
        produces=[Topic.NOTIFICATION, Topic.DEADLINES],
        feeds=True,
        migrations_dir=Path(__file__).parent / "migrations",
        routers=[router],
        handlers=handlers,
    )


def main() -> None:
    serve(spec(), Settings())


if __name__ == "__main__":
    main()
