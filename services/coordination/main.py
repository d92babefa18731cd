"""Composition root of the coordination service: python -m services.coordination.main"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from contracts.topics import Topic
from servicekit.clock import clock_from
from servicekit.runtime import ServiceSpec, serve
from servicekit.settings import ServiceSettings
from services.coordination.api import children, escalations, meetings, plans, reports, router, training
from services.coordination.handlers import handlers


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FORVALT_COORDINATION_", extra="ignore")

    service_name: str = "coordination"
    http_port: int = 8004


def spec() -> ServiceSpec:
    return ServiceSpec(
        name="coordination",
        title="Forvalt coordination",
        description=(
            "Coordination referrals: the coordinating unit's criteria and proposals, the decisions it asks the "
            "office for, the home visit for small children, coordinators appointed, changed and declined, the "
            "services linked in, individual plans, meetings and their minutes, coordinators' training, the "
            "annual report, children's BTI levels and relay logs, and the needs coordinators raise."
        ),
        # A home visit, a child coordinator's end, minutes, training, the annual report and a raised need start
        # clocks that the notification service keeps (deadlines.v1).
        produces=[Topic.COORDINATION, Topic.DEADLINES],
        migrations_dir=Path(__file__).parent / "migrations",
        routers=[router, plans, meetings, training, reports, children, escalations],
        handlers=handlers,
    )


def main() -> None:
    settings = Settings()
    serve(spec(), settings, clock=clock_from(settings))


if __name__ == "__main__":
    main()
