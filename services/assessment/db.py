"""Assessment's tables and repository. Free-text health information (visit notes, reasons, the
best-interests assessment) lives only here, never in an event."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    and_,
    exists,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import RowMapping
from sqlalchemy.sql.elements import ColumnElement

from contracts.assessment import AssigneeKind, InformationSource, Recommendation, VisitKind
from servicekit.db import UnitOfWork, UtcDateTime, new_id, new_metadata, rows_page
from servicekit.errors import NotFound
from services.assessment.domain import (
    Assessment,
    AssessmentSummary,
    Assignment,
    BestInterests,
    CriteriaEvaluation,
    EvaluatedCriteria,
    FunctionalScores,
    Grant,
    InformationRequest,
    OpenedBecause,
    Opening,
    RecordedRecommendation,
    RequestStatus,
    Status,
    Visit,
)

metadata = new_metadata()

assessment = Table(
    "assessment",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False, index=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("journal_number", String(20), nullable=False),
    Column("person_id", String(100), nullable=False),
    Column("service_code", String(60), nullable=False),
    Column("route", String(30), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("involves_child", Boolean, nullable=False),
    Column("emergency_measure", Boolean, nullable=False),
    # The consent as intake last told us: scope and whom 'sharing' names.
    Column("consent_scope", JSON, nullable=False),
    Column("consent_share_with", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("assignee_kind", String(20), nullable=True),
    Column("assignee", String(60), nullable=True),
    Column("writes_own_assessment", Boolean, nullable=False),
    Column("scores", JSON, nullable=True),
    Column("scores_assessed_on", Date, nullable=True),
    Column("scores_recorded_by", String(60), nullable=True),
    Column("care_ladder_step", Integer, nullable=True),
    Column("care_ladder_grounds", JSON, nullable=True),
    Column("bti_level", Integer, nullable=True),
    Column("coordinated_criteria_met", JSON, nullable=True),
    Column("criteria_evaluated_at", UtcDateTime(), nullable=True),
    Column("recommendation", JSON, nullable=True),
    Column("recommendation_reasons", Text, nullable=True),
    Column("recommended_by", String(60), nullable=True),
    Column("completed_by", String(60), nullable=True),
    Column("completed_at", UtcDateTime(), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    # A case's rounds: 1 opened by the application, one more each time the appeal body quashes a decision of it.
    Column("round", Integer, nullable=False, server_default="1"),
    Column("opened_because", String(30), nullable=False, server_default=Opening.APPLICATION_REGISTERED.value),
    Column("appeal_outcome_id", String(64), nullable=True),
    Column("appeal_id", String(64), nullable=True),
    Column("quashed_decision_id", String(64), nullable=True),
    Column("quashed_on", Date, nullable=True),
    UniqueConstraint("municipality", "case_id", "round", name="uq_assessment_municipality_case_id_round"),
    # An outcome of the appeal body opens one round, however often it is delivered.
    UniqueConstraint("municipality", "appeal_outcome_id", name="uq_assessment_municipality_appeal_outcome_id"),
)

visit = Table(
    "visit",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("assessment_id", String(36), ForeignKey("assessment.id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("scheduled_at", UtcDateTime(), nullable=False),
    Column("held_at", UtcDateTime(), nullable=True),
    Column("notes", Text, nullable=True),
    Column("recorded_by", String(60), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

information_request = Table(
    "information_request",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("assessment_id", String(36), ForeignKey("assessment.id"), nullable=False, index=True),
    Column("source", String(20), nullable=False),
    Column("requested_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("status", String(40), nullable=False),
    Column("received_on", Date, nullable=True),
    Column("deadline_id", String(36), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("closed_at", UtcDateTime(), nullable=True),
)

child_best_interests = Table(
    "child_best_interests",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("assessment_id", String(36), ForeignKey("assessment.id"), nullable=False, index=True),
    Column("children_considered", Integer, nullable=False),
    Column("assessment", Text, nullable=False),
    Column("assessed_by", String(60), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# A partner municipality's office may see and work on this one case (an explicit, recorded hand-over), until the
# grant is revoked (the consent to share with it was withdrawn): the row stays, as the record of both.
case_access = Table(
    "case_access",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("assessment_id", String(36), ForeignKey("assessment.id"), nullable=False),
    Column("case_id", String(64), nullable=False),
    Column("home_municipality", String(4), nullable=False),
    Column("partner_municipality", String(4), nullable=False, index=True),
    Column("granted_by", String(100), nullable=False),
    Column("granted_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
    UniqueConstraint("assessment_id", "partner_municipality", name="uq_case_access_assessment_id"),
)


def _visible_to(municipality: str) -> ColumnElement[bool]:
    """The home municipality's own assessments, and those handed over to it (by a recorded grant that holds)."""
    granted = exists().where(
        and_(
            case_access.c.assessment_id == assessment.c.id,
            case_access.c.partner_municipality == municipality,
            case_access.c.revoked_at.is_(None),
        )
    )
    return or_(assessment.c.municipality == municipality, granted)


