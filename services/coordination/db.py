"""Coordination's tables and repositories. The individual judgement, the reasons for a refusal and the person's
wishes live only here, never in an event; the decisions seen are kept as codes and ids."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
    update,
)
from sqlalchemy.engine import RowMapping

from contracts.coordination import (
    ArrangementForm,
    BtiReason,
    CoordinatorRole,
    EscalationReason,
    EscalationResponse,
    MeetingKind,
    PlanChange,
    ProposedResult,
    ReferralKind,
    RelayHolderRole,
    RequestedRight,
    TrainingKind,
)
from contracts.decision import Outcome
from contracts.intake import ChildCoordinatorGrounds
from servicekit.db import UnitOfWork, UtcDateTime, first_row, new_metadata, rows_page
from servicekit.errors import NotFound
from services.coordination.domain import (
    Appointment,
    Arrangement,
    BtiEntry,
    ChildBti,
    CriteriaAssessment,
    Escalation,
    FollowUp,
    Goal,
    HomeVisit,
    Measure,
    Meeting,
    Plan,
    PlanReview,
    PlanVersion,
    ProgressNote,
    Proposal,
    Referral,
    RelayEntry,
    RelayHolder,
    RelayLog,
    ReportFiling,
    RightOutcome,
    RightRequest,
    SeenDecision,
    Status,
    TrainingNeed,
    UnitReport,
)

metadata = new_metadata()

referral = Table(
    "referral",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False, index=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("person_id", String(100), nullable=False, index=True),
    Column("requested", JSON, nullable=False),
    Column("unit", String(60), nullable=False),
    Column("involves_child", Boolean, nullable=False),
    Column("received_on", Date, nullable=False),
    Column("expected_birth_on", Date, nullable=True),
    Column("born_on", Date, nullable=True),
    Column("grounds", String(30), nullable=True, doc="a child-coordinator application's grounds of the right"),
    Column("grounds_since", Date, nullable=True, doc="the day an adoption's allocation or child welfare's care began"),
    Column("status", String(30), nullable=False),
    Column("long_term_need", Boolean, nullable=True),
    Column("different_providers", Boolean, nullable=True),
    Column("providers_seen", JSON, nullable=True),
    Column("specialist_services", JSON, nullable=True, doc="specialist services involved, from the assessment"),
    Column("judgement", Text, nullable=True),
    # right -> {"result": grant | refuse, "reasons": the written reasons of a refusal (free text)}
    Column("proposals", JSON, nullable=True),
    Column("assessed_by", String(100), nullable=True),
    Column("assessed_at", UtcDateTime(), nullable=True),
    Column("requests", JSON, nullable=False),
    Column("outcomes", JSON, nullable=False),
    Column("decision_id", String(64), nullable=True),
    Column("home_visit_id", String(36), nullable=True),
    Column("home_visit_due_on", Date, nullable=True),
    Column("home_visit_deadline_id", String(36), nullable=True),
    Column("coordinator_declined_on", Date, nullable=True),
    Column("plan_declined_on", Date, nullable=True),
    Column("arrangement_form", String(30), nullable=True),
    Column("arrangement_units", JSON, nullable=True),
    Column("arrangement_consent_on", Date, nullable=True),
    Column("arrangement_chosen_by", String(100), nullable=True),
    Column("arrangement_chosen_on", Date, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("municipality", "case_id", name="uq_referral_municipality_case_id"),
)

coordinator_appointment = Table(
    "coordinator_appointment",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("referral_id", String(36), ForeignKey("referral.id"), nullable=False, index=True),
    Column("role", String(30), nullable=False),
    Column("coordinator", String(100), nullable=False),
    Column("unit", String(60), nullable=False),
    Column("wishes", Text, nullable=True),
    Column("wishes_met", Boolean, nullable=True),
    Column("appointed_on", Date, nullable=False),
    Column("appointed_by", String(100), nullable=False),
    Column("ends_on", Date, nullable=True),
    Column("deadline_id", String(36), nullable=True),
    Column("ended_on", Date, nullable=True),
    Column("end_reason", String(40), nullable=True),
    Column("position", Integer, nullable=False),
)

# The decisions the platform made, per person: what the criteria count (services from different providers).
seen_decision = Table(
    "seen_decision",
    metadata,
    Column("municipality", String(4), primary_key=True),
    Column("decision_id", String(64), primary_key=True),
    Column("case_id", String(64), nullable=False),
    Column("person_id", String(100), nullable=False, index=True),
    Column("outcome", String(20), nullable=False),
    Column("service_codes", JSON, nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("supersedes", String(64), nullable=True),
)

# The person's individual plan: its content as it stands, and every version it had (never overwritten).
individual_plan = Table(
    "individual_plan",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False, index=True),
    Column("referral_id", String(36), ForeignKey("referral.id"), nullable=False, unique=True),
    Column("case_id", String(64), nullable=False),
    Column("unit", String(60), nullable=False),
    Column("version", Integer, nullable=False),
    Column("content", JSON, nullable=False),
    Column("declined_on", Date, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

individual_plan_version = Table(
    "individual_plan_version",
    metadata,
    Column("plan_id", String(36), ForeignKey("individual_plan.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("change", String(30), nullable=True),
    Column("changed_by", String(100), nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
    Column("content", JSON, nullable=False),
)

coordination_meeting = Table(
    "coordination_meeting",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False, index=True),
    Column("referral_id", String(36), ForeignKey("referral.id"), nullable=False, index=True),
    Column("case_id", String(64), nullable=False),
    Column("unit", String(60), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("planned_on", Date, nullable=False),
    Column("called_by", String(60), nullable=False),
    Column("coordinator", String(100), nullable=True),
    Column("invited", JSON, nullable=False),
    Column("held_on", Date, nullable=True),
    Column("participants", JSON, nullable=False),
    Column("minutes", Text, nullable=True),
    Column("minutes_recorded_on", Date, nullable=True),
    # [{"id", "description" (free text), "responsible", "due_on"}]
    Column("follow_ups", JSON, nullable=False),
    Column("deadline_id", String(36), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

training_need = Table(
    "training_need",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False, index=True),
    Column("coordinator", String(100), nullable=False),
    Column("unit", String(60), nullable=False),
    Column("coordinating_unit", String(60), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("needs", Text, nullable=False),
    Column("requested_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("deadline_id", String(36), nullable=False),
    Column("registered_by", String(100), nullable=False),
    Column("completed_on", Date, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# One annual report per municipality, coordinating unit and year: its clock and its submission.
annual_report_clock = Table(
    "annual_report_clock",
    metadata,
    Column("municipality", String(4), primary_key=True),
    Column("unit", String(60), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("deadline_id", String(36), nullable=True, doc="none when the report was submitted before any referral"),
    Column("submitted_at", UtcDateTime(), nullable=True),
    Column("submitted_by", String(100), nullable=True),
    Column("submitted", JSON, nullable=True, doc="the figures as submitted"),
)

# A child's BTI level and its history (Holtålen): one record per child and municipality.
child_bti = Table(
    "child_bti",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False, index=True),
    Column("person_id", String(100), nullable=False),
    Column("unit", String(60), nullable=False),
    Column("level", Integer, nullable=True),
    Column("history", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("municipality", "person_id"),
)

# A child's relay log (stafettlogg): its holders (the names stay here) and its entries.
relay_log = Table(
    "relay_log",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False, index=True),
    Column("person_id", String(100), nullable=False),
    Column("unit", String(60), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("holders", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("municipality", "person_id"),
)

relay_log_entry = Table(
    "relay_log_entry",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("log_id", String(36), ForeignKey("relay_log.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("entry_on", Date, nullable=False),
    Column("text", Text, nullable=False),
    Column("written_by", String(100), nullable=False),
    Column("written_at", UtcDateTime(), nullable=False),
)

# Needs a coordinator raised to the coordinating unit, with the unit's response.
coordination_escalation = Table(
    "coordination_escalation",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False, index=True),
    Column("referral_id", String(36), ForeignKey("referral.id"), nullable=False, index=True),
    Column("case_id", String(64), nullable=False),
    Column("unit", String(60), nullable=False),
    Column("reason", String(30), nullable=False),
    Column("text", Text, nullable=False),
    Column("raised_by", String(100), nullable=False),
    Column("raised_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("deadline_id", String(36), nullable=False),
    Column("response", String(30), nullable=True),
    Column("response_text", Text, nullable=True),
    Column("answered_on", Date, nullable=True),
    Column("answered_by", String(100), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)


class Referrals:
    """The referrals of the unit of work's municipality."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._known: dict[str, set[str]] = {}

    async def get(self, referral_id: str, *, for_update: bool = True) -> Referral:
        municipality = self._uow.municipality
        found = await first_row(
            self._uow.session,
            referral,
            [referral.c.id == referral_id, referral.c.municipality == municipality],
            for_update=for_update,
        )
        if found is None:
            raise NotFound(f"no referral {referral_id} for municipality {municipality}")
        return await self._assemble(found)

    async def by_case(self, case_id: str) -> Referral | None:
        query = select(referral).where(referral.c.municipality == self._uow.municipality, referral.c.case_id == case_id)
        found = (await self._uow.session.execute(query.with_for_update())).mappings().first()
        return await self._assemble(found) if found is not None else None

    async def page(
        self, *, unit: str | None, status: Status | None, case_id: str | None, limit: int, offset: int
    ) -> tuple[list[Referral], int]:
        """One page of the municipality's referrals (of one coordinating unit, when given), newest first."""
        where = [referral.c.municipality == self._uow.municipality]
        if unit is not None:
            where.append(referral.c.unit == unit)
        if status is not None:
            where.append(referral.c.status == status.value)
        if case_id is not None:
            where.append(referral.c.case_id == case_id)
        order = [referral.c.created_at.desc(), referral.c.id]
        rows, total = await rows_page(self._uow.session, referral, where, order, limit=limit, offset=offset)
        return [await self._assemble(r) for r in rows], total

    async def add(self, new: Referral) -> None:
        await self._uow.session.execute(insert(referral).values(**_row(new)))
        self._known[new.id] = set()
        await self._save_appointments(new)

    async def save(self, changed: Referral) -> None:
        await self._uow.session.execute(
            update(referral)
            .where(referral.c.id == changed.id, referral.c.municipality == self._uow.municipality)
            .values(**_row(changed))
        )
        await self._save_appointments(changed)

    async def _save_appointments(self, r: Referral) -> None:
        known = self._known.setdefault(r.id, set())
        session = self._uow.session
        for position, a in enumerate(r.appointments):
            row = _appointment_row(r, a, position)
            if a.id in known:
                await session.execute(
                    update(coordinator_appointment).where(coordinator_appointment.c.id == a.id).values(**row)
                )
            else:
                await session.execute(insert(coordinator_appointment).values(id=a.id, **row))
                known.add(a.id)

    async def _assemble(self, row: RowMapping) -> Referral:
        query = (
            select(coordinator_appointment)
            .where(coordinator_appointment.c.referral_id == row["id"])
            .order_by(coordinator_appointment.c.position)
        )
        appointments = [_appointment(a) for a in (await self._uow.session.execute(query)).mappings().all()]
        self._known[str(row["id"])] = {a.id for a in appointments}
        return _referral(row, appointments)


