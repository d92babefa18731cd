"""Composition root of the decision service: python -m services.decision.main"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from contracts.topics import Topic
from servicekit.auth import TokenVerifier
from servicekit.clock import clock_from
from servicekit.runtime import serve
from servicekit.settings import ServiceSettings
from servicekit.tenants import Tenants
from services.decision.api import ROUTERS, DecisionSpec
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


def spec(settings: Settings | None = None) -> DecisionSpec:
    """The decision service, bound to its municipalities' configuration (deploy/tenants/*.yaml, each with its
    `decision:` section), validated here: a wrong file stops the start with a message naming the file and the
    field, and so does a municipality without a `decision:` section."""
    settings = settings or Settings()
    tenants = Tenants.load(settings.tenants_dir)
    config = DecisionConfig.from_tenants(tenants)
    return DecisionSpec(
        name="decision",
        title="Forvalt decision",
        description="Allocation meetings, individual decisions, letters, service orders and reviews.",
        produces=[Topic.DECISION, Topic.DEADLINES],
        migrations_dir=Path(__file__).parent / "migrations",
        routers=list(ROUTERS),
        handlers=build_handlers(tenants, config),
        config=config,
        recipients=IntakeRecipients(
            settings.intake_url,
            TokenVerifier(settings.jwt_secret, issuer=settings.jwt_issuer, audience=settings.jwt_audience),
        ),
    )


def main() -> None:
    settings = Settings()
    serve(spec(settings), settings, clock=clock_from(settings))


if __name__ == "__main__":
    main()