@dataclass
class _Loaded:
    """The child rows an assessment had when it was loaded: save inserts the others and updates these."""

    visits: set[str] = field(default_factory=set)
    requests: set[str] = field(default_factory=set)
    best_interests: set[str] = field(default_factory=set)
    partners: set[str] = field(default_factory=set)
    revoked: set[str] = field(default_factory=set)


class Assessments:
    """The assessments the unit of work's municipality may see: its own, and those handed over to it."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._loaded: dict[str, _Loaded] = {}

    async def get(self, assessment_id: str, *, for_update: bool = True) -> Assessment:
        """The assessment, if the acting municipality may see it (home or by a grant), else NotFound."""
        municipality = self._uow.municipality
        query = select(assessment).where(assessment.c.id == assessment_id, _visible_to(municipality))
        if for_update:
            query = query.with_for_update(of=assessment)
        found = (await self._uow.session.execute(query)).mappings().first()
        if found is None:
            raise NotFound(f"no assessment {assessment_id} for municipality {municipality}")
        return await self._assemble(found)

    async def by_case(self, case_id: str) -> Assessment | None:
        """The acting municipality's own latest round of `case_id` (never one handed over to it), for update."""
        query = (
            select(assessment)
            .where(assessment.c.municipality == self._uow.municipality, assessment.c.case_id == case_id)
            .order_by(assessment.c.round.desc())
            .limit(1)
        )
        found = (await self._uow.session.execute(query.with_for_update())).mappings().first()
        return await self._assemble(found) if found is not None else None

    async def rounds_of_case(self, case_id: str) -> list[Assessment]:
        """Every round of the acting municipality's own assessment of `case_id`, oldest first, for update."""
        query = (
            select(assessment)
            .where(assessment.c.municipality == self._uow.municipality, assessment.c.case_id == case_id)
            .order_by(assessment.c.round)
        )
        found = (await self._uow.session.execute(query.with_for_update())).mappings().all()
        return [await self._assemble(row) for row in found]

    async def list_visible(
        self, *, status: Status | None, case_id: str | None, unit: str | None, limit: int, offset: int
    ) -> tuple[list[AssessmentSummary], int]:
        """One page of the visible assessments, newest first, and how many there are in all."""
        municipality = self._uow.municipality
        where = [_visible_to(municipality)]
        if status is not None:
            where.append(assessment.c.status == status.value)
        if case_id is not None:
            where.append(assessment.c.case_id == case_id)
        if unit is not None:
            # A unit is one municipality's own: it never sees a case through another municipality's hand-over.
            where += [
                assessment.c.municipality == municipality,
                assessment.c.assignee_kind == "unit",
                assessment.c.assignee == unit,
            ]
        order = [assessment.c.created_at.desc(), assessment.c.id]
        rows, total = await rows_page(self._uow.session, assessment, where, order, limit=limit, offset=offset)
        return [_summary(r) for r in rows], total

    async def add(self, new: Assessment) -> None:
        await self._uow.session.execute(insert(assessment).values(**_row(new)))
        self._loaded[new.id] = _Loaded()
        await self._save_children(new)

    async def save(self, changed: Assessment) -> None:
        """Write the assessment back: its row, and its visits, requests, best-interests assessments and grants."""
        await self._uow.session.execute(update(assessment).where(assessment.c.id == changed.id).values(**_row(changed)))
        await self._save_children(changed)

    async def _save_children(self, a: Assessment) -> None:
        loaded = self._loaded.setdefault(a.id, _Loaded())
        for v in a.visits:
            await self._put(visit, v.id, loaded.visits, _visit_row(a, v))
        for r in a.information_requests:
            await self._put(information_request, r.id, loaded.requests, _request_row(a, r))
        for b in a.best_interests:
            if b.id not in loaded.best_interests:  # recorded once, never changed
                await self._put(child_best_interests, b.id, loaded.best_interests, _best_interests_row(a, b))
        for g in a.grants:
            if g.partner not in loaded.partners:  # a grant is recorded once; later only its revocation
                await self._uow.session.execute(insert(case_access).values(**_grant_row(a, g)))
                loaded.partners.add(g.partner)
            if not g.holds and g.partner not in loaded.revoked:
                await self._uow.session.execute(
                    update(case_access)
                    .where(case_access.c.assessment_id == a.id, case_access.c.partner_municipality == g.partner)
                    .values(revoked_at=g.revoked_at)
                )
                loaded.revoked.add(g.partner)

    async def _put(self, table: Table, row_id: str, known: set[str], row: dict[str, Any]) -> None:
        session = self._uow.session
        if row_id in known:
            await session.execute(update(table).where(table.c.id == row_id).values(**row))
        else:
            await session.execute(insert(table).values(id=row_id, **row))
            known.add(row_id)

    async def _assemble(self, row: RowMapping) -> Assessment:
        assessment_id = str(row["id"])
        visits = [_visit(r) for r in await self._children(visit, assessment_id)]
        requests = [_request(r) for r in await self._children(information_request, assessment_id)]
        best = [_best_interests(r) for r in await self._children(child_best_interests, assessment_id)]
        grants_query = (
            select(case_access).where(case_access.c.assessment_id == assessment_id).order_by(case_access.c.granted_at)
        )
        grants = [_grant(r) for r in (await self._uow.session.execute(grants_query)).mappings().all()]
        self._loaded[assessment_id] = _Loaded(
            visits={v.id for v in visits},
            requests={r.id for r in requests},
            best_interests={b.id for b in best},
            partners={g.partner for g in grants},
            revoked={g.partner for g in grants if not g.holds},
        )
        return _assessment(row, visits, requests, best, grants)

    async def _children(self, table: Table, assessment_id: str) -> list[RowMapping]:
        """The visits, information requests or best-interests assessments of one assessment, oldest first."""
        query = select(table).where(table.c.assessment_id == assessment_id).order_by(table.c.created_at, table.c.id)
        return list((await self._uow.session.execute(query)).mappings().all())


