"""Helpers for assessment's tests: the app on a migrated database, tokens, events in, events out."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import Table, select

from contracts.envelope import CloudEvent, EventModel
from contracts.intake import (
    ApplicationRegistered,
    Channel,
    Consent,
    ConsentForm,
    ConsentGiver,
    ConsentScope,
    ConsentWithdrawn,
    Route,
    Sender,
)
from servicekit import testing
from servicekit.calendar import local_date
from servicekit.clock import Clock
from servicekit.consumer import DeadLetter, EventConsumer, Outcome, RetryPolicy
from servicekit.db import OUTBOX, Database, new_id
from servicekit.telemetry import Telemetry
from services.assessment import db as assessment_db
from services.assessment.handlers import handlers
from services.assessment.main import Settings, spec

PROBLEM = "application/problem+json"
TABLES: list[Table] = [
    assessment_db.assessment,
    assessment_db.visit,
    assessment_db.information_request,
    assessment_db.child_best_interests,
    assessment_db.case_access,
    OUTBOX,
]

TOLGA, HOLTALEN, PARTNER = "3426", "5026", "5025"
MENTAL_HEALTH = "mental_health_substance_abuse"

# Where the service's clock stands in these tests (the `clock` fixture), unless a test moves it: Monday
# 23 November 2026, 10:00 in Norway. After the applications arrive (2 November) and before the services
# they recommend start (1 December).
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = local_date(NOW)
# When intake sent the events the tests deliver: the day of the application, the day of the withdrawal.
APPLIED_AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
WITHDRAWN_AT = datetime(2026, 11, 20, 13, 0, tzinfo=UTC)


async def build_app(database_url: str, data_dir: Path, clock: Clock) -> FastAPI:
    """The assessment app on a migrated database, running on `clock`; the lifespan (Kafka, relay) is never run."""
    return await testing.app_for_tests(spec(), Settings, database_url, data_dir, clock)


def auth(
    app: FastAPI, municipality: str = TOLGA, roles: tuple[str, ...] = ("caseworker",), unit: str | None = None
) -> dict[str, str]:
    """A token of `municipality` (Tolga unless told), a caseworker's unless told."""
    return testing.auth(app, municipality, roles, unit=unit)


def unit_auth(app: FastAPI, unit: str = MENTAL_HEALTH, municipality: str = TOLGA) -> dict[str, str]:
    return auth(app, municipality=municipality, roles=("unit",), unit=unit)


def consent(*scopes: str, share_with: tuple[str, ...] = ()) -> Consent:
    return Consent(
        form=ConsentForm.WRITTEN,
        given_by=ConsentGiver.PERSON,
        scope=[ConsentScope(s) for s in ("processing", *scopes)],
        share_with=list(share_with),
    )


def application_event(municipality: str = TOLGA, **overrides: Any) -> CloudEvent[Any]:
    fields: dict[str, Any] = {
        "case_id": new_id(),
        "journal_number": "2026/000001",
        "person_id": "person-1",
        "channel": Channel.DIGITAL_FORM,
        "sender": Sender.APPLICANT,
        "service_code": "home_nursing",
        "received_on": date(2026, 11, 2),
        # Sharing with the partner office that takes Holtålen's partner services, so those cases can be handed over.
        "consent": consent("fetch_from_gp", "fetch_from_hospital", "sharing", share_with=(PARTNER,)),
        "route": Route.ALLOCATION_OFFICE,
    }
    fields.update(overrides)
    data = ApplicationRegistered(**fields)
    return CloudEvent.wrap(
        data, source="/forvalt/intake", subject=data.case_id, municipality=municipality, time=APPLIED_AT
    )


def withdrawal_event(
    case_id: str, municipality: str = TOLGA, withdrawn: tuple[str, ...] = ("fetch_from_gp",), remaining: Any = None
) -> CloudEvent[Any]:
    data = ConsentWithdrawn(
        case_id=case_id,
        withdrawn_scopes=[ConsentScope(s) for s in withdrawn],
        withdrawn_on=date(2026, 11, 20),
        remaining=remaining,
    )
    return CloudEvent.wrap(
        data, source="/forvalt/intake", subject=case_id, municipality=municipality, time=WITHDRAWN_AT
    )


def wrap(data: EventModel, case_id: str, *, sent_at: datetime, municipality: str = TOLGA) -> CloudEvent[Any]:
    return CloudEvent.wrap(data, source="/forvalt/intake", subject=case_id, municipality=municipality, time=sent_at)


def make_consumer(db: Database, telemetry: Telemetry, dead_letters: list[DeadLetter]) -> EventConsumer:
    async def send(letter: DeadLetter) -> None:
        dead_letters.append(letter)

    async def no_sleep(_: float) -> None:
        return None

    return EventConsumer(
        name="assessment",
        handlers=handlers,
        db=db,
        policy=RetryPolicy(max_attempts=3),
        dead_letter=send,
        tracer=telemetry.tracer,
        sleep=no_sleep,
    )


async def deliver(app: FastAPI, event: CloudEvent[Any]) -> Outcome:
    """Hand one intake event to the assessment's own consumer, on the app's own database; it must not dead-letter."""
    deliveries = testing.Deliveries(app)
    outcome = await deliveries.deliver(event)
    assert deliveries.dead_letters == [], deliveries.dead_letters[0].reason
    return outcome


async def open_assessment(
    app: FastAPI, client: httpx.AsyncClient, municipality: str = TOLGA, **overrides: Any
) -> dict[str, Any]:
    """An assessment opened by an ApplicationRegistered, as its home office reads it."""
    event = application_event(municipality, **overrides)
    assert await deliver(app, event) is Outcome.PROCESSED
    headers = auth(app, municipality)
    page = (await client.get("/assessments", params={"case_id": event.subject}, headers=headers)).json()
    [item] = page["items"]
    found = await client.get(f"/assessments/{item['id']}", headers=headers)
    assert found.status_code == 200, found.text
    opened: dict[str, Any] = found.json()
    return opened


async def snapshot(app: FastAPI) -> dict[str, list[str]]:
    """Every row of every table the service writes (inbox aside), to prove a refusal changed nothing."""
    found: dict[str, list[str]] = {}
    async with testing.runtime_of(app).db.engine.connect() as conn:
        for table in TABLES:
            rows = (await conn.execute(select(table))).mappings().all()
            found[table.name] = sorted(repr(sorted(dict(r).items())) for r in rows)
    return found
