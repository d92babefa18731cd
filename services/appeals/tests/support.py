"""Helpers for appeals's tests: the app on a migrated database, tokens, and the decisions, mailbox receipts and
appeal-body outcomes that reach the service as events."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from contracts.appeals import AppealBodyOutcome, BodyOutcome, LetterDelivered
from contracts.decision import AppealInformation, DecidedBy, DecidedService, DecisionKind, DecisionMade, Outcome
from contracts.envelope import CloudEvent, EventModel
from servicekit import testing
from servicekit.clock import Clock
from servicekit.consumer import Outcome as Delivery
from servicekit.db import new_id
from services.appeals.main import Settings, spec

TOLGA, SELBU, HOLTALEN = "3426", "5032", "5026"

# Tuesday 1 December 2026, 10:00 in Norway.
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DECIDED_ON = date(2026, 11, 2)  # a Monday: by post (3 working days) it reaches the person on Thursday 5 November


async def build_app(database_url: str, data_dir: Path, clock: Clock) -> FastAPI:
    return await testing.app_for_tests(spec(), Settings, database_url, data_dir, clock)


def auth(
    app: FastAPI, municipality: str = TOLGA, roles: tuple[str, ...] = ("caseworker",), unit: str | None = None
) -> dict[str, str]:
    return testing.auth(app, municipality, roles, unit=unit)


def wrap(data: EventModel, municipality: str, *, source: str) -> CloudEvent[Any]:
    case_id = getattr(data, "case_id")  # noqa: B009 - every event names its case
    at = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    return CloudEvent.wrap(data, source=source, subject=case_id, municipality=municipality, time=at)


def decision_made(
    municipality: str = TOLGA,
    *,
    case_id: str = "case-1",
    decision_id: str | None = None,
    codes: tuple[str, ...] = ("home_nursing",),
    decided_on: date = DECIDED_ON,
    weeks: int = 4,
    rule: str = "pasient- og brukerrettighetsloven § 7-5",
    appeal_body: str = "Statsforvalteren",
    letter_id: str | None = "letter-1",
    supersedes: str | None = None,
) -> CloudEvent[Any]:
    data = DecisionMade(
        decision_id=decision_id or new_id(),
        case_id=case_id,
        person_id="person-1",
        kind=DecisionKind.INITIAL,
        outcome=Outcome.REFUSED,
        services=[DecidedService(service_code=c, start_on=decided_on) for c in codes],
        legal_basis=["helse- og omsorgstjenesteloven § 3-2 første ledd nr. 6 bokstav a"],
        decided_on=decided_on,
        decided_by=DecidedBy.OFFICE,
        appeal=AppealInformation(
            appeal_body=appeal_body,
            submit_to="Forvaltningskontoret",
            deadline_weeks=weeks,
            deadline_on=date(2026, 11, 30),
            legal_basis=rule,
        ),
        supersedes=supersedes,
        letter_id=letter_id,
    )
    return wrap(data, municipality, source="/forvalt/decision")


def letter_delivered(
    municipality: str = TOLGA,
    *,
    letter_id: str = "letter-1",
    case_id: str = "case-1",
    delivered_on: date = date(2026, 11, 3),
    receipt_id: str = "receipt-1",
) -> CloudEvent[Any]:
    data = LetterDelivered(receipt_id=receipt_id, letter_id=letter_id, case_id=case_id, delivered_on=delivered_on)
    return wrap(data, municipality, source="/mailbox-adapter")


def body_outcome(
    forwarding_id: str,
    municipality: str = TOLGA,
    *,
    case_id: str = "case-1",
    outcome: BodyOutcome = BodyOutcome.QUASHED,
    decided_on: date = date(2026, 11, 30),
    outcome_id: str = "outcome-1",
) -> CloudEvent[Any]:
    data = AppealBodyOutcome(
        outcome_id=outcome_id, forwarding_id=forwarding_id, case_id=case_id, outcome=outcome, decided_on=decided_on
    )
    return wrap(data, municipality, source="/appeal-body-adapter")


async def deliver(app: FastAPI, event: CloudEvent[Any]) -> Delivery:
    """Hand one event to appeals's own consumer; it must not dead-letter."""
    deliveries = testing.Deliveries(app)
    outcome = await deliveries.deliver(event)
    assert deliveries.dead_letters == [], deliveries.dead_letters[0].reason
    return outcome
