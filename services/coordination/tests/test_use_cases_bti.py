"""BTI, the relay log, the needs a coordinator raises and the home visit planned on arrival, as use cases against
a SQLite unit of work with the municipalities' own configuration."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, TypeVar

import pytest
from fastapi import FastAPI

from contracts.coordination import (
    BtiLevelSet,
    BtiReason,
    CoordinatorRole,
    EscalationReason,
    EscalationResponse,
    HomeVisitPlanned,
    NeedEscalated,
    ProposedResult,
    RelayHolderChanged,
    RelayHolderRole,
    RelayLogOpened,
    RequestedRight,
)
from contracts.deadlines import DeadlineCancelled, DeadlineKind, DeadlineScheduled
from servicekit.actor import Actor
from servicekit.db import UnitOfWork
from servicekit.errors import Conflict, NotFound
from servicekit.testing import emitted, runtime_of
from services.coordination import commands
from services.coordination.db import Referrals
from services.coordination.domain import Proposal, Referral
from services.coordination.tests.support import (
    ALESUND,
    HOLTALEN,
    SELBU,
    TODAY,
    child_application_event,
    decision_made,
    referral_event,
)

R = TypeVar("R")
KE = Actor("hilde", HOLTALEN, frozenset({"caseworker"}), unit="ke_children")
NURSES = Actor("nina", HOLTALEN, frozenset({"caseworker"}), unit="public_health_nurse")
HOME_CARE = Actor("ola", HOLTALEN, frozenset({"caseworker"}), unit="home_care")
TOK = Actor("kari", SELBU, frozenset({"caseworker"}))


async def _run(app: FastAPI, actor: Actor, use_case: Callable[[Any, UnitOfWork], Awaitable[R]], cmd: Any) -> R:
    async with runtime_of(app).db.unit_of_work(actor) as uow:
        result = await use_case(cmd, uow)
        await uow.commit()
    return result


async def _event(app: FastAPI, use_case: object, event: object, municipality: str) -> None:
    async with runtime_of(app).db.unit_of_work(Actor.service("coordination", municipality)) as uow:
        await use_case(event, uow)  # type: ignore[operator]
        await uow.commit()


async def _opened(app: FastAPI, actor: Actor, event: Any) -> Referral:
    opener = commands.open_child_application if "child_person_id" in type(event.data).model_fields else None
    await _event(app, opener or commands.open_referral, event, actor.municipality)
    async with runtime_of(app).db.unit_of_work(actor) as uow:
        found = await Referrals(uow).by_case(event.data.case_id)
    assert found is not None
    return found


def _level(person_id: str, level: int, reason: BtiReason = BtiReason.NEEDS_MAPPED) -> commands.SetBtiLevel:
    return commands.SetBtiLevel(person_id, level, reason, "Kartlagt i samarbeid med skolen.", TODAY)


def _teacher(on: date = TODAY) -> commands.HolderIn:
    return commands.HolderIn("Lise Lærer", RelayHolderRole.TEACHER, None, None, on)


# --- BTI -------------------------------------------------------------------------------------------------------


async def test_holtalen_keeps_a_childs_bti_level_with_its_history(app: FastAPI) -> None:
    await _run(app, KE, commands.set_bti_level, _level("child-1", 1, BtiReason.CONCERN_IDENTIFIED))
    view = await _run(app, KE, commands.set_bti_level, _level("child-1", 3, BtiReason.SPECIALIST_SERVICES_INVOLVED))

    found = await _run(app, KE, commands.get_bti, commands.GetBti("child-1"))
    assert [e.level for e in found.record.history] == [1, 3]
    assert found.implication is not None
    assert found.implication.specialist_services
    assert view.record.id == found.record.id
    assert [(e.level, e.previous, e.unit) for e in await emitted(app, BtiLevelSet)] == [
        (1, None, "ke_children"),
        (3, 1, "ke_children"),
    ]


async def test_a_municipality_without_bti_refuses_its_use_cases(app: FastAPI) -> None:
    with pytest.raises(Conflict) as refused:
        await _run(app, TOK, commands.set_bti_level, _level("person-1", 1))
    assert refused.value.field == "coordination.bti"
    with pytest.raises(Conflict):
        await _run(app, TOK, commands.get_relay_log, commands.GetRelayLog("person-1"))


async def test_the_childs_level_guides_the_referrals_proposals(app: FastAPI) -> None:
    referral = await _opened(app, KE, referral_event(HOLTALEN, person_id="child-1", involves_child=True))
    with pytest.raises(NotFound):
        await _run(app, KE, commands.referral_bti_guidance, commands.ReferralBtiGuidance(referral.id))
    await _run(app, KE, commands.set_bti_level, _level("child-1", 2))

    guided = await _run(app, KE, commands.referral_bti_guidance, commands.ReferralBtiGuidance(referral.id))

    assert guided.proposals == {RequestedRight.COORDINATOR: ProposedResult.GRANT}
    assert guided.different_providers


# --- the relay log ---------------------------------------------------------------------------------------------


async def test_the_relay_log_follows_the_level_and_passes_between_holders(app: FastAPI) -> None:
    with pytest.raises(Conflict):
        await _run(app, KE, commands.open_relay_log, commands.OpenRelayLog("child-1", _teacher()))
    await _run(app, KE, commands.set_bti_level, _level("child-1", 1))

    log = await _run(app, KE, commands.open_relay_log, commands.OpenRelayLog("child-1", _teacher()))
    nurse = commands.HolderIn("Nina", RelayHolderRole.PUBLIC_HEALTH_NURSE, "public_health_nurse", "nina", TODAY)
    await _run(app, KE, commands.change_relay_holder, commands.ChangeRelayHolder("child-1", nurse))
    await _run(app, NURSES, commands.add_relay_entry, commands.AddRelayEntry("child-1", TODAY, "Hjemmebesøk."))

    found = await _run(app, NURSES, commands.get_relay_log, commands.GetRelayLog("child-1"))
    assert [h.name for h in found.holders] == ["Lise Lærer", "Nina"]
    assert [e.text for e in found.entries] == ["Hjemmebesøk."]
    [opened] = await emitted(app, RelayLogOpened)
    [changed] = await emitted(app, RelayHolderChanged)
    assert (opened.log_id, opened.holder_unit) == (log.id, None)
    assert (changed.holder_unit, changed.replaces) == ("public_health_nurse", opened.holder_id)
    with pytest.raises(NotFound):
        await _run(app, HOME_CARE, commands.get_relay_log, commands.GetRelayLog("child-1"))
    with pytest.raises(Conflict):
        await _run(app, KE, commands.open_relay_log, commands.OpenRelayLog("child-1", _teacher()))


# --- the coordinator raises a need -----------------------------------------------------------------------------


async def _with_coordinator(app: FastAPI) -> Referral:
    referral = await _opened(app, KE, referral_event(HOLTALEN, person_id="child-2", involves_child=True))
    proposals = {r: Proposal(ProposedResult.GRANT) for r in referral.requested}
    cmd = commands.AssessReferral(referral.id, True, True, "Langvarig og sammensatt behov.", proposals)
    await _run(app, KE, commands.assess_referral, cmd)
    await _run(app, KE, commands.request_decisions, commands.RequestDecisions(referral.id))
    codes = [r.value for r in referral.requested]
    await _event(app, commands.record_decision, decision_made(HOLTALEN, referral.case_id, "child-2", *codes), HOLTALEN)
    appoint = commands.AppointCoordinator(referral.id, CoordinatorRole.COORDINATOR, "ola", "home_care", None, None)
    await _run(app, KE, commands.appoint_coordinator, appoint)
    return referral


async def test_a_raised_need_gets_a_deadline_that_the_units_response_stops(app: FastAPI) -> None:
    referral = await _with_coordinator(app)

    raised = await _run(
        app, HOME_CARE, commands.raise_need, commands.RaiseNeed(referral.id, EscalationReason.HOUSING, "Bolig.")
    )

    [event] = await emitted(app, NeedEscalated)
    clocks = [d for d in await emitted(app, DeadlineScheduled) if d.kind == DeadlineKind.ESCALATION_RESPONSE]
    assert (event.escalation_id, event.due_on) == (raised.id, date(2026, 12, 7))  # 14 days, Holtålen's tenant file
    assert [c.responsible for c in clocks] == ["ke_children"]
    assert [
        e.id for e in await _run(app, HOME_CARE, commands.list_escalations, commands.ListEscalations(referral.id))
    ] == [raised.id]
    answer = commands.AnswerEscalation(raised.id, EscalationResponse.SERVICES_LINKED, "Tildelingskontoret.", TODAY)
    answered = await _run(app, KE, commands.answer_escalation, answer)
    assert answered.response is EscalationResponse.SERVICES_LINKED
    [stopped] = [c for c in await emitted(app, DeadlineCancelled) if c.kind == DeadlineKind.ESCALATION_RESPONSE]
    assert stopped.deadline_id == clocks[0].deadline_id
    with pytest.raises(NotFound):
        await _run(app, NURSES, commands.get_escalation, commands.GetEscalation(raised.id))


# --- the home visit planned when the referral arrives ----------------------------------------------------------


async def test_alesund_plans_the_home_visit_when_a_newborns_referral_arrives(app: FastAPI) -> None:
    event = referral_event(ALESUND, involves_child=True, person_birth_on=date(2026, 11, 1))

    referral = await _opened(app, Actor("kari", ALESUND, frozenset({"caseworker"})), event)

    [planned] = await emitted(app, HomeVisitPlanned)
    assert (planned.referral_id, referral.born_on) == (referral.id, date(2026, 11, 1))
    assert referral.home_visit is not None


async def test_a_born_childs_application_arrives_with_its_birth_date(app: FastAPI) -> None:
    event = child_application_event(
        ALESUND, child_person_id="child-9", expected_birth_on=None, child_birth_on=date(2026, 10, 20)
    )

    referral = await _opened(app, Actor("kari", ALESUND, frozenset({"caseworker"})), event)

    assert referral.born_on == date(2026, 10, 20)
    assert len(await emitted(app, HomeVisitPlanned)) == 1


async def test_where_no_visit_is_configured_the_birth_date_is_kept_without_one(app: FastAPI) -> None:
    event = referral_event(HOLTALEN, involves_child=True, person_birth_on=date(2026, 11, 1))

    referral = await _opened(app, KE, event)

    assert (referral.born_on, referral.home_visit) == (date(2026, 11, 1), None)
    assert await emitted(app, HomeVisitPlanned) == []
