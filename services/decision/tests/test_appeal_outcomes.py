"""The appeal body's outcome, without a database: what each outcome asks of the case and the appealed decision,
recorded once, and what a decision that carries out the body's decision is."""

from __future__ import annotations

from datetime import date
from itertools import count

import pytest

from contracts.appeals import BodyOutcome
from contracts.deadlines import DeadlineCancelled
from contracts.decision import DecidedBy, DecisionKind, DecisionMade
from servicekit.errors import DomainError
from servicekit.tenants import Authority
from services.decision.domain import (
    AppealOutcome,
    CaseStatus,
    CurrentDecision,
    Decision,
    DecisionClock,
    DecisionStatus,
    FollowUp,
    MadeDecision,
    QuashedDecision,
    Reversal,
    check_not_reopened,
)
from services.decision.tests.test_aggregates import LATER, NOW, a_case, a_draft

BODY = "Statsforvalteren i Trøndelag"


def an_outcome(outcome: BodyOutcome, outcome_id: str = "o-1", decided_on: date = date(2026, 5, 12)) -> AppealOutcome:
    return AppealOutcome(
        outcome_id=outcome_id, appeal_id="ap-1", outcome=outcome, decided_on=decided_on, appeal_body=BODY
    )


def a_made_decision(decided_by: DecidedBy = DecidedBy.OFFICE) -> tuple[Decision, MadeDecision]:
    draft = a_draft()
    draft.decided_by = decided_by
    ids = count(1)
    made = draft.make(
        decided_on=date(2026, 3, 10),
        appeal=None,
        letter_id="l-1",
        language="nb",
        responsible="allocation_office",
        new_id=lambda: f"id-{next(ids)}",
        now=NOW,
    )
    return draft, made


@pytest.mark.parametrize(
    ("outcome", "follow_up"),
    [
        (BodyOutcome.UPHELD, FollowUp.RECORDED),
        (BodyOutcome.DISMISSED, FollowUp.RECORDED),
        (BodyOutcome.WITHDRAWN, FollowUp.RECORDED),
        (BodyOutcome.REVERSED, FollowUp.REVERSAL),
        (BodyOutcome.PARTLY_REVERSED, FollowUp.REVERSAL),
        (BodyOutcome.QUASHED, FollowUp.NEW_TREATMENT),
    ],
)
def test_each_outcome_of_the_appeal_body_asks_for_its_follow_up(outcome: BodyOutcome, follow_up: FollowUp) -> None:
    assert an_outcome(outcome).follow_up is follow_up


@pytest.mark.parametrize("outcome", list(BodyOutcome))
def test_every_outcome_is_recorded_on_the_appealed_decision_once(outcome: BodyOutcome) -> None:
    decision, _ = a_made_decision()

    assert decision.record_appeal_outcome(an_outcome(outcome))
    assert not decision.record_appeal_outcome(an_outcome(outcome))

    assert [o.outcome for o in decision.appeal_outcomes] == [outcome]


def test_after_the_body_decided_the_appeal_no_other_outcome_is_recorded() -> None:
    decision, _ = a_made_decision()
    decision.record_appeal_outcome(an_outcome(BodyOutcome.UPHELD))

    with pytest.raises(DomainError, match=r"already decided the appeal .* \(upheld on 2026-05-12, outcome o-1\)"):
        decision.record_appeal_outcome(an_outcome(BodyOutcome.REVERSED, "o-2"))

    assert len(decision.appeal_outcomes) == 1


def test_after_a_withdrawn_appeal_a_new_appeals_outcome_is_recorded_too() -> None:
    decision, _ = a_made_decision()
    decision.record_appeal_outcome(an_outcome(BodyOutcome.WITHDRAWN))

    assert decision.record_appeal_outcome(an_outcome(BodyOutcome.UPHELD, "o-2"))

    assert [o.outcome_id for o in decision.appeal_outcomes] == ["o-1", "o-2"]


