"""Composition root of the assessment service: python -m services.assessment.main"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from contracts.topics import Topic
from servicekit.clock import clock_from
from servicekit.runtime import ServiceSpec, serve
from servicekit.settings import ServiceSettings
from services.assessment.api import router
from services.assessment.handlers import handlers


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FORVALT_ASSESSMENT_", extra="ignore")

    service_name: str = "assessment"
    http_port: int = 8002


def spec() -> ServiceSpec:
    return ServiceSpec(
        name="assessment",
        title="Forvalt assessment",
        description=(
            "Assessments: who assesses, visits, information from the GP or hospital, IPLOS scores, the "
            "municipality's criteria, the best interests of the child, the recommendation, and hand-over "
            "to a partner office."
        ),
        # Information requests start clocks that the notification service keeps (deadlines.v1).
        produces=[Topic.ASSESSMENT, Topic.DEADLINES],
        migrations_dir=Path(__file__).parent / "migrations",
        routers=[router],
        handlers=handlers,
    )


def main() -> None:
    settings = Settings()
    serve(spec(), settings, clock=clock_from(settings))


if __name__ == "__main__":
    main()
