"""Helpers for coordination's tests: the app on a migrated database, tokens, intake's and decision's events in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from contracts.decision import AppealInformation, DecidedBy, DecidedService, DecisionKind, DecisionMade, Outcome
from contracts.envelope import CloudEvent, EventModel
from contracts.intake import (
    Channel,
    ChildCoordinatorApplicationRegistered,
    Consent,
    ConsentForm,
    ConsentGiver,
    ConsentScope,
    CoordinationNeed,
    CoordinationReferralRegistered,
    Sender,
)
from servicekit import testing
from servicekit.calendar import local_date
from servicekit.clock import Clock
from servicekit.consumer import Outcome as Delivery
from servicekit.db import new_id
from services.coordination.main import Settings, spec

SELBU, HOLTALEN, ALESUND, TOLGA = "5032", "5026", "1508", "3426"

# Monday 23 November 2026, 10:00 in Norway: after the referrals arrive (20 November).
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = local_date(NOW)
RECEIVED_ON = date(2026, 11, 20)
SENT_AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


async def build_app(database_url: str, data_dir: Path, clock: Clock) -> FastAPI:
    return await testing.app_for_tests(spec(), Settings, database_url, data_dir, clock)


def auth(
    app: FastAPI, municipality: str = SELBU, roles: tuple[str, ...] = ("caseworker",), unit: str | None = None
) -> dict[str, str]:
    return testing.auth(app, municipality, roles, unit=unit)


def oral_consent_of_parents() -> Consent:
    return Consent(form=ConsentForm.ORAL, given_by=ConsentGiver.PARENTS, scope=[ConsentScope.PROCESSING])


def wrap(data: EventModel, municipality: str, *, source: str = "/forvalt/intake", at: datetime = SENT_AT) -> Any:
    case_id = getattr(data, "case_id")  # noqa: B009 - every event names its case
    return CloudEvent.wrap(data, source=source, subject=case_id, municipality=municipality, time=at)


def referral_event(municipality: str = SELBU, **overrides: Any) -> CloudEvent[Any]:
    fields: dict[str, Any] = {
        "case_id": new_id(),
        "journal_number": "2026/000042",
        "person_id": "person-1",
        "channel": Channel.HOSPITAL_MESSAGE,
        "sender": Sender.HOSPITAL,
        "requested": [CoordinationNeed.COORDINATOR, CoordinationNeed.INDIVIDUAL_PLAN],
        "received_on": RECEIVED_ON,
        "consent": oral_consent_of_parents(),
    }
    fields.update(overrides)
    result: CloudEvent[Any] = wrap(CoordinationReferralRegistered(**fields), municipality)
    return result


def child_application_event(municipality: str = HOLTALEN, **overrides: Any) -> CloudEvent[Any]:
    fields: dict[str, Any] = {
        "case_id": new_id(),
        "journal_number": "2026/000043",
        "child_person_id": None,
        "expected_birth_on": date(2027, 2, 1),
        "applicant_person_id": "mother-1",
        "co_applicant_person_id": "father-1",
        "channel": Channel.DIGITAL_FORM,
        "sender": Sender.RELATIVE,
        "received_on": RECEIVED_ON,
        "consent": oral_consent_of_parents(),
    }
    fields.update(overrides)
    result: CloudEvent[Any] = wrap(ChildCoordinatorApplicationRegistered(**fields), municipality)
    return result


def decision_made(
    municipality: str,
    case_id: str,
    person_id: str,
    *codes: str,
    outcome: Outcome = Outcome.GRANTED,
    decision_id: str | None = None,
    supersedes: str | None = None,
) -> CloudEvent[Any]:
    data = DecisionMade(
        decision_id=decision_id or new_id(),
        case_id=case_id,
        person_id=person_id,
        kind=DecisionKind.INITIAL,
        outcome=outcome,
        services=[DecidedService(service_code=c, start_on=RECEIVED_ON) for c in codes],
        legal_basis=["helse- og omsorgstjenesteloven § 7-2"],
        decided_on=RECEIVED_ON,
        decided_by=DecidedBy.OFFICE,
        appeal=AppealInformation(
            appeal_body="Statsforvalteren",
            submit_to="Tildelings- og koordineringskontoret",
            deadline_weeks=4,
            deadline_on=date(2026, 12, 21),
            legal_basis="pasient- og brukerrettighetsloven § 7-5",
        ),
        supersedes=supersedes,
    )
    result: CloudEvent[Any] = wrap(data, municipality, source="/forvalt/decision")
    return result


async def deliver(app: FastAPI, event: CloudEvent[Any]) -> Delivery:
    """Hand one event to coordination's own consumer; it must not dead-letter."""
    deliveries = testing.Deliveries(app)
    outcome = await deliveries.deliver(event)
    assert deliveries.dead_letters == [], deliveries.dead_letters[0].reason
    return outcome
