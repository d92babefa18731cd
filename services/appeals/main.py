"""Composition root of the appeals service: python -m services.appeals.main"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from contracts.topics import Topic
from servicekit.clock import clock_from
from servicekit.runtime import ServiceSpec, serve
from servicekit.settings import ServiceSettings
from services.appeals.handlers import handlers


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FORVALT_APPEALS_", extra="ignore")

    service_name: str = "appeals"
    http_port: int = 8005


def spec() -> ServiceSpec:
    return ServiceSpec(
        name="appeals",
        title="Forvalt appeals",
        description="Appeals, reversals, forwarding to Statsforvalteren and outcomes.",
        produces=[Topic.APPEALS],
        migrations_dir=Path(__file__).parent / "migrations",
        handlers=handlers,
    )


def main() -> None:
    settings = Settings()
    serve(spec(), settings, clock=clock_from(settings))


if __name__ == "__main__":
    main()
