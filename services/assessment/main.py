"""Composition root of the assessment service: python -m services.assessment.main"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from contracts.topics import Topic
from servicekit.runtime import ServiceSpec, serve
from servicekit.settings import ServiceSettings
from services.assessment.handlers import handlers


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FORVALT_ASSESSMENT_", extra="ignore")

    service_name: str = "assessment"
    http_port: int = 8002


def spec() -> ServiceSpec:
    return ServiceSpec(
        name="assessment",
        title="Forvalt assessment",
        description="Assessments, IPLOS scores, criteria and recommendations.",
        produces=[Topic.ASSESSMENT],
        migrations_dir=Path(__file__).parent / "migrations",
        handlers=handlers,
    )


def main() -> None:
    serve(spec(), Settings())


if __name__ == "__main__":
    main()
