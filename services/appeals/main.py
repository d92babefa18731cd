"""Composition root of the appeals service: python -m services.appeals.main"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from contracts.topics import Topic
from servicekit.clock import clock_from
from servicekit.runtime import ServiceSpec, serve
from servicekit.settings import ServiceSettings
from services.appeals.api import complaints, decisions, deviations, router
from services.appeals.handlers import handlers


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FORVALT_APPEALS_", extra="ignore")

    service_name: str = "appeals"
    http_port: int = 8005


def spec() -> ServiceSpec:
    return ServiceSpec(
        name="appeals",
        title="Forvalt appeals",
        description=(
            "When a decision letter reached the person and the appeal deadline that gives; appeals received, late "
            "ones taken up or dismissed, the office's re-examination (reversed, partly reversed, or forwarded to "
            "the appeal body), the appeal body's outcomes; complaints about delivered services to the unit leader; "
            "deviations for the quality system."
        ),
        # An appeal's handling and a complaint's answer start clocks that the notification service keeps.
        produces=[Topic.APPEALS, Topic.DEADLINES],
        migrations_dir=Path(__file__).parent / "migrations",
        routers=[router, decisions, complaints, deviations],
        handlers=handlers,
    )


def main() -> None:
    settings = Settings()
    serve(spec(), settings, clock=clock_from(settings))


if __name__ == "__main__":
    main()
