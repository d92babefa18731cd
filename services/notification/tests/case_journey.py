"""One case's journey as the services announce it, each event at its own instant: from registration through
assessment, a preliminary reply, the decision and an appeal to the appeal body, which quashes it, and the new
assessment that follows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from contracts.appeals import (
    AppealChannel,
    AppealClosed,
    AppealEnd,
    AppealForwarded,
    AppealOutcomeRecorded,
    AppealRegistered,
    Appellant,
    BodyOutcome,
    ForwardedDocument,
)
from contracts.assessment import AssessmentOpened
from contracts.decision import DecidedBy, DecisionKind, DecisionMade, LetterIssued, Outcome
from contracts.envelope import CloudEvent, EventModel
from contracts.intake import ApplicationWithdrawn
from contracts.tests.examples import application_registered

TOLGA = "3426"
CASE = "case-journey"
PERSON = "person-journey"
START = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
BODY = "Statsforvalteren i Trøndelag"
EXPECTED = date(2027, 1, 15)

_SOURCES = {
    "intake": "/forvalt/intake",
    "assessment": "/forvalt/assessment",
    "decision": "/forvalt/decision",
    "appeals": "/forvalt/appeals",
}


def at(data: EventModel, day: float, *, municipality: str = TOLGA) -> CloudEvent[Any]:
    """The event as its service announced it, `day` days after the case was received."""
    source = _SOURCES[data.topic.split(".")[0]]
    case_id: str = getattr(data, "case_id")  # noqa: B009
    return CloudEvent.wrap(
        data, source=source, subject=case_id, municipality=municipality, time=START + timedelta(days=day)
    )


def registered(case_id: str = CASE, person_id: str = PERSON) -> EventModel:
    return application_registered(case_id=case_id, person_id=person_id, journal_number="2026/000042")


def opened(assessment_id: str = "assessment-1", case_id: str = CASE) -> EventModel:
    return AssessmentOpened(assessment_id=assessment_id, case_id=case_id, person_id=PERSON, service_code="home_nursing")


def preliminary_reply(expected: date | None = EXPECTED, case_id: str = CASE) -> EventModel:
    return LetterIssued(
        letter_id="letter-pr", case_id=case_id, kind="preliminary_reply", language="nb", expected_decision_on=expected
    )


def decided(decision_id: str = "decision-1", outcome: Outcome = Outcome.REFUSED, case_id: str = CASE) -> EventModel:
    return DecisionMade(
        decision_id=decision_id,
        case_id=case_id,
        person_id=PERSON,
        kind=DecisionKind.INITIAL,
        outcome=outcome,
        legal_basis=["helse- og omsorgstjenesteloven § 3-2 første ledd nr. 6 bokstav a"],
        decided_on=date(2026, 12, 10),
        decided_by=DecidedBy.OFFICE,
    )


def appealed(case_id: str = CASE) -> EventModel:
    return AppealRegistered(
        appeal_id="appeal-1",
        case_id=case_id,
        decision_id="decision-1",
        person_id=PERSON,
        appellant=Appellant.PERSON,
        received_on=date(2026, 12, 20),
        received_by="allocation_office",
        channel=AppealChannel.DIGITAL,
        helped_by_office=False,
        deadline_on=date(2027, 1, 7),
        late=False,
        handling_due_on=date(2027, 1, 20),
    )


def forwarded(case_id: str = CASE) -> EventModel:
    return AppealForwarded(
        forwarding_id="forwarding-1",
        appeal_id="appeal-1",
        case_id=case_id,
        decision_id="decision-1",
        appeal_body=BODY,
        forwarded_on=date(2027, 1, 10),
        documents=[ForwardedDocument.DECISION, ForwardedDocument.APPEAL],
    )


def appeal_outcome(outcome: BodyOutcome = BodyOutcome.QUASHED, case_id: str = CASE) -> EventModel:
    return AppealOutcomeRecorded(
        outcome_id="outcome-1",
        appeal_id="appeal-1",
        case_id=case_id,
        decision_id="decision-1",
        person_id=PERSON,
        outcome=outcome,
        decided_on=date(2027, 2, 15),
        appeal_body=BODY,
    )


def appeal_closed(ended: AppealEnd, case_id: str = CASE) -> EventModel:
    return AppealClosed(appeal_id="appeal-1", case_id=case_id, ended=ended, closed_on=date(2026, 12, 22))


def withdrawn(case_id: str = CASE) -> EventModel:
    return ApplicationWithdrawn(case_id=case_id, withdrawn_on=date(2026, 11, 20))


def quashed_journey(case_id: str = CASE) -> list[CloudEvent[Any]]:
    """The whole journey, in the order it happened: the last step is the new round of assessment."""
    return [
        at(registered(case_id), 0),
        at(opened(case_id=case_id), 0.01),
        at(preliminary_reply(case_id=case_id), 20),
        at(decided(case_id=case_id), 38),
        at(appealed(case_id), 48),
        at(forwarded(case_id), 69),
        at(appeal_outcome(case_id=case_id), 105),
        at(opened("assessment-2", case_id), 105.01),
    ]
