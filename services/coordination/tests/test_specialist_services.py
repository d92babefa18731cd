"""Needs under both the municipal act and the specialist or mental-health acts: the assessment records the
specialist services involved, the individual plan informs them, and the municipality coordinates: the plan is held
by one of its coordinating units, never by a specialist service."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest
from fastapi import FastAPI

from contracts.coordination import ProposedResult, ReferralAssessed, ReferralKind, RequestedRight
from servicekit.actor import Actor
from servicekit.consumer import Outcome as Delivery
from servicekit.errors import Conflict, DomainError
from servicekit.testing import emitted, fields_named, runtime_of
from services.coordination import commands
from services.coordination.db import Referrals
from services.coordination.domain import (
    Plan,
    Proposal,
    Referral,
    RightOutcome,
    check_plan_unit,
    check_specialist_services,
)
from services.coordination.tests.support import ALESUND, auth, decision_made, deliver, referral_event
from services.coordination.tests.test_api import GRANT_BOTH, JUDGEMENT, _opened
from services.coordination.tests.test_use_cases_routine import _event, _run

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
KE = Actor("kari", ALESUND, frozenset({"caseworker"}))
SPECIALISTS = ("bup_alesund", "dps_nordre_sunnmore")


# --- the rules ----------------------------------------------------------------------------------


def test_the_plan_is_held_by_a_coordinating_unit_never_by_a_specialist_service() -> None:
    check_plan_unit("ke_habilitation", {"ke_habilitation"}, SPECIALISTS)
    with pytest.raises(Conflict) as specialist:
        check_plan_unit("bup_alesund", {"ke_habilitation", "bup_alesund"}, SPECIALISTS)
    assert specialist.value.field == "unit"
    with pytest.raises(Conflict) as elsewhere:
        check_plan_unit("home_care", {"ke_habilitation"}, ())
    assert elsewhere.value.field == "unit"


@pytest.mark.parametrize(
    ("services", "word"),
    [(("bup_alesund", "bup_alesund"), "more than once"), (("ke_habilitation",), "is the coordinating unit")],
    ids=["twice", "the-coordinating-unit"],
)
def test_specialist_services_are_named_once_and_are_not_the_coordinating_unit(
    services: tuple[str, ...], word: str
) -> None:
    with pytest.raises(DomainError, match=word) as refused:
        check_specialist_services(services, "ke_habilitation")
    assert refused.value.field == "specialist_services"


def _assessed(*specialists: str) -> Referral:
    referral = Referral(
        id="r-1",
        municipality=ALESUND,
        case_id="case-1",
        kind=ReferralKind.COORDINATION_REFERRAL,
        person_id="person-1",
        requested=(RequestedRight.COORDINATOR, RequestedRight.INDIVIDUAL_PLAN),
        unit="ke_habilitation",
        involves_child=False,
        received_on=date(2026, 11, 20),
        created_at=NOW,
        updated_at=NOW,
    )
    [assessed] = referral.assess(
        KE,
        long_term_need=True,
        different_providers=True,
        providers_seen=(),
        judgement=JUDGEMENT,
        proposals={r: Proposal(ProposedResult.GRANT) for r in referral.requested},
        now=NOW,
        specialist_services=specialists,
    )
    assert isinstance(assessed, ReferralAssessed)
    assert assessed.specialist_services == list(specialists)
    referral.outcomes = {r: RightOutcome.GRANTED for r in referral.requested}
    return referral


def test_the_plan_informs_the_specialist_services_while_the_municipality_holds_it() -> None:
    referral = _assessed(*SPECIALISTS)

    plan, _ = Plan.create(referral, KE, NOW, coordinating_units={"ke_habilitation"})
    participants = referral.plan_participants()

    assert plan.unit == "ke_habilitation"
    assert participants.informed == frozenset(SPECIALISTS)
    assert not participants.informed & participants.units


def test_a_plan_is_not_made_for_a_unit_that_is_not_the_municipalitys_coordinating_unit() -> None:
    referral = _assessed()
    referral.unit = "bup_alesund"

    with pytest.raises(Conflict) as refused:
        Plan.create(referral, KE, NOW, coordinating_units={"ke_habilitation"})

    assert refused.value.field == "unit"


# --- the use case -------------------------------------------------------------------------------


async def test_the_assessment_keeps_the_specialist_services_and_the_plan_informs_them(app: FastAPI) -> None:
    event = referral_event(ALESUND)
    await _event(app, commands.open_referral, event, ALESUND)
    async with runtime_of(app).db.unit_of_work(KE) as uow:
        found = await Referrals(uow).by_case(event.data.case_id)
    assert found is not None
    proposals = {r: Proposal(ProposedResult.GRANT) for r in found.requested}
    assess = commands.AssessReferral(found.id, True, True, JUDGEMENT, proposals, specialist_services=SPECIALISTS)
    await _run(app, KE, commands.assess_referral, assess)
    await _run(app, KE, commands.request_decisions, commands.RequestDecisions(found.id))
    made = decision_made(ALESUND, found.case_id, found.person_id, "coordinator", "individual_plan")
    await _event(app, commands.record_decision, made, ALESUND)

    view = await _run(app, KE, commands.create_plan, commands.CreatePlan(found.id))

    assert view.plan.unit == "ke_habilitation"
    assert view.referral.plan_participants().informed == frozenset(SPECIALISTS)
    async with runtime_of(app).db.unit_of_work(KE) as uow:
        saved = await Referrals(uow).get(found.id)
    assert saved.assessment is not None
    assert saved.assessment.specialist_services == SPECIALISTS


# --- over HTTP ----------------------------------------------------------------------------------


async def test_the_specialist_services_show_on_the_assessment_and_the_plan_informs_them(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    referral = await _opened(app, client, ALESUND)
    headers = auth(app, ALESUND)
    body = {
        "long_term_need": True,
        "services_from_different_providers": True,
        "judgement": JUDGEMENT,
        "proposals": GRANT_BOTH,
        "specialist_services": list(SPECIALISTS),
    }

    assessed = await client.put(f"/referrals/{referral['id']}/assessment", json=body, headers=headers)

    assert assessed.status_code == 200, assessed.text
    assert assessed.json()["assessment"]["specialist_services"] == list(SPECIALISTS)
    [event] = await emitted(app, ReferralAssessed)
    assert event.specialist_services == list(SPECIALISTS)


async def test_a_granted_plan_lists_the_specialist_services_it_informs_and_stays_the_municipalitys(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    referral = await _opened(app, client, ALESUND)
    headers = auth(app, ALESUND)
    body = {
        "long_term_need": True,
        "services_from_different_providers": True,
        "judgement": JUDGEMENT,
        "proposals": GRANT_BOTH,
        "specialist_services": ["bup"],
    }
    assert (await client.put(f"/referrals/{referral['id']}/assessment", json=body, headers=headers)).status_code == 200
    assert (await client.post(f"/referrals/{referral['id']}/decision-requests", headers=headers)).status_code == 200
    made = decision_made(ALESUND, referral["case_id"], "person-1", "coordinator", "individual_plan")
    assert await deliver(app, made) is Delivery.PROCESSED
    created = await client.post(f"/referrals/{referral['id']}/plan", headers=headers)
    assert created.status_code == 201, created.text

    read = await client.get(f"/plans/{created.json()['id']}", headers=headers)

    assert read.status_code == 200, read.text
    assert (read.json()["unit"], read.json()["informs"]) == ("ke_habilitation", ["bup"])
    assert "bup" not in read.json()["participants"]


@pytest.mark.parametrize(
    ("services", "field"),
    [
        (["bup_alesund", "bup_alesund"], "specialist_services"),
        (["ke_habilitation"], "specialist_services"),
        (["not a code!"], "specialist_services.0"),
    ],
    ids=["twice", "the-coordinating-unit", "not-a-code"],
)
async def test_bad_specialist_services_are_422_naming_the_field(
    app: FastAPI, client: httpx.AsyncClient, services: list[str], field: str
) -> None:
    referral = await _opened(app, client, ALESUND)
    body = {"long_term_need": True, "judgement": JUDGEMENT, "proposals": GRANT_BOTH, "specialist_services": services}

    response = await client.put(f"/referrals/{referral['id']}/assessment", json=body, headers=auth(app, ALESUND))

    assert response.status_code == 422, response.text
    assert field in fields_named(response.json())
