"""What decision's tests need beyond `servicekit.testing`: its municipalities and clock start, the events other
services send, the bodies it is sent, and what it wrote (its tables, its letters' text)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from pypdf import PdfReader

from contracts.appeals import AppealOutcomeRecorded, AppealReversedByOffice, BodyOutcome
from contracts.assessment import AssessmentCompleted, ProposedOutcome, Recommendation, RecommendedService
from contracts.coordination import DecisionRequested, ProposedResult, RequestedRight
from contracts.envelope import CloudEvent, EventModel
from contracts.intake import (
    ApplicationRegistered,
    ApplicationWithdrawn,
    Channel,
    Consent,
    ConsentForm,
    ConsentGiver,
    ConsentScope,
    EmergencyMeasureRegistered,
    Route,
    Sender,
)
from servicekit import testing
from servicekit.clock import FixedClock
from servicekit.consumer import EventConsumer, Outcome
from servicekit.db import OUTBOX
from services.decision import db as decision_db

PROBLEM = "application/problem+json"
TOLGA, SELBU, ALESUND, HOLTALEN = "3426", "5032", "1508", "5026"
OSLO = ZoneInfo("Europe/Oslo")
HOME_NURSING = [
    "helse- og omsorgstjenesteloven § 3-2 første ledd nr. 6 bokstav a",
    "pasient- og brukerrettighetsloven § 2-1 a",
]
REASONS = {
    "facts": "Du bor alene og trenger hjelp med medisiner morgen og kveld.",
    "rules": "Helse- og omsorgstjenesteloven § 3-2 gir rett til nødvendige helsetjenester i hjemmet.",
    "considerations": "Vi har lagt vekt på at behovet kan dekkes med to besøk om dagen.",
}


def oslo(year: int, month: int, day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    """A Norwegian wall-clock moment, as the aware UTC time the services store."""
    return datetime(year, month, day, hour, minute, second, tzinfo=OSLO).astimezone(UTC)


# Where the service's clock (a `FixedClock`, the runtime's one clock) stands when a test starts; a test sets it
# (`clock.set`) to when something happens.
CLOCK_START = oslo(2026, 3, 10, 13)


def auth(
    app: FastAPI,
    municipality: str = SELBU,
    roles: tuple[str, ...] = ("caseworker",),
    *,
    unit: str | None = None,
    subject: str = "kari",
) -> dict[str, str]:
    """`servicekit.testing.auth`, for Selbu's caseworker unless told otherwise."""
    return testing.auth(app, municipality, roles, unit=unit, subject=subject)


def leader(app: FastAPI, unit: str | None, municipality: str = TOLGA, subject: str = "lise") -> dict[str, str]:
    return auth(app, municipality, ("leader",), unit=unit, subject=subject)


# --- the events other services send -------------------------------------------------------------


def wrap(data: EventModel, municipality: str, at: datetime, source: str = "/forvalt/test") -> CloudEvent[Any]:
    subject = str(data.case_id)  # type: ignore[attr-defined]
    return CloudEvent.wrap(data, source=source, subject=subject, municipality=municipality, time=at)


def application_registered(
    case_id: str,
    municipality: str = SELBU,
    *,
    received_on: date = date(2026, 3, 2),
    service_code: str = "home_nursing",
    person_id: str = "p-1",
    at: datetime | None = None,
    route: Route = Route.ALLOCATION_OFFICE,
) -> CloudEvent[Any]:
    data = ApplicationRegistered(
        case_id=case_id,
        journal_number="2026/000017",
        person_id=person_id,
        channel=Channel.DIGITAL_FORM,
        sender=Sender.APPLICANT,
        service_code=service_code,
        received_on=received_on,
        consent=Consent(form=ConsentForm.WRITTEN, given_by=ConsentGiver.PERSON, scope=[ConsentScope.PROCESSING]),
        route=route,
        involves_child=route is Route.CHILDREN_UNIT,
    )
    return wrap(data, municipality, at or datetime.combine(received_on, datetime.min.time(), tzinfo=UTC))


def assessment_completed(
    case_id: str,
    municipality: str = SELBU,
    *,
    at: datetime,
    services: list[tuple[str, float | None]] | None = None,
    proposed: ProposedOutcome = ProposedOutcome.GRANT,
    emergency: bool = False,
    person_id: str = "p-1",
) -> CloudEvent[Any]:
    lines = services or [("home_nursing", 6.0)]
    data = AssessmentCompleted(
        assessment_id=f"a-{case_id}",
        case_id=case_id,
        person_id=person_id,
        completed_by="office",
        recommendation=Recommendation(
            services=[
                RecommendedService(service_code=code, hours_per_week=hours, start_on=date(2026, 3, 16))
                for code, hours in lines
            ],
            legal_basis=HOME_NURSING,
            proposed_outcome=proposed,
        ),
        emergency_measure=emergency,
    )
    return wrap(data, municipality, at, source="/forvalt/assessment")


