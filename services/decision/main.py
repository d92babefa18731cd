"""Composition root of the decision service: python -m services.decision.main"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from fastapi import FastAPI
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from contracts.topics import Topic
from servicekit.clock import Clock, clock_from
from servicekit.runtime import ServiceSpec, create_app, serve
from servicekit.settings import ServiceSettings
from services.decision.api import RecipientsFor, routers
from services.decision.config import DecisionConfig
from services.decision.handlers import build_handlers
from services.decision.recipients import IntakeRecipients


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FORVALT_DECISION_", extra="ignore")

    service_name: str = "decision"
    http_port: int = 8003
    intake_url: str = Field(
        default="http://127.0.0.1:8001", description="intake's API, asked for the name and address on letters"
    )


def spec(settings: Settings | None = None, *, recipients_for: RecipientsFor | None = None) -> ServiceSpec:
    """The decision service: its routes and handlers, and intake's person register for letters (asked with a token
    of the runtime's own verifier). The municipalities' configuration is the runtime's (`runtime.tenants`,
    `uow.tenant`), loaded once and checked at start: a municipality without a `decision:` section stops it."""
    settings = settings or Settings()
    return ServiceSpec(
        name="decision",
        title="Forvalt decision",
        description="Allocation meetings, individual decisions, letters, service orders and reviews.",
        produces=[Topic.DECISION, Topic.DEADLINES],
        migrations_dir=Path(__file__).parent / "migrations",
        routers=routers(recipients_for or partial(IntakeRecipients, settings.intake_url)),
        handlers=build_handlers(),
        check_tenants=DecisionConfig.from_tenants,
    )


def app(settings: Settings, clock: Clock, *, recipients_for: RecipientsFor | None = None) -> FastAPI:
    """The decision service's app, its configuration checked (tests build it without serving it)."""
    return create_app(spec(settings, recipients_for=recipients_for), settings, clock=clock)


def main() -> None:
    settings = Settings()
    serve(spec(settings), settings, clock=clock_from(settings))


if __name__ == "__main__":
    main()
