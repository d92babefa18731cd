"""A decision the appeal body quashed, without I/O: the case's next round starts from the beginning with what
opened it, the earlier round keeps its record, and only a quashed outcome, once, opens a round."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from contracts.appeals import AppealOutcomeRecorded, BodyOutcome
from contracts.assessment import AssessmentOpened, ProposedOutcome
from servicekit.actor import Actor
from servicekit.errors import Conflict, DomainError
from servicekit.settings import REPO_ROOT
from servicekit.tenants import Tenants
from services.assessment.domain import (
    APPLICATION,
    NO_ASSIGNMENT,
    Assessment,
    OpenedBecause,
    Opening,
    ServiceLine,
    Status,
    reopening,
)
from services.assessment.iplos import load_variables
from services.assessment.tests.support import NOW, TODAY, TOLGA, application_event

OFFICE = Actor(subject="tove", municipality=TOLGA, roles=frozenset({"caseworker"}))
LATER = NOW + timedelta(days=60)


def completed(**overrides: Any) -> Assessment:
    event = application_event(TOLGA, case_id="case-1", **overrides)
    assessment, _ = Assessment.open(TOLGA, event.data, NOW - timedelta(days=20))
    tenant = Tenants.load(REPO_ROOT / "deploy" / "tenants").get(TOLGA)
    assessment.record_scores(OFFICE, {"personal_hygiene": 3}, TODAY, load_variables(), NOW)
    assessment.recommend(
        OFFICE,
        services=[ServiceLine(service_code=assessment.service_code, start_on=date(2027, 1, 4))],
        legal_basis=None,
        proposed_outcome=ProposedOutcome.GRANT,
        reasons="",
        tenant=tenant,
        now=NOW,
    )
    assessment.complete(OFFICE, load_variables(), NOW)
    assert assessment.status is Status.COMPLETED
    return assessment


def outcome(kind: BodyOutcome = BodyOutcome.QUASHED, outcome_id: str = "outcome-1", **overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "outcome_id": outcome_id,
        "appeal_id": "appeal-1",
        "case_id": "case-1",
        "decision_id": "decision-1",
        "person_id": "person-1",
        "outcome": kind,
        "decided_on": date(2027, 1, 15),
        "appeal_body": "Statsforvalteren i Trøndelag",
    }
    return AppealOutcomeRecorded(**{**fields, **overrides})


def test_a_quashed_decision_opens_the_next_round_of_the_same_case_back_at_the_start() -> None:
    first = completed()

    second, events = first.reopen_quashed(outcome(), LATER)

    assert second.id != first.id
    assert (second.municipality, second.case_id, second.person_id, second.service_code) == (
        TOLGA,
        "case-1",
        "person-1",
        "home_nursing",
    )
    assert (second.round, second.status, second.assignment) == (2, Status.OPEN, NO_ASSIGNMENT)
    assert (second.scores, second.criteria, second.recommendation, second.completed_at) == (None, None, None, None)
    assert (second.visits, second.information_requests, second.grants) == ([], [], [])
    assert second.consent_scope == first.consent_scope
    assert (second.created_at, second.updated_at) == (LATER, LATER)
    assert second.opened_because == OpenedBecause(
        reason=Opening.QUASHED_ON_APPEAL,
        outcome_id="outcome-1",
        appeal_id="appeal-1",
        decision_id="decision-1",
        decided_on=date(2027, 1, 15),
    )
    assert events == [
        AssessmentOpened(assessment_id=second.id, case_id="case-1", person_id="person-1", service_code="home_nursing")
    ]


def test_the_earlier_round_keeps_everything_it_recorded() -> None:
    first = completed()
    before = (first.status, first.scores, first.recommendation, first.completed_at, first.round)

    first.reopen_quashed(outcome(), LATER)

    assert (first.status, first.scores, first.recommendation, first.completed_at, first.round) == before
    assert first.opened_because == APPLICATION


def test_the_new_round_works_like_any_assessment_and_does_not_share_its_lists_with_the_earlier_one() -> None:
    first = completed()
    second, _ = first.reopen_quashed(outcome(), LATER)

    second.consent_scope.append("something")
    second.record_scores(OFFICE, {"dressing": 2}, TODAY, load_variables(), LATER)

    assert second.status is Status.IN_PROGRESS
    assert "something" not in first.consent_scope
    assert first.scores is not None
    assert dict(first.scores.scores) == {"personal_hygiene": 3}


@pytest.mark.parametrize("kind", [k for k in BodyOutcome if k is not BodyOutcome.QUASHED])
def test_no_outcome_but_quashed_opens_a_round(kind: BodyOutcome) -> None:
    first = completed()

    assert reopening([first], outcome(kind), LATER) is None
    with pytest.raises(DomainError, match="does not reopen"):
        first.reopen_quashed(outcome(kind), LATER)


def test_an_outcome_opens_one_round_however_often_it_comes() -> None:
    first = completed()
    opened = reopening([first], outcome(), LATER)
    assert opened is not None
    second, _ = opened

    assert reopening([first, second], outcome(), LATER) is None


def test_a_round_after_a_quashed_round_follows_the_latest_round() -> None:
    first = completed()
    second, _ = first.reopen_quashed(outcome(), LATER)
    second.status = Status.COMPLETED

    opened = reopening([first, second], outcome(outcome_id="outcome-2"), LATER)

    assert opened is not None
    third, _ = opened
    assert (third.round, third.opened_because.outcome_id) == (3, "outcome-2")


def test_a_quashed_decision_while_the_latest_round_is_still_being_assessed_is_refused() -> None:
    first = completed()
    second, _ = first.reopen_quashed(outcome(), LATER)

    with pytest.raises(Conflict, match="round 2 of the case's assessment is open"):
        reopening([first, second], outcome(outcome_id="outcome-2"), LATER)


def test_an_outcome_of_another_case_is_refused() -> None:
    with pytest.raises(DomainError, match="case other"):
        completed().reopen_quashed(outcome(case_id="other"), LATER)


def test_a_case_without_rounds_opens_nothing() -> None:
    assert reopening([], outcome(), LATER) is None
