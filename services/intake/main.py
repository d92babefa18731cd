"""Composition root of the intake service: python -m services.intake.main"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from contracts.topics import Topic
from servicekit.clock import clock_from
from servicekit.runtime import ServiceSpec, serve
from servicekit.settings import ServiceSettings
from services.intake.api import routers
from services.intake.handlers import handlers


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FORVALT_INTAKE_", extra="ignore")

    service_name: str = "intake"
    http_port: int = 8001


def spec() -> ServiceSpec:
    return ServiceSpec(
        name="intake",
        title="Forvalt intake",
        description="Registers inquiries and applications, persons and consent, for each municipality.",
        produces=[Topic.INTAKE],
        migrations_dir=Path(__file__).parent / "migrations",
        routers=routers,
        handlers=handlers,
    )


def main() -> None:
    settings = Settings()
    serve(spec(), settings, clock=clock_from(settings))


if __name__ == "__main__":
    main()