class SeenDecisions:
    """The decisions seen for the unit of work's municipality."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def record(self, seen: SeenDecision) -> bool:
        """Keep the decision once; False when it was kept before."""
        municipality = self._uow.municipality
        session = self._uow.session
        exists = await session.scalar(
            select(seen_decision.c.decision_id).where(
                seen_decision.c.municipality == municipality, seen_decision.c.decision_id == seen.decision_id
            )
        )
        if exists is not None:
            return False
        await session.execute(
            insert(seen_decision).values(
                municipality=municipality,
                decision_id=seen.decision_id,
                case_id=seen.case_id,
                person_id=seen.person_id,
                outcome=seen.outcome.value,
                service_codes=list(seen.service_codes),
                decided_on=seen.decided_on,
                supersedes=seen.supersedes,
            )
        )
        return True

    async def of_person(self, person_id: str) -> list[SeenDecision]:
        query = (
            select(seen_decision)
            .where(seen_decision.c.municipality == self._uow.municipality, seen_decision.c.person_id == person_id)
            .order_by(seen_decision.c.decided_on, seen_decision.c.decision_id)
        )
        rows = (await self._uow.session.execute(query)).mappings().all()
        return [
            SeenDecision(
                decision_id=r["decision_id"],
                case_id=r["case_id"],
                person_id=r["person_id"],
                outcome=Outcome(r["outcome"]),
                service_codes=tuple(r["service_codes"]),
                decided_on=r["decided_on"],
                supersedes=r["supersedes"],
            )
            for r in rows
        ]


# --- rows <-> the aggregate ------------------------------------------------------------------------


def _row(r: Referral) -> dict[str, Any]:
    a = r.assessment
    visit = r.home_visit
    return {
        "id": r.id,
        "municipality": r.municipality,
        "case_id": r.case_id,
        "kind": r.kind.value,
        "person_id": r.person_id,
        "requested": [x.value for x in r.requested],
        "unit": r.unit,
        "involves_child": r.involves_child,
        "received_on": r.received_on,
        "expected_birth_on": r.expected_birth_on,
        "born_on": r.born_on,
        "grounds": r.grounds.value if r.grounds is not None else None,
        "grounds_since": r.grounds_since,
        "status": r.status.value,
        "long_term_need": a.long_term_need if a else None,
        "different_providers": a.different_providers if a else None,
        "providers_seen": list(a.providers_seen) if a else None,
        "specialist_services": list(a.specialist_services) if a and a.specialist_services else None,
        "judgement": a.judgement if a else None,
        "proposals": (
            {right.value: {"result": p.result.value, "reasons": p.reasons} for right, p in a.proposals.items()}
            if a
            else None
        ),
        "assessed_by": a.assessed_by if a else None,
        "assessed_at": a.assessed_at if a else None,
        "requests": [
            {"request_id": q.request_id, "right": q.right.value, "proposed": q.proposed.value} for q in r.requests
        ],
        "outcomes": {right.value: outcome.value for right, outcome in r.outcomes.items()},
        "decision_id": r.decision_id,
        "home_visit_id": visit.visit_id if visit else None,
        "home_visit_due_on": visit.due_on if visit else None,
        "home_visit_deadline_id": visit.deadline_id if visit else None,
        "coordinator_declined_on": r.coordinator_declined_on,
        "plan_declined_on": r.plan_declined_on,
        "arrangement_form": r.arrangement.form.value if r.arrangement else None,
        "arrangement_units": list(r.arrangement.linked_units) if r.arrangement else None,
        "arrangement_consent_on": r.arrangement.consent_on if r.arrangement else None,
        "arrangement_chosen_by": r.arrangement.chosen_by if r.arrangement else None,
        "arrangement_chosen_on": r.arrangement.chosen_on if r.arrangement else None,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    }


def _referral(row: RowMapping, appointments: list[Appointment]) -> Referral:
    assessment = (
        CriteriaAssessment(
            long_term_need=bool(row["long_term_need"]),
            different_providers=bool(row["different_providers"]),
            providers_seen=tuple(row["providers_seen"] or ()),
            judgement=row["judgement"] or "",
            proposals={
                RequestedRight(right): Proposal(ProposedResult(p["result"]), p.get("reasons"))
                for right, p in (row["proposals"] or {}).items()
            },
            assessed_by=row["assessed_by"],
            assessed_at=row["assessed_at"],
            specialist_services=tuple(row["specialist_services"] or ()),
        )
        if row["assessed_at"] is not None
        else None
    )
    visit = (
        HomeVisit(
            visit_id=row["home_visit_id"], due_on=row["home_visit_due_on"], deadline_id=row["home_visit_deadline_id"]
        )
        if row["home_visit_id"] is not None
        else None
    )
    return Referral(
        id=row["id"],
        municipality=row["municipality"],
        case_id=row["case_id"],
        kind=ReferralKind(row["kind"]),
        person_id=row["person_id"],
        requested=tuple(RequestedRight(x) for x in row["requested"]),
        unit=row["unit"],
        involves_child=row["involves_child"],
        received_on=row["received_on"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        expected_birth_on=row["expected_birth_on"],
        born_on=row["born_on"],
        grounds=ChildCoordinatorGrounds(row["grounds"]) if row["grounds"] is not None else None,
        grounds_since=row["grounds_since"],
        status=Status(row["status"]),
        assessment=assessment,
        requests=[
            RightRequest(q["request_id"], RequestedRight(q["right"]), ProposedResult(q["proposed"]))
            for q in row["requests"]
        ],
        outcomes={RequestedRight(k): RightOutcome(v) for k, v in row["outcomes"].items()},
        decision_id=row["decision_id"],
        home_visit=visit,
        appointments=appointments,
        coordinator_declined_on=row["coordinator_declined_on"],
        plan_declined_on=row["plan_declined_on"],
        arrangement=(
            Arrangement(
                form=ArrangementForm(row["arrangement_form"]),
                linked_units=tuple(row["arrangement_units"] or ()),
                consent_on=row["arrangement_consent_on"],
                chosen_by=row["arrangement_chosen_by"],
                chosen_on=row["arrangement_chosen_on"],
            )
            if row["arrangement_form"] is not None
            else None
        ),
    )


def _appointment_row(r: Referral, a: Appointment, position: int) -> dict[str, Any]:
    return {
        "referral_id": r.id,
        "role": a.role.value,
        "coordinator": a.coordinator,
        "unit": a.unit,
        "wishes": a.wishes,
        "wishes_met": a.wishes_met,
        "appointed_on": a.appointed_on,
        "appointed_by": a.appointed_by,
        "ends_on": a.ends_on,
        "deadline_id": a.deadline_id,
        "ended_on": a.ended_on,
        "end_reason": a.end_reason,
        "position": position,
    }


def _appointment(row: RowMapping) -> Appointment:
    return Appointment(
        id=row["id"],
        role=CoordinatorRole(row["role"]),
        coordinator=row["coordinator"],
        unit=row["unit"],
        wishes=row["wishes"],
        wishes_met=row["wishes_met"],
        appointed_on=row["appointed_on"],
        appointed_by=row["appointed_by"],
        ends_on=row["ends_on"],
        deadline_id=row["deadline_id"],
        ended_on=row["ended_on"],
        end_reason=row["end_reason"],
    )


# --- individual plans ----------------------------------------------------------------------------


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _plan(row: RowMapping) -> Plan:
    content = row["content"]
    return Plan(
        id=row["id"],
        municipality=row["municipality"],
        referral_id=row["referral_id"],
        case_id=row["case_id"],
        unit=row["unit"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
        goals=[Goal(g["id"], g["text"], date.fromisoformat(g["added_on"])) for g in content["goals"]],
        measures=[
            Measure(
                id=m["id"],
                description=m["description"],
                responsible_unit=m["responsible_unit"],
                due_on=_day(m["due_on"]),
                goal_id=m["goal_id"],
                added_on=date.fromisoformat(m["added_on"]),
                completed_on=_day(m["completed_on"]),
            )
            for m in content["measures"]
        ],
        notes=[
            ProgressNote(n["id"], n["text"], n["written_by"], date.fromisoformat(n["written_on"]), n["measure_id"])
            for n in content["notes"]
        ],
        reviews=[
            PlanReview(
                r["id"], date.fromisoformat(r["reviewed_on"]), r["reviewed_by"], r["summary"], _day(r["next_review_on"])
            )
            for r in content["reviews"]
        ],
        declined_on=row["declined_on"],
    )


class Plans:
    """The individual plans of the unit of work's municipality, with their versions."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def get(self, plan_id: str, *, for_update: bool = True) -> Plan:
        found = await first_row(
            self._uow.session,
            individual_plan,
            [individual_plan.c.id == plan_id, individual_plan.c.municipality == self._uow.municipality],
            for_update=for_update,
        )
        if found is None:
            raise NotFound(f"no individual plan {plan_id} for municipality {self._uow.municipality}")
        return _plan(found)

    async def of_referral(self, referral_id: str) -> Plan | None:
        query = select(individual_plan).where(
            individual_plan.c.referral_id == referral_id, individual_plan.c.municipality == self._uow.municipality
        )
        found = (await self._uow.session.execute(query.with_for_update())).mappings().first()
        return _plan(found) if found is not None else None

    async def add(self, plan: Plan) -> None:
        await self._uow.session.execute(insert(individual_plan).values(id=plan.id, **self._row(plan)))
        await self._versions(plan)

    async def save(self, plan: Plan) -> None:
        await self._uow.session.execute(
            update(individual_plan)
            .where(individual_plan.c.id == plan.id, individual_plan.c.municipality == self._uow.municipality)
            .values(**self._row(plan))
        )
        await self._versions(plan)

    async def versions(self, plan_id: str) -> list[PlanVersion]:
        query = (
            select(individual_plan_version)
            .where(individual_plan_version.c.plan_id == plan_id)
            .order_by(individual_plan_version.c.version)
        )
        rows = (await self._uow.session.execute(query)).mappings().all()
        return [
            PlanVersion(
                version=r["version"],
                change=PlanChange(r["change"]) if r["change"] else None,
                changed_by=r["changed_by"],
                changed_at=r["changed_at"],
                content=r["content"],
            )
            for r in rows
        ]

    async def _versions(self, plan: Plan) -> None:
        for v in plan.new_versions:
            await self._uow.session.execute(
                insert(individual_plan_version).values(
                    plan_id=plan.id,
                    version=v.version,
                    change=v.change.value if v.change else None,
                    changed_by=v.changed_by,
                    changed_at=v.changed_at,
                    content=dict(v.content),
                )
            )
        plan.new_versions.clear()

    def _row(self, plan: Plan) -> dict[str, Any]:
        return {
            "municipality": plan.municipality,
            "referral_id": plan.referral_id,
            "case_id": plan.case_id,
            "unit": plan.unit,
            "version": plan.version,
            "content": plan.content(),
            "declined_on": plan.declined_on,
            "created_at": plan.created_at,
            "updated_at": plan.updated_at,
        }


