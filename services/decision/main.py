"""Composition root of the decision service: python -m services.decision.main"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from contracts.topics import Topic
from servicekit.runtime import ServiceSpec, serve
from servicekit.settings import ServiceSettings
from services.decision.handlers import handlers


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FORVALT_DECISION_", extra="ignore")

    service_name: str = "decision"
    http_port: int = 8003


def spec() -> ServiceSpec:
    return ServiceSpec(
        name="decision",
        title="Forvalt decision",
        description="Allocation meetings, individual decisions, letters, service orders and reviews.",
        produces=[Topic.DECISION],
        migrations_dir=Path(__file__).parent / "migrations",
        handlers=handlers,
    )


def main() -> None:
    serve(spec(), Settings())


if __name__ == "__main__":
    main()