def emergency_registered(
    case_id: str, municipality: str = TOLGA, *, registered_at: datetime, unit: str = "home_care"
) -> CloudEvent[Any]:
    data = EmergencyMeasureRegistered(
        case_id=case_id,
        journal_number="2026/000031",
        person_id="p-9",
        unit=unit,
        service_code="home_nursing",
        started_at=registered_at,
        registered_at=registered_at,
    )
    return wrap(data, municipality, registered_at, source="/forvalt/intake")


def decision_requested(
    case_id: str,
    municipality: str = SELBU,
    *,
    right: RequestedRight = RequestedRight.INDIVIDUAL_PLAN,
    proposed: ProposedResult = ProposedResult.GRANT,
    at: datetime,
) -> CloudEvent[Any]:
    data = DecisionRequested(
        request_id=f"r-{case_id}-{right.value}",
        case_id=case_id,
        person_id="p-5",
        right=right,
        proposed=proposed,
        requested_by="coordinating_unit",
    )
    return wrap(data, municipality, at, source="/forvalt/coordination")


def reversed_by_office(case_id: str, decision_id: str, municipality: str = SELBU, *, at: datetime) -> CloudEvent[Any]:
    data = AppealReversedByOffice(
        appeal_id=f"appeal-{case_id}", case_id=case_id, decision_id=decision_id, reversed_on=at.date()
    )
    return wrap(data, municipality, at, source="/forvalt/appeals")


def reversed_partly_by_office(
    case_id: str, decision_id: str, municipality: str = SELBU, *, at: datetime
) -> CloudEvent[Any]:
    """The office found the appeal partly justified: it reverses that part, and forwards the rest."""
    data = AppealReversedByOffice(
        appeal_id=f"appeal-{case_id}", case_id=case_id, decision_id=decision_id, reversed_on=at.date(), partial=True
    )
    return wrap(data, municipality, at, source="/forvalt/appeals")


def appeal_outcome(
    case_id: str,
    decision_id: str,
    outcome: BodyOutcome,
    municipality: str = SELBU,
    *,
    at: datetime,
    outcome_id: str | None = None,
) -> CloudEvent[Any]:
    """The appeal body's outcome of the appeal against `decision_id`, as the appeals service records it (a new
    event each time: the same outcome delivered again carries the same `outcome_id`)."""
    data = AppealOutcomeRecorded(
        outcome_id=outcome_id or f"outcome-{case_id}-{outcome.value}",
        appeal_id=f"appeal-{case_id}",
        case_id=case_id,
        decision_id=decision_id,
        person_id="p-1",
        outcome=outcome,
        decided_on=at.date(),
        appeal_body="Statsforvalteren i Trøndelag",
    )
    return wrap(data, municipality, at, source="/forvalt/appeals")


def application_withdrawn(case_id: str, municipality: str = SELBU, *, at: datetime) -> CloudEvent[Any]:
    return wrap(ApplicationWithdrawn(case_id=case_id, withdrawn_on=at.date()), municipality, at)


async def feed(
    consumer: EventConsumer, clock: FixedClock, event: CloudEvent[Any], *, at: datetime | None = None
) -> Outcome:
    """Process an event as the subscriber would, at `at` (default: the moment it was sent)."""
    clock.set(at or event.time)
    return await consumer.process(testing.incoming(event))


async def assessed(
    consumer: EventConsumer,
    clock: FixedClock,
    case_id: str,
    municipality: str = SELBU,
    *,
    at: datetime,
    route: Route = Route.ALLOCATION_OFFICE,
    **kw: Any,
) -> None:
    """A case registered by intake (on `route`) and assessed, with its recommendation submitted at `at`."""
    registered = application_registered(case_id, municipality, route=route)
    assert await feed(consumer, clock, registered, at=at) is Outcome.PROCESSED
    event = assessment_completed(case_id, municipality, at=at, **kw)
    assert await feed(consumer, clock, event) is Outcome.PROCESSED


# --- what the service wrote ---------------------------------------------------------------------


def decision_body(case_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "case_id": case_id,
        "outcome": "granted",
        "services": [{"service_code": "home_nursing", "hours_per_week": 6, "start_on": "2026-03-16"}],
    }
    body.update(overrides)
    return body


WRITE_TABLES = (
    decision_db.decision,
    decision_db.decision_approval,
    decision_db.service_order,
    decision_db.letter,
    decision_db.decision_deadline,
    decision_db.agenda_item,
    decision_db.meeting,
    OUTBOX,
)


async def table_counts(app: FastAPI) -> dict[str, int]:
    return {t.name: await testing.count(app, t) for t in WRITE_TABLES}


_PAGE_FOOTER = re.compile(r".* \d+/\d+$")


def pdf_text(content: bytes) -> str:
    """The PDF's text without page footers, line breaks and runs of spaces as single spaces, to search phrases in
    (a phrase may run across a page break)."""
    pages = []
    for page in PdfReader(BytesIO(content)).pages:
        lines = page.extract_text().splitlines()
        if lines and _PAGE_FOOTER.fullmatch(lines[-1]):
            lines = lines[:-1]
        pages.append(" ".join(lines))
    return re.sub(r"\s+", " ", " ".join(pages)).strip()
