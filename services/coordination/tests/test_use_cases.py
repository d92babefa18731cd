"""Use cases against a SQLite unit of work, without HTTP: the repository sees the unit of work's municipality only,
a consumed referral opens once, the decisions seen propose the criteria, and a failed use case leaves nothing."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi import FastAPI

from contracts.coordination import DecisionRequested, ProposedResult, ReferralOpened, RequestedRight
from contracts.decision import Outcome
from servicekit.actor import Actor
from servicekit.errors import NotFound
from servicekit.testing import emitted, runtime_of
from services.coordination import commands
from services.coordination.db import Referrals
from services.coordination.domain import Proposal, Status
from services.coordination.tests.support import (
    ALESUND,
    HOLTALEN,
    SELBU,
    child_application_event,
    decision_made,
    referral_event,
)

TOK = Actor("kari", SELBU, frozenset({"caseworker"}))


async def _run_event(app: FastAPI, use_case: object, event: object, municipality: str) -> None:
    async with runtime_of(app).db.unit_of_work(Actor.service("coordination", municipality)) as uow:
        await use_case(event, uow)  # type: ignore[operator]
        await uow.commit()


async def test_a_referral_opens_once_for_the_unit_that_serves_the_person(app: FastAPI) -> None:
    event = referral_event(SELBU)

    await _run_event(app, commands.open_referral, event, SELBU)
    await _run_event(app, commands.open_referral, event, SELBU)

    async with runtime_of(app).db.unit_of_work(TOK) as uow:
        referral = await Referrals(uow).by_case(event.data.case_id)
        _, total = await Referrals(uow).page(unit=None, status=None, case_id=None, limit=10, offset=0)
    assert referral is not None
    assert (referral.unit, referral.status, total) == ("tok", Status.OPEN, 1)
    assert referral.requested == (RequestedRight.COORDINATOR, RequestedRight.INDIVIDUAL_PLAN)
    assert [e.unit for e in await emitted(app, ReferralOpened)] == ["tok"]


async def test_holtalens_child_goes_to_the_childrens_unit_and_an_adult_to_the_office(app: FastAPI) -> None:
    child = child_application_event(HOLTALEN)
    adult = referral_event(HOLTALEN, involves_child=False)

    await _run_event(app, commands.open_child_application, child, HOLTALEN)
    await _run_event(app, commands.open_referral, adult, HOLTALEN)

    opened = {e.case_id: (e.unit, e.person_id) for e in await emitted(app, ReferralOpened)}
    assert opened == {
        child.data.case_id: ("ke_children", "mother-1"),
        adult.data.case_id: ("allocation_office", "person-1"),
    }


async def test_the_repository_does_not_see_another_municipalitys_referral(app: FastAPI) -> None:
    event = referral_event(ALESUND)
    await _run_event(app, commands.open_referral, event, ALESUND)
    async with runtime_of(app).db.unit_of_work(Actor.service("coordination", ALESUND)) as uow:
        found = await Referrals(uow).by_case(event.data.case_id)
    assert found is not None

    async with runtime_of(app).db.unit_of_work(TOK) as uow:
        assert await Referrals(uow).by_case(event.data.case_id) is None
        assert await Referrals(uow).page(unit=None, status=None, case_id=None, limit=10, offset=0) == ([], 0)
        with pytest.raises(NotFound):
            await commands.get_referral(commands.GetReferral(found.id), uow)


async def test_the_decisions_seen_for_the_person_propose_services_from_different_providers(app: FastAPI) -> None:
    event = referral_event(SELBU)
    await _run_event(app, commands.open_referral, event, SELBU)
    await _run_event(app, commands.record_decision, decision_made(SELBU, "case-a", "person-1", "home_nursing"), SELBU)
    await _run_event(app, commands.record_decision, decision_made(SELBU, "case-b", "person-1", "respite"), SELBU)
    await _run_event(app, commands.record_decision, decision_made(SELBU, "case-c", "person-2", "meal_delivery"), SELBU)

    async with runtime_of(app).db.unit_of_work(TOK) as uow:
        referral = await Referrals(uow).by_case(event.data.case_id)
        assert referral is not None
        view = await commands.assess_referral(
            commands.AssessReferral(
                referral.id,
                long_term_need=True,
                different_providers=None,
                judgement="Langvarig behov for hjemmesykepleie og avlastning.",
                proposals={
                    RequestedRight.COORDINATOR: Proposal(ProposedResult.GRANT),
                    RequestedRight.INDIVIDUAL_PLAN: Proposal(ProposedResult.GRANT),
                },
            ),
            uow,
        )
        await uow.commit()

    assert view.providers_seen == ("home_care", "nursing_home")
    assert view.referral.assessment is not None
    assert view.referral.assessment.different_providers is True


async def test_asking_for_the_decisions_and_the_decision_made_answers_the_referral(app: FastAPI) -> None:
    event = referral_event(SELBU)
    await _run_event(app, commands.open_referral, event, SELBU)
    async with runtime_of(app).db.unit_of_work(TOK) as uow:
        referral = await Referrals(uow).by_case(event.data.case_id)
        assert referral is not None
        await commands.assess_referral(
            commands.AssessReferral(
                referral.id,
                long_term_need=True,
                different_providers=True,
                judgement="Tjenester fra sykehuset og hjemmetjenesten.",
                proposals={
                    RequestedRight.COORDINATOR: Proposal(ProposedResult.GRANT),
                    RequestedRight.INDIVIDUAL_PLAN: Proposal(ProposedResult.REFUSE, "Ønsker ikke plan nå."),
                },
            ),
            uow,
        )
        await commands.request_decisions(commands.RequestDecisions(referral.id), uow)
        await uow.commit()
    requested = await emitted(app, DecisionRequested)
    assert {(r.right, r.proposed) for r in requested} == {
        (RequestedRight.COORDINATOR, ProposedResult.GRANT),
        (RequestedRight.INDIVIDUAL_PLAN, ProposedResult.REFUSE),
    }

    made = decision_made(SELBU, event.data.case_id, "person-1", "coordinator", outcome=Outcome.PARTLY_GRANTED)
    await _run_event(app, commands.record_decision, made, SELBU)

    async with runtime_of(app).db.unit_of_work(TOK) as uow:
        answered = await Referrals(uow).get(referral.id)
    assert answered.status is Status.DECIDED
    assert answered.granted(RequestedRight.COORDINATOR)
    assert not answered.granted(RequestedRight.INDIVIDUAL_PLAN)


async def test_a_use_case_that_is_not_committed_leaves_nothing_behind(app: FastAPI) -> None:
    event = referral_event(ALESUND, involves_child=True)
    await _run_event(app, commands.open_referral, event, ALESUND)
    ke = Actor("kari", ALESUND, frozenset({"caseworker"}))
    async with runtime_of(app).db.unit_of_work(ke) as uow:
        referral = await Referrals(uow).by_case(event.data.case_id)
        assert referral is not None
        await commands.record_birth(commands.RecordBirth(referral.id, date(2026, 11, 5)), uow)
        # Not committed (the bus commits): the unit of work rolls back.

    async with runtime_of(app).db.unit_of_work(ke) as uow:
        unchanged = await Referrals(uow).get(referral.id)
    assert (unchanged.born_on, unchanged.home_visit) == (None, None)