# --- rows <-> the aggregate ------------------------------------------------------------------------


def _assignment(row: RowMapping) -> Assignment:
    return Assignment(
        kind=AssigneeKind(row["assignee_kind"]) if row["assignee_kind"] else None,
        assignee=row["assignee"],
        writes_own_assessment=row["writes_own_assessment"],
    )


def _summary(row: RowMapping) -> AssessmentSummary:
    return AssessmentSummary(
        id=row["id"],
        case_id=row["case_id"],
        municipality=row["municipality"],
        journal_number=row["journal_number"],
        person_id=row["person_id"],
        service_code=row["service_code"],
        route=row["route"],
        involves_child=row["involves_child"],
        emergency_measure=row["emergency_measure"],
        status=Status(row["status"]),
        assignment=_assignment(row),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        round=row["round"],
        opened_because=_opened_because(row),
    )


def _opened_because(row: RowMapping) -> OpenedBecause:
    return OpenedBecause(
        reason=Opening(row["opened_because"]),
        outcome_id=row["appeal_outcome_id"],
        appeal_id=row["appeal_id"],
        decision_id=row["quashed_decision_id"],
        decided_on=row["quashed_on"],
    )


def _assessment(
    row: RowMapping,
    visits: list[Visit],
    requests: list[InformationRequest],
    best_interests: list[BestInterests],
    grants: list[Grant],
) -> Assessment:
    scores = (
        FunctionalScores(
            scores=dict(row["scores"]), assessed_on=row["scores_assessed_on"], recorded_by=row["scores_recorded_by"]
        )
        if row["scores"] is not None
        else None
    )
    criteria = (
        EvaluatedCriteria(
            evaluation=CriteriaEvaluation(
                care_ladder_step=row["care_ladder_step"],
                care_ladder_grounds=tuple(row["care_ladder_grounds"] or ()),
                bti_level=row["bti_level"],
                coordinated_criteria_met=tuple(row["coordinated_criteria_met"] or ()),
            ),
            evaluated_at=row["criteria_evaluated_at"],
        )
        if row["criteria_evaluated_at"] is not None
        else None
    )
    recommendation = (
        RecordedRecommendation(
            recommendation=Recommendation.model_validate(row["recommendation"]),
            reasons=row["recommendation_reasons"] or "",
            recommended_by=row["recommended_by"],
        )
        if row["recommendation"] is not None
        else None
    )
    return Assessment(
        id=row["id"],
        municipality=row["municipality"],
        case_id=row["case_id"],
        journal_number=row["journal_number"],
        person_id=row["person_id"],
        service_code=row["service_code"],
        route=row["route"],
        received_on=row["received_on"],
        involves_child=row["involves_child"],
        emergency_measure=row["emergency_measure"],
        consent_scope=list(row["consent_scope"]),
        consent_share_with=list(row["consent_share_with"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        status=Status(row["status"]),
        assignment=_assignment(row),
        scores=scores,
        criteria=criteria,
        recommendation=recommendation,
        completed_by=row["completed_by"],
        completed_at=row["completed_at"],
        visits=visits,
        information_requests=requests,
        best_interests=best_interests,
        grants=grants,
        round=row["round"],
        opened_because=_opened_because(row),
    )


def _row(a: Assessment) -> dict[str, Any]:
    criteria = a.criteria.evaluation if a.criteria else None
    return {
        "id": a.id,
        "municipality": a.municipality,
        "case_id": a.case_id,
        "journal_number": a.journal_number,
        "person_id": a.person_id,
        "service_code": a.service_code,
        "route": a.route,
        "received_on": a.received_on,
        "involves_child": a.involves_child,
        "emergency_measure": a.emergency_measure,
        "consent_scope": list(a.consent_scope),
        "consent_share_with": list(a.consent_share_with),
        "status": a.status.value,
        "assignee_kind": a.assignment.kind.value if a.assignment.kind else None,
        "assignee": a.assignment.assignee,
        "writes_own_assessment": a.assignment.writes_own_assessment,
        "scores": dict(a.scores.scores) if a.scores else None,
        "scores_assessed_on": a.scores.assessed_on if a.scores else None,
        "scores_recorded_by": a.scores.recorded_by if a.scores else None,
        "care_ladder_step": criteria.care_ladder_step if criteria else None,
        "care_ladder_grounds": list(criteria.care_ladder_grounds) if criteria else None,
        "bti_level": criteria.bti_level if criteria else None,
        "coordinated_criteria_met": list(criteria.coordinated_criteria_met) if criteria else None,
        "criteria_evaluated_at": a.criteria.evaluated_at if a.criteria else None,
        "recommendation": a.recommendation.recommendation.model_dump(mode="json") if a.recommendation else None,
        "recommendation_reasons": a.recommendation.reasons if a.recommendation else None,
        "recommended_by": a.recommendation.recommended_by if a.recommendation else None,
        "completed_by": a.completed_by,
        "completed_at": a.completed_at,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
        "round": a.round,
        "opened_because": a.opened_because.reason.value,
        "appeal_outcome_id": a.opened_because.outcome_id,
        "appeal_id": a.opened_because.appeal_id,
        "quashed_decision_id": a.opened_because.decision_id,
        "quashed_on": a.opened_because.decided_on,
    }


def _visit(row: RowMapping) -> Visit:
    return Visit(
        id=row["id"],
        kind=VisitKind(row["kind"]),
        scheduled_at=row["scheduled_at"],
        created_at=row["created_at"],
        held_at=row["held_at"],
        notes=row["notes"],
        recorded_by=row["recorded_by"],
    )


def _visit_row(a: Assessment, v: Visit) -> dict[str, Any]:
    return {
        "assessment_id": a.id,
        "kind": v.kind.value,
        "scheduled_at": v.scheduled_at,
        "held_at": v.held_at,
        "notes": v.notes,
        "recorded_by": v.recorded_by,
        "created_at": v.created_at,
    }


def _request(row: RowMapping) -> InformationRequest:
    return InformationRequest(
        id=row["id"],
        source=InformationSource(row["source"]),
        requested_on=row["requested_on"],
        due_on=row["due_on"],
        deadline_id=row["deadline_id"],
        created_at=row["created_at"],
        status=RequestStatus(row["status"]),
        received_on=row["received_on"],
        closed_at=row["closed_at"],
    )


def _request_row(a: Assessment, r: InformationRequest) -> dict[str, Any]:
    return {
        "assessment_id": a.id,
        "source": r.source.value,
        "requested_on": r.requested_on,
        "due_on": r.due_on,
        "status": r.status.value,
        "received_on": r.received_on,
        "deadline_id": r.deadline_id,
        "created_at": r.created_at,
        "closed_at": r.closed_at,
    }


def _best_interests(row: RowMapping) -> BestInterests:
    return BestInterests(
        id=row["id"],
        children_considered=row["children_considered"],
        text=row["assessment"],
        assessed_by=row["assessed_by"],
        assessed_at=row["created_at"],
    )


def _best_interests_row(a: Assessment, b: BestInterests) -> dict[str, Any]:
    return {
        "assessment_id": a.id,
        "children_considered": b.children_considered,
        "assessment": b.text,
        "assessed_by": b.assessed_by,
        "created_at": b.assessed_at,
    }


def _grant(row: RowMapping) -> Grant:
    return Grant(
        partner=row["partner_municipality"],
        granted_by=row["granted_by"],
        granted_at=row["granted_at"],
        revoked_at=row["revoked_at"],
    )


def _grant_row(a: Assessment, g: Grant) -> dict[str, Any]:
    return {
        "id": new_id(),
        "assessment_id": a.id,
        "case_id": a.case_id,
        "home_municipality": a.municipality,
        "partner_municipality": g.partner,
        "granted_by": g.granted_by,
        "granted_at": g.granted_at,
        "revoked_at": g.revoked_at,
    }