def test_no_outcome_is_recorded_on_a_decision_never_made() -> None:
    draft = a_draft(required=("home_care",))

    with pytest.raises(DomainError, match="was never made"):
        draft.record_appeal_outcome(an_outcome(BodyOutcome.UPHELD))

    assert draft.appeal_outcomes == ()


def test_a_reversal_by_the_body_awaits_a_reversal_decision_that_is_the_bodys_and_supersedes_the_appealed_one() -> None:
    case = a_case(CaseStatus.DECIDED)

    case.receive_reversal(an_outcome(BodyOutcome.PARTLY_REVERSED).reversal_of("d-0"), LATER)

    assert case.status is CaseStatus.AWAITING_DECISION
    assert case.reversal == Reversal("ap-1", "d-0", date(2026, 5, 12), appeal_body=BODY, outcome_id="o-1", partial=True)
    pending = case.pending
    assert (pending.kind, pending.follows) == (DecisionKind.REVERSAL, "d-0")
    for authority in Authority:
        assert pending.decided_by(authority) is DecidedBy.APPEAL_BODY


def test_the_offices_own_reversal_stays_the_offices() -> None:
    case = a_case(CaseStatus.DECIDED)

    case.receive_reversal(Reversal("ap-1", "d-0", date(2026, 3, 24), partial=True), LATER)

    assert case.pending.decided_by(Authority.MEETING) is DecidedBy.OFFICE


def test_a_decision_carrying_out_the_bodys_has_no_appeal_information_and_its_event_none() -> None:
    decision, made = a_made_decision(DecidedBy.APPEAL_BODY)

    assert decision.appeal_right(date(2026, 5, 20), tenant=None, submit_to="office") is None  # type: ignore[arg-type]
    [event] = [e for e in made.events if isinstance(e, DecisionMade)]
    assert (event.decided_by, event.appeal) == (DecidedBy.APPEAL_BODY, None)


def test_a_quashed_decision_is_no_longer_in_force_and_its_clocks_stop() -> None:
    decision, made = a_made_decision()
    clocks: list[DecisionClock] = list(made.clocks)
    assert clocks, "the granted decision has its review clock"

    events = decision.quash(an_outcome(BodyOutcome.QUASHED), clocks)

    assert (decision.status, decision.quashed_on, decision.quashed_by_outcome) == (
        DecisionStatus.QUASHED,
        date(2026, 5, 12),
        "o-1",
    )
    assert all(isinstance(e, DeadlineCancelled) for e in events)
    cancelled = [e for e in events if isinstance(e, DeadlineCancelled)]
    assert [(e.deadline_id, e.reason) for e in cancelled] == [(c.id, "decision_quashed") for c in clocks]


def test_a_quashed_decision_sends_the_case_back_for_a_new_assessment_and_a_first_decision_that_follows_it() -> None:
    case = a_case(CaseStatus.DECIDED, recommendation={"proposed_outcome": "grant"})

    case.receive_quash(an_outcome(BodyOutcome.QUASHED).quash_of("d-0"), LATER)

    assert (case.status, case.recommendation, case.updated_at) == (CaseStatus.REGISTERED, None, LATER)
    assert case.quashed == QuashedDecision("d-0", "o-1", date(2026, 5, 12), BODY)
    assert (case.pending.kind, case.pending.follows) == (DecisionKind.INITIAL, "d-0")
    assert case.pending.decided_by(Authority.MEETING) is DecidedBy.MEETING

    case.decided(DecisionKind.INITIAL, LATER)

    quashed_after: QuashedDecision | None = case.quashed
    assert (case.status, quashed_after, case.pending.follows) == (CaseStatus.DECIDED, None, None)


def test_a_case_whose_decision_was_quashed_takes_a_new_recommendation() -> None:
    current = CurrentDecision("d-1", DecisionKind.REVERSAL, date(2026, 3, 24))
    quashed = QuashedDecision("d-0", "o-1", date(2026, 5, 12), BODY)

    check_not_reopened("case-1", current, by="a recommendation", quashed=quashed)

    with pytest.raises(DomainError, match="not reopened by a recommendation"):
        check_not_reopened("case-1", current, by="a recommendation")
