"""Use cases run against a SQLite unit of work, without HTTP or the consumer: the repository sees the unit of
work's municipality only, and a use case loads, calls the aggregate, saves and emits."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi import FastAPI

from contracts.decision import DecisionMade, LetterIssued, Outcome, ServiceOrdered
from servicekit.actor import Actor
from servicekit.clock import FixedClock
from servicekit.errors import DomainError, NotFound
from servicekit.testing import emitted, runtime_of
from services.decision import cases, commands
from services.decision.config import Municipality
from services.decision.db import DecisionCases, Decisions, Letters, ServiceOrders
from services.decision.domain import CaseStatus, Reasons, ServiceLine
from services.decision.tests.support import SELBU, TOLGA, assessment_completed, oslo

CASEWORKER = Actor("kari", SELBU, frozenset({"caseworker"}))


async def _recommended(app: FastAPI, clock: FixedClock, case_id: str, municipality: str = SELBU) -> None:
    event = assessment_completed(case_id, municipality, at=oslo(2026, 3, 9, 11))
    clock.set(event.time)
    async with runtime_of(app).db.unit_of_work(Actor.service("decision", municipality)) as uow:
        await cases.receive_recommendation(
            cases.Recommendation(Municipality.of(uow.tenant), event.data, event.time), uow
        )
        await uow.commit()


def _granted(case_id: str, municipality: Municipality) -> commands.Decide:
    given = commands.DecisionInput(
        outcome=Outcome.GRANTED,
        services=[ServiceLine("home_nursing", 6.0, date(2026, 3, 16))],
        refused=[],
        legal_basis=None,
        reasons=Reasons(),
        decided_on=None,
    )
    return commands.Decide(place=municipality, case_id=case_id, given=given)


async def test_a_recommendation_received_opens_a_case_awaiting_a_decision(app: FastAPI, clock: FixedClock) -> None:
    await _recommended(app, clock, "case-1")

    async with runtime_of(app).db.unit_of_work(CASEWORKER) as uow:
        case = await DecisionCases(uow).get("case-1")
    assert case is not None
    assert (case.status, case.person_id, case.municipality) == (CaseStatus.AWAITING_DECISION, "p-1", SELBU)
    assert case.recommendation is not None
    assert case.recommendation["assessment_id"] == "a-case-1"


async def test_the_repository_does_not_see_another_municipalitys_case(app: FastAPI, clock: FixedClock) -> None:
    await _recommended(app, clock, "case-t", TOLGA)

    async with runtime_of(app).db.unit_of_work(CASEWORKER) as uow:
        assert await DecisionCases(uow).get("case-t", lock=True) is None
        assert await DecisionCases(uow).page([CaseStatus.AWAITING_DECISION], limit=10, offset=0) == []
        with pytest.raises(NotFound):
            await commands.decide(_granted("case-t", Municipality.of(uow.tenant)), uow)


async def test_a_case_id_of_another_municipality_is_not_taken_over(app: FastAPI, clock: FixedClock) -> None:
    await _recommended(app, clock, "case-1", TOLGA)

    with pytest.raises(DomainError, match="belongs to another municipality"):
        await _recommended(app, clock, "case-1", SELBU)


async def test_deciding_a_case_stores_the_decision_and_its_letter_and_emits_its_events(
    app: FastAPI, clock: FixedClock
) -> None:
    await _recommended(app, clock, "case-1")
    clock.set(oslo(2026, 3, 10, 13))

    async with runtime_of(app).db.unit_of_work(CASEWORKER) as uow:
        decision_id = await commands.decide(_granted("case-1", Municipality.of(uow.tenant)), uow)
        await uow.commit()

    async with runtime_of(app).db.unit_of_work(CASEWORKER) as uow:
        made = await Decisions(uow).get(decision_id)
        case = await DecisionCases(uow).get("case-1")
        assert made is not None
        assert made.letter_id is not None
        letter = await Letters(uow).get(made.letter_id, with_pdf=True)
    assert (made.decided_on, made.drafted_by, made.appeal is not None) == (date(2026, 3, 10), "kari", True)
    assert case is not None
    assert case.status is CaseStatus.DECIDED
    assert letter is not None
    assert letter.pdf is not None
    assert letter.pdf.startswith(b"%PDF")
    assert [e.decision_id for e in await emitted(app, DecisionMade)] == [decision_id]
    assert [e.unit for e in await emitted(app, ServiceOrdered)] == ["home_care"]
    assert [e.letter_id for e in await emitted(app, LetterIssued)] == [made.letter_id]


async def test_a_use_case_that_fails_leaves_nothing_behind(app: FastAPI, clock: FixedClock) -> None:
    await _recommended(app, clock, "case-1")

    async with runtime_of(app).db.unit_of_work(CASEWORKER) as uow:
        place = Municipality.of(uow.tenant)
        await commands.decide(_granted("case-1", place), uow)
        # Not committed (the bus commits): the unit of work rolls back.

    async with runtime_of(app).db.unit_of_work(CASEWORKER) as uow:
        case = await DecisionCases(uow).get("case-1")
        assert await Decisions(uow).page(case_id="case-1", status=None, limit=10, offset=0) == []
    assert case is not None
    assert case.status is CaseStatus.AWAITING_DECISION
    assert await emitted(app, DecisionMade) == []


async def test_another_municipality_sees_none_of_a_decisions_rows(app: FastAPI, clock: FixedClock) -> None:
    await _recommended(app, clock, "case-1")
    async with runtime_of(app).db.unit_of_work(CASEWORKER) as uow:
        decision_id = await commands.decide(_granted("case-1", Municipality.of(uow.tenant)), uow)
        await uow.commit()

    async with runtime_of(app).db.unit_of_work(Actor("tone", TOLGA, frozenset({"caseworker"}))) as uow:
        decisions = Decisions(uow)
        assert await decisions.get(decision_id, lock=True) is None
        assert await decisions.page(case_id=None, status=None, limit=10, offset=0) == []
        assert await decisions.clocks_of([decision_id]) == []
        assert await decisions.current_of("case-1") is None
        assert await ServiceOrders(uow).of_decisions([decision_id]) == []
        assert await Letters(uow).page(case_id="case-1", limit=10, offset=0) == []
    async with runtime_of(app).db.unit_of_work(CASEWORKER) as uow:
        assert [c.decision_id for c in await Decisions(uow).clocks_of([decision_id])] == [decision_id]
        assert len(await ServiceOrders(uow).of_decisions([decision_id])) == 1
