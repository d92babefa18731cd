"""The coordinating unit's routine as use cases against a SQLite unit of work: Holtålen's granted child coordinator
brings a plan and a responsibility group, the plan keeps every version and hides from non-participants, the
annual report's clock starts once per unit and year, and the report counts what was recorded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, TypeVar

import pytest
from fastapi import FastAPI

from contracts.coordination import (
    AnnualReportSubmitted,
    ArrangementChosen,
    ArrangementForm,
    CoordinatorRole,
    Declined,
    MeetingKind,
    PlanChange,
    PlanCreated,
    ProposedResult,
    RequestedRight,
)
from contracts.deadlines import DeadlineCancelled, DeadlineKind, DeadlineScheduled
from servicekit.actor import Actor
from servicekit.db import UnitOfWork
from servicekit.errors import Conflict, DomainError, Forbidden, NotFound
from servicekit.testing import emitted, runtime_of
from services.coordination import commands
from services.coordination.db import Referrals
from services.coordination.domain import Proposal, Referral
from services.coordination.tests.support import (
    ALESUND,
    HOLTALEN,
    SELBU,
    child_application_event,
    decision_made,
    referral_event,
)

R = TypeVar("R")
TOK = Actor("kari", SELBU, frozenset({"caseworker"}))
KE_CHILDREN = Actor("hilde", HOLTALEN, frozenset({"caseworker"}), unit="ke_children")
KE = Actor("kari", ALESUND, frozenset({"caseworker"}))


async def _run(app: FastAPI, actor: Actor, use_case: Callable[[Any, UnitOfWork], Awaitable[R]], cmd: Any) -> R:
    async with runtime_of(app).db.unit_of_work(actor) as uow:
        result = await use_case(cmd, uow)
        await uow.commit()
    return result


async def _event(app: FastAPI, use_case: object, event: object, municipality: str) -> None:
    async with runtime_of(app).db.unit_of_work(Actor.service("coordination", municipality)) as uow:
        await use_case(event, uow)  # type: ignore[operator]
        await uow.commit()


async def _granted(app: FastAPI, actor: Actor, event: Any, *rights: RequestedRight) -> Referral:
    """The referral of `event` opened, assessed, asked for and granted `rights` by the office."""
    municipality = actor.municipality
    opener = commands.open_child_application if "child_person_id" in type(event.data).model_fields else None
    await _event(app, opener or commands.open_referral, event, municipality)
    async with runtime_of(app).db.unit_of_work(actor) as uow:
        found = await Referrals(uow).by_case(event.data.case_id)
    assert found is not None
    proposals = {r: Proposal(ProposedResult.GRANT) for r in found.requested}
    cmd = commands.AssessReferral(found.id, True, True, "Langvarig og sammensatt behov.", proposals)
    await _run(app, actor, commands.assess_referral, cmd)
    await _run(app, actor, commands.request_decisions, commands.RequestDecisions(found.id))
    made = decision_made(municipality, found.case_id, found.person_id, *(r.value for r in rights))
    await _event(app, commands.record_decision, made, municipality)
    async with runtime_of(app).db.unit_of_work(actor) as uow:
        return await Referrals(uow).get(found.id)


async def test_in_holtalen_a_granted_child_coordinator_brings_a_plan_and_a_responsibility_group(app: FastAPI) -> None:
    event = child_application_event(HOLTALEN, child_person_id="child-1", expected_birth_on=None)

    referral = await _granted(app, KE_CHILDREN, event, RequestedRight.CHILD_COORDINATOR)

    assert referral.arrangement is not None
    assert (referral.arrangement.form, referral.arrangement.linked_units) == (
        ArrangementForm.RESPONSIBILITY_GROUP,
        ("ke_children",),
    )
    [created] = await emitted(app, PlanCreated)
    assert (created.referral_id, created.unit) == (referral.id, "ke_children")
    assert [a.form for a in await emitted(app, ArrangementChosen)] == [ArrangementForm.RESPONSIBILITY_GROUP]
    view = await _run(app, KE_CHILDREN, commands.plan_of_referral, commands.PlanOfReferral(referral.id))
    assert view.plan.id == created.plan_id


async def test_elsewhere_a_child_coordinator_brings_no_plan_of_its_own(app: FastAPI) -> None:
    event = child_application_event(ALESUND, child_person_id="child-1", expected_birth_on=None)

    referral = await _granted(app, KE, event, RequestedRight.CHILD_COORDINATOR)

    assert referral.arrangement is None
    assert await emitted(app, PlanCreated) == []


async def test_the_plan_keeps_every_version_and_is_hidden_from_non_participants(app: FastAPI) -> None:
    referral = await _granted(
        app, KE, referral_event(ALESUND), RequestedRight.COORDINATOR, RequestedRight.INDIVIDUAL_PLAN
    )
    view = await _run(app, KE, commands.create_plan, commands.CreatePlan(referral.id))
    plan_id = view.plan.id
    await _run(app, KE, commands.add_goal, commands.AddGoal(plan_id, "Bo hjemme med hjelp."))
    await _run(
        app, KE, commands.add_measure, commands.AddMeasure(plan_id, "Hjemmesykepleie morgen", "home_care", None, None)
    )

    versions = await _run(app, KE, commands.plan_versions, commands.GetPlan(plan_id))
    assert [(v.version, v.change) for v in versions] == [
        (1, None),
        (2, PlanChange.GOAL_ADDED),
        (3, PlanChange.MEASURE_ADDED),
    ]
    assert versions[1].content["measures"] == []
    assert versions[2].content["goals"][0]["text"] == "Bo hjemme med hjelp."  # type: ignore[index]

    stranger = Actor("eva", ALESUND, frozenset({"caseworker"}), unit="nursing_home")
    with pytest.raises(NotFound):
        await _run(app, stranger, commands.get_plan, commands.GetPlan(plan_id))
    with pytest.raises(NotFound):
        await _run(app, stranger, commands.add_goal, commands.AddGoal(plan_id, "Et annet mål."))
    with pytest.raises(Conflict):
        await _run(app, KE, commands.create_plan, commands.CreatePlan(referral.id))


async def test_declining_the_plan_by_a_change_notice_freezes_the_plan_and_keeps_the_coordinator(app: FastAPI) -> None:
    referral = await _granted(
        app, KE, referral_event(ALESUND), RequestedRight.COORDINATOR, RequestedRight.INDIVIDUAL_PLAN
    )
    appoint = commands.AppointCoordinator(referral.id, CoordinatorRole.COORDINATOR, "anne", "home_care", None, None)
    await _run(app, KE, commands.appoint_coordinator, appoint)
    plan = (await _run(app, KE, commands.create_plan, commands.CreatePlan(referral.id))).plan

    notice = commands.RecordChangeNotice(referral.id, Declined.INDIVIDUAL_PLAN, date(2026, 11, 23))
    after = await _run(app, KE, commands.record_change_notice, notice)

    assert after.referral.current_coordinator is not None
    frozen = await _run(app, KE, commands.get_plan, commands.GetPlan(plan.id))
    assert frozen.plan.declined_on == date(2026, 11, 23)
    with pytest.raises(Conflict):
        await _run(app, KE, commands.add_goal, commands.AddGoal(plan.id, "Et mål."))


async def test_selbu_appoints_the_coordinator_only_after_its_choice(app: FastAPI) -> None:
    referral = await _granted(
        app, TOK, referral_event(SELBU), RequestedRight.COORDINATOR, RequestedRight.INDIVIDUAL_PLAN
    )
    appoint = commands.AppointCoordinator(referral.id, CoordinatorRole.COORDINATOR, "anne", "home_care", None, None)

    with pytest.raises(Conflict) as refused:
        await _run(app, TOK, commands.appoint_coordinator, appoint)
    assert refused.value.field == "arrangement"

    choice = commands.ChooseArrangement(
        referral.id,
        ArrangementForm.COLLABORATION_MEETING,
        ["home_care", "mental_health_substance_abuse"],
        date(2026, 11, 20),
    )
    await _run(app, TOK, commands.choose_arrangement, choice)
    view = await _run(app, TOK, commands.appoint_coordinator, appoint)
    assert view.referral.current_coordinator is not None


async def test_the_annual_report_clock_starts_once_per_unit_and_report_year(app: FastAPI) -> None:
    await _event(app, commands.open_referral, referral_event(HOLTALEN, involves_child=True), HOLTALEN)
    await _event(app, commands.open_referral, referral_event(HOLTALEN, involves_child=True), HOLTALEN)
    await _event(app, commands.open_referral, referral_event(HOLTALEN, involves_child=False), HOLTALEN)
    await _event(app, commands.open_referral, referral_event(HOLTALEN, received_on=date(2026, 3, 2)), HOLTALEN)

    clocks = [d for d in await emitted(app, DeadlineScheduled) if d.kind == DeadlineKind.ANNUAL_REPORT]
    assert sorted((d.responsible, d.due_on) for d in clocks) == [
        ("allocation_office", date(2026, 11, 13)),
        ("allocation_office", date(2027, 11, 15)),
        ("ke_children", date(2027, 11, 15)),
    ]


async def test_the_annual_report_counts_coordinators_plans_and_meetings_recorded(app: FastAPI) -> None:
    referral = await _granted(
        app, KE, referral_event(ALESUND), RequestedRight.COORDINATOR, RequestedRight.INDIVIDUAL_PLAN
    )
    appoint = commands.AppointCoordinator(referral.id, CoordinatorRole.COORDINATOR, "anne", "home_care", None, None)
    await _run(app, KE, commands.appoint_coordinator, appoint)
    await _run(app, KE, commands.create_plan, commands.CreatePlan(referral.id))
    for kind in (MeetingKind.COLLABORATION, MeetingKind.COORDINATION):
        called = commands.CallMeeting(referral.id, kind, date(2026, 11, 23), None, ["home_care"])
        meeting = await _run(app, KE, commands.call_meeting, called)
        held = commands.RecordMeetingHeld(meeting.id, date(2026, 11, 23), ["coordinator", "person"])
        await _run(app, KE, commands.record_meeting_held, held)
    # A meeting called but not held is not counted.
    called = commands.CallMeeting(referral.id, MeetingKind.COORDINATION, date(2026, 12, 10), None, [])
    await _run(app, KE, commands.call_meeting, called)

    report = await _run(app, KE, commands.annual_report, commands.AnnualReport(2026))
    nothing = await _run(app, KE, commands.annual_report, commands.AnnualReport(2025))

    [unit] = report.units
    assert (unit.unit, unit.coordinators_active, unit.coordinators_appointed) == ("ke_habilitation", 1, 1)
    assert (unit.individual_plans_active, unit.individual_plans_created, unit.meetings_held) == (1, 1, 2)
    assert unit.meetings_per_coordinator == {"anne": 2}
    assert (nothing.units[0].coordinators_active, nothing.units[0].meetings_held) == (0, 0)


MARCH = date(2026, 3, 2)


async def test_the_leader_submits_the_report_once_its_figures_are_kept_and_its_clock_stops(app: FastAPI) -> None:
    # Received in March: the 2026 report's clock (a referral after 13 November starts 2027's).
    referral = await _granted(app, KE, referral_event(ALESUND, received_on=MARCH), RequestedRight.COORDINATOR)
    appoint = commands.AppointCoordinator(referral.id, CoordinatorRole.COORDINATOR, "anne", "home_care", None, None)
    await _run(app, KE, commands.appoint_coordinator, appoint)
    [clock] = [d for d in await emitted(app, DeadlineScheduled) if d.kind == DeadlineKind.ANNUAL_REPORT]
    leader = Actor(subject="leader-1", municipality=ALESUND, roles=frozenset({"leader"}), unit="ke_habilitation")
    submit = commands.SubmitAnnualReport(2026, "ke_habilitation")

    with pytest.raises(Forbidden):
        await _run(app, KE, commands.submit_annual_report, submit)
    filing = await _run(app, leader, commands.submit_annual_report, submit)
    # What happens after the submission does not change the figures submitted.
    other = await _granted(app, KE, referral_event(ALESUND), RequestedRight.COORDINATOR)
    again = commands.AppointCoordinator(other.id, CoordinatorRole.COORDINATOR, "bjorn", "home_care", None, None)
    await _run(app, KE, commands.appoint_coordinator, again)
    with pytest.raises(Conflict, match="was submitted on 2026-11-23"):
        await _run(app, leader, commands.submit_annual_report, submit)
    report = await _run(app, leader, commands.annual_report, commands.AnnualReport(2026))

    assert filing.submitted is not None
    assert filing.submitted.coordinators_active == 1
    assert report.units[0].coordinators_active == 2
    kept = report.submitted["ke_habilitation"].submitted
    assert kept is not None
    assert kept.coordinators_active == 1
    [submitted] = await emitted(app, AnnualReportSubmitted)
    assert (submitted.unit, submitted.year, submitted.coordinators_active) == ("ke_habilitation", 2026, 1)
    [cancelled] = await emitted(app, DeadlineCancelled)
    assert (cancelled.deadline_id, cancelled.reason) == (clock.deadline_id, "report_submitted")


async def test_a_report_submitted_before_any_referral_starts_no_clock_later(app: FastAPI) -> None:
    leader = Actor(subject="leader-1", municipality=ALESUND, roles=frozenset({"leader"}))
    await _run(app, leader, commands.submit_annual_report, commands.SubmitAnnualReport(2026, "ke_habilitation"))
    await _event(app, commands.open_referral, referral_event(ALESUND, received_on=MARCH), ALESUND)

    assert [d for d in await emitted(app, DeadlineScheduled) if d.kind == DeadlineKind.ANNUAL_REPORT] == []
    assert await emitted(app, DeadlineCancelled) == []
    with pytest.raises(DomainError, match="not a coordinating unit"):
        await _run(app, leader, commands.submit_annual_report, commands.SubmitAnnualReport(2026, "school"))
    with pytest.raises(DomainError, match="before the year begins"):
        await _run(app, leader, commands.submit_annual_report, commands.SubmitAnnualReport(2027, "ke_habilitation"))