# --- meetings ------------------------------------------------------------------------------------


def _meeting(row: RowMapping) -> Meeting:
    return Meeting(
        id=row["id"],
        municipality=row["municipality"],
        referral_id=row["referral_id"],
        case_id=row["case_id"],
        unit=row["unit"],
        kind=MeetingKind(row["kind"]),
        planned_on=row["planned_on"],
        called_by=row["called_by"],
        coordinator=row["coordinator"],
        invited=tuple(row["invited"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        held_on=row["held_on"],
        participants=tuple(row["participants"]),
        minutes=row["minutes"],
        minutes_recorded_on=row["minutes_recorded_on"],
        follow_ups=[
            FollowUp(f["id"], f["description"], f["responsible"], _day(f["due_on"])) for f in row["follow_ups"]
        ],
        deadline_id=row["deadline_id"],
    )


class Meetings:
    """The meetings of the unit of work's municipality."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def get(self, meeting_id: str, *, for_update: bool = True) -> Meeting:
        where = [coordination_meeting.c.id == meeting_id, coordination_meeting.c.municipality == self._uow.municipality]
        found = await first_row(self._uow.session, coordination_meeting, where, for_update=for_update)
        if found is None:
            raise NotFound(f"no meeting {meeting_id} for municipality {self._uow.municipality}")
        return _meeting(found)

    async def of_referral(self, referral_id: str) -> list[Meeting]:
        query = (
            select(coordination_meeting)
            .where(
                coordination_meeting.c.referral_id == referral_id,
                coordination_meeting.c.municipality == self._uow.municipality,
            )
            .order_by(coordination_meeting.c.planned_on, coordination_meeting.c.created_at)
        )
        return [_meeting(r) for r in (await self._uow.session.execute(query)).mappings().all()]

    async def add(self, meeting: Meeting) -> None:
        await self._uow.session.execute(insert(coordination_meeting).values(id=meeting.id, **self._row(meeting)))

    async def save(self, meeting: Meeting) -> None:
        await self._uow.session.execute(
            update(coordination_meeting)
            .where(
                coordination_meeting.c.id == meeting.id, coordination_meeting.c.municipality == self._uow.municipality
            )
            .values(**self._row(meeting))
        )

    def _row(self, m: Meeting) -> dict[str, Any]:
        return {
            "municipality": m.municipality,
            "referral_id": m.referral_id,
            "case_id": m.case_id,
            "unit": m.unit,
            "kind": m.kind.value,
            "planned_on": m.planned_on,
            "called_by": m.called_by,
            "coordinator": m.coordinator,
            "invited": list(m.invited),
            "held_on": m.held_on,
            "participants": list(m.participants),
            "minutes": m.minutes,
            "minutes_recorded_on": m.minutes_recorded_on,
            "follow_ups": [
                {
                    "id": f.id,
                    "description": f.description,
                    "responsible": f.responsible,
                    "due_on": f.due_on.isoformat() if f.due_on else None,
                }
                for f in m.follow_ups
            ],
            "deadline_id": m.deadline_id,
            "created_at": m.created_at,
            "updated_at": m.updated_at,
        }


# --- coordinators' training ----------------------------------------------------------------------


class TrainingNeeds:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def get(self, need_id: str, *, for_update: bool = True) -> TrainingNeed:
        found = await first_row(
            self._uow.session,
            training_need,
            [training_need.c.id == need_id, training_need.c.municipality == self._uow.municipality],
            for_update=for_update,
        )
        if found is None:
            raise NotFound(f"no training need {need_id} for municipality {self._uow.municipality}")
        return TrainingNeed(
            id=found["id"],
            municipality=found["municipality"],
            coordinator=found["coordinator"],
            unit=found["unit"],
            coordinating_unit=found["coordinating_unit"],
            kind=TrainingKind(found["kind"]),
            needs=found["needs"],
            requested_on=found["requested_on"],
            due_on=found["due_on"],
            deadline_id=found["deadline_id"],
            registered_by=found["registered_by"],
            created_at=found["created_at"],
            updated_at=found["updated_at"],
            completed_on=found["completed_on"],
        )

    async def add(self, need: TrainingNeed) -> None:
        await self._uow.session.execute(insert(training_need).values(id=need.id, **self._row(need)))

    async def save(self, need: TrainingNeed) -> None:
        await self._uow.session.execute(
            update(training_need)
            .where(training_need.c.id == need.id, training_need.c.municipality == self._uow.municipality)
            .values(**self._row(need))
        )

    def _row(self, n: TrainingNeed) -> dict[str, Any]:
        return {
            "municipality": n.municipality,
            "coordinator": n.coordinator,
            "unit": n.unit,
            "coordinating_unit": n.coordinating_unit,
            "kind": n.kind.value,
            "needs": n.needs,
            "requested_on": n.requested_on,
            "due_on": n.due_on,
            "deadline_id": n.deadline_id,
            "registered_by": n.registered_by,
            "completed_on": n.completed_on,
            "created_at": n.created_at,
            "updated_at": n.updated_at,
        }


# --- the annual report ---------------------------------------------------------------------------


class AnnualReports:
    """What the annual report counts, read from the municipality's own records, and its clocks."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def clock_started(self, unit: str, year: int, deadline_id: str) -> bool:
        """Record the clock of a unit's report for a year once; False when it was started before or the report was
        submitted before any clock."""
        municipality = self._uow.municipality
        exists = await self._uow.session.scalar(
            select(annual_report_clock.c.year).where(
                annual_report_clock.c.municipality == municipality,
                annual_report_clock.c.unit == unit,
                annual_report_clock.c.year == year,
            )
        )
        if exists is not None:
            return False
        await self._uow.session.execute(
            insert(annual_report_clock).values(municipality=municipality, unit=unit, year=year, deadline_id=deadline_id)
        )
        return True

    async def filing(self, unit: str, year: int) -> ReportFiling:
        """The unit's report for the year, locked; a report with neither clock nor submission yet is new."""
        query = (
            select(annual_report_clock)
            .where(
                annual_report_clock.c.municipality == self._uow.municipality,
                annual_report_clock.c.unit == unit,
                annual_report_clock.c.year == year,
            )
            .with_for_update()
        )
        found = (await self._uow.session.execute(query)).mappings().first()
        if found is None:
            return ReportFiling(municipality=self._uow.municipality, unit=unit, year=year)
        return ReportFiling(
            municipality=found["municipality"],
            unit=found["unit"],
            year=found["year"],
            deadline_id=found["deadline_id"],
            submitted_at=found["submitted_at"],
            submitted_by=found["submitted_by"],
            submitted=_unit_report_of(found["submitted"]) if found["submitted"] is not None else None,
        )

    async def submissions(self, year: int) -> dict[str, ReportFiling]:
        """The year's submitted reports of the municipality, by unit."""
        query = select(annual_report_clock.c.unit).where(
            annual_report_clock.c.municipality == self._uow.municipality,
            annual_report_clock.c.year == year,
            annual_report_clock.c.submitted_at.is_not(None),
        )
        units = [r[0] for r in (await self._uow.session.execute(query)).all()]
        return {unit: await self.filing(unit, year) for unit in units}

    async def save_filing(self, filing: ReportFiling) -> None:
        values = {
            "deadline_id": filing.deadline_id,
            "submitted_at": filing.submitted_at,
            "submitted_by": filing.submitted_by,
            "submitted": _unit_report_json(filing.submitted) if filing.submitted is not None else None,
        }
        updated = await self._uow.session.execute(
            update(annual_report_clock)
            .where(
                annual_report_clock.c.municipality == filing.municipality,
                annual_report_clock.c.unit == filing.unit,
                annual_report_clock.c.year == filing.year,
            )
            .values(**values)
        )
        if updated.rowcount == 0:  # type: ignore[attr-defined]
            await self._uow.session.execute(
                insert(annual_report_clock).values(
                    municipality=filing.municipality, unit=filing.unit, year=filing.year, **values
                )
            )

    async def appointments(self, unit: str) -> list[tuple[str, date, date | None]]:
        query = (
            select(
                coordinator_appointment.c.coordinator,
                coordinator_appointment.c.appointed_on,
                coordinator_appointment.c.ended_on,
            )
            .join(referral, referral.c.id == coordinator_appointment.c.referral_id)
            .where(referral.c.municipality == self._uow.municipality, referral.c.unit == unit)
        )
        return [(r[0], r[1], r[2]) for r in (await self._uow.session.execute(query)).all()]

    async def plans(self, unit: str) -> list[tuple[datetime, date | None]]:
        query = select(individual_plan.c.created_at, individual_plan.c.declined_on).where(
            individual_plan.c.municipality == self._uow.municipality, individual_plan.c.unit == unit
        )
        return [(r[0], r[1]) for r in (await self._uow.session.execute(query)).all()]

    async def meetings(self, unit: str) -> list[tuple[MeetingKind, date, str | None]]:
        query = select(
            coordination_meeting.c.kind, coordination_meeting.c.held_on, coordination_meeting.c.coordinator
        ).where(
            coordination_meeting.c.municipality == self._uow.municipality,
            coordination_meeting.c.unit == unit,
            coordination_meeting.c.held_on.is_not(None),
        )
        return [(MeetingKind(r[0]), r[1], r[2]) for r in (await self._uow.session.execute(query)).all()]


def _unit_report_json(r: UnitReport) -> dict[str, Any]:
    return {
        "unit": r.unit,
        "coordinators_active": r.coordinators_active,
        "coordinators_appointed": r.coordinators_appointed,
        "individual_plans_active": r.individual_plans_active,
        "individual_plans_created": r.individual_plans_created,
        "meetings_held": r.meetings_held,
        "meetings_by_kind": {k.value: n for k, n in r.meetings_by_kind.items()},
        "meetings_per_coordinator": dict(r.meetings_per_coordinator),
    }


def _unit_report_of(j: dict[str, Any]) -> UnitReport:
    return UnitReport(
        unit=j["unit"],
        coordinators_active=j["coordinators_active"],
        coordinators_appointed=j["coordinators_appointed"],
        individual_plans_active=j["individual_plans_active"],
        individual_plans_created=j["individual_plans_created"],
        meetings_held=j["meetings_held"],
        meetings_by_kind={MeetingKind(k): n for k, n in j["meetings_by_kind"].items()},
        meetings_per_coordinator=j["meetings_per_coordinator"],
    )


# --- BTI and the relay log -------------------------------------------------------------------------------------


class ChildBtis:
    """The children's BTI records of the unit of work's municipality."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def of_child(self, person_id: str, *, for_update: bool = True) -> ChildBti | None:
        found = await first_row(
            self._uow.session,
            child_bti,
            [child_bti.c.municipality == self._uow.municipality, child_bti.c.person_id == person_id],
            for_update=for_update,
        )
        if found is None:
            return None
        return ChildBti(
            id=found["id"],
            municipality=found["municipality"],
            person_id=found["person_id"],
            unit=found["unit"],
            created_at=found["created_at"],
            updated_at=found["updated_at"],
            history=[
                BtiEntry(
                    level=e["level"],
                    reason=BtiReason(e["reason"]),
                    note=e["note"],
                    set_on=date.fromisoformat(e["set_on"]),
                    set_by=e["set_by"],
                    set_at=datetime.fromisoformat(e["set_at"]),
                )
                for e in found["history"]
            ],
        )

    async def add(self, record: ChildBti) -> None:
        await self._uow.session.execute(insert(child_bti).values(id=record.id, **self._row(record)))

    async def save(self, record: ChildBti) -> None:
        await self._uow.session.execute(
            update(child_bti)
            .where(child_bti.c.id == record.id, child_bti.c.municipality == self._uow.municipality)
            .values(**self._row(record))
        )

    def _row(self, r: ChildBti) -> dict[str, Any]:
        return {
            "municipality": r.municipality,
            "person_id": r.person_id,
            "unit": r.unit,
            "level": r.level,
            "history": [
                {
                    "level": e.level,
                    "reason": e.reason.value,
                    "note": e.note,
                    "set_on": e.set_on.isoformat(),
                    "set_by": e.set_by,
                    "set_at": e.set_at.isoformat(),
                }
                for e in r.history
            ],
            "created_at": r.created_at,
            "updated_at": r.updated_at,
        }


class RelayLogs:
    """The children's relay logs of the unit of work's municipality."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def of_child(self, person_id: str, *, for_update: bool = True) -> RelayLog | None:
        found = await first_row(
            self._uow.session,
            relay_log,
            [relay_log.c.municipality == self._uow.municipality, relay_log.c.person_id == person_id],
            for_update=for_update,
        )
        if found is None:
            return None
        entries = (
            await self._uow.session.execute(
                select(relay_log_entry)
                .where(relay_log_entry.c.log_id == found["id"])
                .order_by(relay_log_entry.c.position)
            )
        ).mappings()
        return RelayLog(
            id=found["id"],
            municipality=found["municipality"],
            person_id=found["person_id"],
            unit=found["unit"],
            opened_on=found["opened_on"],
            created_at=found["created_at"],
            updated_at=found["updated_at"],
            holders=[
                RelayHolder(
                    id=h["id"],
                    name=h["name"],
                    role=RelayHolderRole(h["role"]),
                    unit=h["unit"],
                    user=h["user"],
                    from_on=date.fromisoformat(h["from_on"]),
                    until_on=_day(h["until_on"]),
                )
                for h in found["holders"]
            ],
            entries=[
                RelayEntry(
                    id=e["id"],
                    entry_on=e["entry_on"],
                    text=e["text"],
                    written_by=e["written_by"],
                    written_at=e["written_at"],
                )
                for e in entries
            ],
        )

    async def add(self, log: RelayLog) -> None:
        await self._uow.session.execute(insert(relay_log).values(id=log.id, **self._row(log)))
        await self._entries(log)

    async def save(self, log: RelayLog) -> None:
        await self._uow.session.execute(
            update(relay_log)
            .where(relay_log.c.id == log.id, relay_log.c.municipality == self._uow.municipality)
            .values(**self._row(log))
        )
        await self._entries(log)

    async def _entries(self, log: RelayLog) -> None:
        first = len(log.entries) - len(log.new_entries)
        for position, e in enumerate(log.new_entries, start=first):
            await self._uow.session.execute(
                insert(relay_log_entry).values(
                    id=e.id,
                    log_id=log.id,
                    position=position,
                    entry_on=e.entry_on,
                    text=e.text,
                    written_by=e.written_by,
                    written_at=e.written_at,
                )
            )
        log.new_entries.clear()

    def _row(self, log: RelayLog) -> dict[str, Any]:
        return {
            "municipality": log.municipality,
            "person_id": log.person_id,
            "unit": log.unit,
            "opened_on": log.opened_on,
            "holders": [
                {
                    "id": h.id,
                    "name": h.name,
                    "role": h.role.value,
                    "unit": h.unit,
                    "user": h.user,
                    "from_on": h.from_on.isoformat(),
                    "until_on": h.until_on.isoformat() if h.until_on else None,
                }
                for h in log.holders
            ],
            "created_at": log.created_at,
            "updated_at": log.updated_at,
        }


# --- needs raised to the coordinating unit ---------------------------------------------------------------------


class Escalations:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def get(self, escalation_id: str, *, for_update: bool = True) -> Escalation:
        found = await first_row(
            self._uow.session,
            coordination_escalation,
            [
                coordination_escalation.c.id == escalation_id,
                coordination_escalation.c.municipality == self._uow.municipality,
            ],
            for_update=for_update,
        )
        if found is None:
            raise NotFound(f"no escalation {escalation_id} for municipality {self._uow.municipality}")
        return _escalation(found)

    async def of_referral(self, referral_id: str) -> list[Escalation]:
        query = (
            select(coordination_escalation)
            .where(
                coordination_escalation.c.municipality == self._uow.municipality,
                coordination_escalation.c.referral_id == referral_id,
            )
            .order_by(coordination_escalation.c.created_at, coordination_escalation.c.id)
        )
        return [_escalation(row) for row in (await self._uow.session.execute(query)).mappings()]

    async def add(self, e: Escalation) -> None:
        await self._uow.session.execute(insert(coordination_escalation).values(id=e.id, **_escalation_row(e)))

    async def save(self, e: Escalation) -> None:
        await self._uow.session.execute(
            update(coordination_escalation)
            .where(
                coordination_escalation.c.id == e.id,
                coordination_escalation.c.municipality == self._uow.municipality,
            )
            .values(**_escalation_row(e))
        )


def _escalation_row(e: Escalation) -> dict[str, Any]:
    return {
        "municipality": e.municipality,
        "referral_id": e.referral_id,
        "case_id": e.case_id,
        "unit": e.unit,
        "reason": e.reason.value,
        "text": e.text,
        "raised_by": e.raised_by,
        "raised_on": e.raised_on,
        "due_on": e.due_on,
        "deadline_id": e.deadline_id,
        "response": e.response.value if e.response else None,
        "response_text": e.response_text,
        "answered_on": e.answered_on,
        "answered_by": e.answered_by,
        "created_at": e.created_at,
        "updated_at": e.updated_at,
    }


def _escalation(row: RowMapping) -> Escalation:
    return Escalation(
        id=row["id"],
        municipality=row["municipality"],
        referral_id=row["referral_id"],
        case_id=row["case_id"],
        unit=row["unit"],
        reason=EscalationReason(row["reason"]),
        text=row["text"],
        raised_by=row["raised_by"],
        raised_on=row["raised_on"],
        due_on=row["due_on"],
        deadline_id=row["deadline_id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        response=EscalationResponse(row["response"]) if row["response"] else None,
        response_text=row["response_text"],
        answered_on=row["answered_on"],
        answered_by=row["answered_by"],
    )
