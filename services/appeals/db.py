"""Appeals's tables and repositories: the decisions it has learned (with their letters' delivery), receipts of
letters it has not yet learned the decision of, appeals, complaints and deviations. Every getter is bound to the
unit of work's municipality in SQL; rows are mapped to the aggregates and back here."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Integer,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import RowMapping

from contracts.appeals import (
    AppealChannel,
    AppealEnd,
    Appellant,
    BodyOutcome,
    ComplaintKind,
    DeliveryBasis,
    DeviationCategory,
    Examination,
    ForwardedDocument,
)
from servicekit.db import UnitOfWork, UtcDateTime, first_row, new_metadata, rows_page
from servicekit.errors import NotFound
from services.appeals.domain import (
    Appeal,
    AppealInput,
    AppealStatus,
    BodyDecision,
    Complaint,
    Deviation,
    Forwarding,
    KnownDecision,
)

metadata = new_metadata()

known_decision = Table(
    "known_decision",
    metadata,
    Column("decision_id", String(64), primary_key=True),
    Column("municipality", String(4), nullable=False, index=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("person_id", String(100), nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("service_codes", JSON, nullable=False),
    Column("appeal_body", String(500), nullable=True, doc="none: the appeal body's own, final decision"),
    Column("deadline_weeks", Integer, nullable=True),
    Column("deadline_rule", String(500), nullable=True),
    Column("submit_to", String(500), nullable=True),
    Column("letter_id", String(64), nullable=True, index=True),
    Column("delivered_on", Date, nullable=True),
    Column("delivery_basis", String(30), nullable=True),
    Column("superseded_by", String(64), nullable=True),
)

# A digital mailbox's receipt for a letter whose decision has not reached this service yet (topics are not ordered
# against each other): applied when the decision arrives.
letter_receipt = Table(
    "letter_receipt",
    metadata,
    Column("municipality", String(4), primary_key=True),
    Column("letter_id", String(64), primary_key=True),
    Column("receipt_id", String(64), nullable=False),
    Column("delivered_on", Date, nullable=False),
)

appeal = Table(
    "appeal",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False, index=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("decision_id", String(64), nullable=False, index=True),
    Column("person_id", String(100), nullable=False),
    Column("appellant", String(30), nullable=False),
    Column("appellant_name", String(200), nullable=True),
    Column("authority_on_file", Boolean, nullable=False),
    Column("appealed", Text, nullable=False, doc="what is appealed and why, in the appellant's words"),
    Column("appealed_services", JSON, nullable=False),
    Column("received_on", Date, nullable=False),
    Column("received_by", String(60), nullable=False),
    Column("channel", String(30), nullable=False),
    Column("helped_by_office", Boolean, nullable=False),
    Column("deadline_on", Date, nullable=False),
    Column("late", Boolean, nullable=False),
    Column("handling_due_on", Date, nullable=False),
    Column("handling_deadline_id", String(36), nullable=False),
    Column("status", String(30), nullable=False, index=True),
    Column("taken_up_on", Date, nullable=True),
    Column("late_reason", Text, nullable=True),
    Column("examination", String(30), nullable=True),
    Column("examined_on", Date, nullable=True),
    Column("office_comments", Text, nullable=True),
    Column("forwarding_id", String(36), nullable=True, unique=True),
    Column("appeal_body", String(500), nullable=True),
    Column("forwarded_on", Date, nullable=True),
    Column("documents", JSON, nullable=True),
    Column("outcome_id", String(64), nullable=True),
    Column("outcome", String(30), nullable=True),
    Column("outcome_decided_on", Date, nullable=True),
    Column("outcome_recorded_at", UtcDateTime(), nullable=True),
    Column("ended", String(30), nullable=True),
    Column("closed_on", Date, nullable=True),
    Column("registered_by", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

complaint = Table(
    "complaint",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False, index=True),
    Column("case_id", String(64), nullable=False),
    Column("person_id", String(100), nullable=False),
    Column("unit", String(60), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("description", Text, nullable=False),
    Column("received_on", Date, nullable=False),
    Column("response_due_on", Date, nullable=False),
    Column("deadline_id", String(36), nullable=False),
    Column("answer", Text, nullable=True),
    Column("answered_on", Date, nullable=True),
    Column("answered_by", String(100), nullable=True),
    Column("registered_by", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

deviation = Table(
    "deviation",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False, index=True),
    Column("case_id", String(64), nullable=False),
    Column("category", String(40), nullable=False),
    Column("unit", String(60), nullable=False),
    Column("description", Text, nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("registered_by", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)


# --- decisions and their letters' delivery ----------------------------------------------------------------------


class KnownDecisions:
    """The decisions of the unit of work's municipality, as the appeals service learned them."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def _where(self) -> Any:
        return known_decision.c.municipality == self._uow.municipality

    async def get(self, decision_id: str, *, for_update: bool = True) -> KnownDecision | None:
        found = await first_row(
            self._uow.session,
            known_decision,
            [self._where(), known_decision.c.decision_id == decision_id],
            for_update=for_update,
        )
        return _known(found) if found is not None else None

    async def require(self, decision_id: str, *, field: str = "decision_id") -> KnownDecision:
        found = await self.get(decision_id)
        if found is None:
            raise NotFound(f"{field}: no decision {decision_id} in municipality {self._uow.municipality}", field=field)
        return found

    async def by_letter(self, letter_id: str) -> KnownDecision | None:
        query = select(known_decision).where(self._where(), known_decision.c.letter_id == letter_id)
        found = (await self._uow.session.execute(query.with_for_update())).mappings().first()
        return _known(found) if found is not None else None

    async def add(self, new: KnownDecision) -> None:
        await self._uow.session.execute(insert(known_decision).values(**_known_row(new)))

    async def save(self, changed: KnownDecision) -> None:
        await self._uow.session.execute(
            update(known_decision)
            .where(self._where(), known_decision.c.decision_id == changed.decision_id)
            .values(**_known_row(changed))
        )

    async def early_receipt(self, letter_id: str) -> date | None:
        """The delivery a mailbox reported before the letter's decision arrived, if any."""
        query = select(letter_receipt.c.delivered_on).where(
            letter_receipt.c.municipality == self._uow.municipality, letter_receipt.c.letter_id == letter_id
        )
        found: date | None = await self._uow.session.scalar(query)
        return found

    async def keep_receipt(self, letter_id: str, receipt_id: str, delivered_on: date) -> None:
        if await self.early_receipt(letter_id) is not None:
            return
        await self._uow.session.execute(
            insert(letter_receipt).values(
                municipality=self._uow.municipality,
                letter_id=letter_id,
                receipt_id=receipt_id,
                delivered_on=delivered_on,
            )
        )


def _known_row(k: KnownDecision) -> dict[str, Any]:
    return {
        "decision_id": k.decision_id,
        "municipality": k.municipality,
        "case_id": k.case_id,
        "person_id": k.person_id,
        "decided_on": k.decided_on,
        "service_codes": list(k.service_codes),
        "appeal_body": k.appeal_body,
        "deadline_weeks": k.deadline_weeks,
        "deadline_rule": k.deadline_rule,
        "submit_to": k.submit_to,
        "letter_id": k.letter_id,
        "delivered_on": k.delivered_on,
        "delivery_basis": k.delivery_basis.value if k.delivery_basis is not None else None,
        "superseded_by": k.superseded_by,
    }


def _known(r: RowMapping) -> KnownDecision:
    return KnownDecision(
        decision_id=r["decision_id"],
        municipality=r["municipality"],
        case_id=r["case_id"],
        person_id=r["person_id"],
        decided_on=r["decided_on"],
        service_codes=tuple(r["service_codes"]),
        appeal_body=r["appeal_body"],
        deadline_weeks=r["deadline_weeks"],
        deadline_rule=r["deadline_rule"],
        submit_to=r["submit_to"],
        letter_id=r["letter_id"],
        delivered_on=r["delivered_on"],
        delivery_basis=DeliveryBasis(r["delivery_basis"]) if r["delivery_basis"] is not None else None,
        superseded_by=r["superseded_by"],
    )


# --- appeals ------------------------------------------------------------------------------------------------------


class Appeals:
    """The appeals of the unit of work's municipality."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def _where(self) -> Any:
        return appeal.c.municipality == self._uow.municipality

    async def get(self, appeal_id: str, *, for_update: bool = True) -> Appeal:
        found = await first_row(
            self._uow.session, appeal, [self._where(), appeal.c.id == appeal_id], for_update=for_update
        )
        if found is None:
            raise NotFound(f"no appeal {appeal_id} in municipality {self._uow.municipality}")
        return _appeal(found)

    async def by_forwarding(self, forwarding_id: str) -> Appeal:
        query = select(appeal).where(self._where(), appeal.c.forwarding_id == forwarding_id).with_for_update()
        found = (await self._uow.session.execute(query)).mappings().first()
        if found is None:
            raise NotFound(
                f"forwarding_id: no appeal forwarded as {forwarding_id} in municipality {self._uow.municipality}",
                field="forwarding_id",
            )
        return _appeal(found)

    async def open_on(self, decision_id: str) -> int:
        """How many appeals against the decision are still open (received or with the appeal body)."""
        query = (
            select(func.count())
            .select_from(appeal)
            .where(
                self._where(),
                appeal.c.decision_id == decision_id,
                appeal.c.status.in_([AppealStatus.RECEIVED.value, AppealStatus.FORWARDED.value]),
            )
        )
        return int(await self._uow.session.scalar(query) or 0)

    async def page(
        self,
        *,
        status: AppealStatus | None,
        case_id: str | None,
        decision_id: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Appeal], int]:
        """One page of the municipality's appeals: the most urgent handling first."""
        where = [self._where()]
        if status is not None:
            where.append(appeal.c.status == status.value)
        if case_id is not None:
            where.append(appeal.c.case_id == case_id)
        if decision_id is not None:
            where.append(appeal.c.decision_id == decision_id)
        order = [appeal.c.handling_due_on, appeal.c.created_at, appeal.c.id]
        rows, total = await rows_page(self._uow.session, appeal, where, order, limit=limit, offset=offset)
        return [_appeal(r) for r in rows], total

    async def add(self, new: Appeal) -> None:
        await self._uow.session.execute(insert(appeal).values(**_appeal_row(new)))

    async def save(self, changed: Appeal) -> None:
        await self._uow.session.execute(
            update(appeal).where(self._where(), appeal.c.id == changed.id).values(**_appeal_row(changed))
        )


def _appeal_row(a: Appeal) -> dict[str, Any]:
    g, f, b = a.given, a.forwarding, a.body_decision
    return {
        "id": a.id,
        "municipality": a.municipality,
        "case_id": a.case_id,
        "decision_id": a.decision_id,
        "person_id": a.person_id,
        "appellant": g.appellant.value,
        "appellant_name": g.appellant_name,
        "authority_on_file": g.authority_on_file,
        "appealed": g.appealed,
        "appealed_services": list(g.appealed_services),
        "received_on": g.received_on,
        "received_by": g.received_by,
        "channel": g.channel.value,
        "helped_by_office": g.helped_by_office,
        "deadline_on": a.deadline_on,
        "late": a.late,
        "handling_due_on": a.handling_due_on,
        "handling_deadline_id": a.handling_deadline_id,
        "status": a.status.value,
        "taken_up_on": a.taken_up_on,
        "late_reason": a.late_reason,
        "examination": a.examination.value if a.examination is not None else None,
        "examined_on": a.examined_on,
        "office_comments": a.office_comments,
        "forwarding_id": f.id if f is not None else None,
        "appeal_body": f.appeal_body if f is not None else None,
        "forwarded_on": f.forwarded_on if f is not None else None,
        "documents": [d.value for d in f.documents] if f is not None else None,
        "outcome_id": b.outcome_id if b is not None else None,
        "outcome": b.outcome.value if b is not None else None,
        "outcome_decided_on": b.decided_on if b is not None else None,
        "outcome_recorded_at": b.recorded_at if b is not None else None,
        "ended": a.ended.value if a.ended is not None else None,
        "closed_on": a.closed_on,
        "registered_by": a.registered_by,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
    }


def _appeal(r: RowMapping) -> Appeal:
    forwarding = None
    if r["forwarding_id"] is not None:
        forwarding = Forwarding(
            id=r["forwarding_id"],
            appeal_body=r["appeal_body"],
            forwarded_on=r["forwarded_on"],
            documents=tuple(ForwardedDocument(d) for d in r["documents"] or []),
        )
    body = None
    if r["outcome_id"] is not None:
        body = BodyDecision(
            outcome_id=r["outcome_id"],
            outcome=BodyOutcome(r["outcome"]),
            decided_on=r["outcome_decided_on"],
            recorded_at=r["outcome_recorded_at"],
        )
    return Appeal(
        id=r["id"],
        municipality=r["municipality"],
        case_id=r["case_id"],
        decision_id=r["decision_id"],
        person_id=r["person_id"],
        given=AppealInput(
            appellant=Appellant(r["appellant"]),
            appellant_name=r["appellant_name"],
            authority_on_file=r["authority_on_file"],
            appealed=r["appealed"],
            appealed_services=tuple(r["appealed_services"]),
            received_on=r["received_on"],
            received_by=r["received_by"],
            channel=AppealChannel(r["channel"]),
            helped_by_office=r["helped_by_office"],
        ),
        deadline_on=r["deadline_on"],
        late=r["late"],
        handling_due_on=r["handling_due_on"],
        handling_deadline_id=r["handling_deadline_id"],
        registered_by=r["registered_by"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        status=AppealStatus(r["status"]),
        taken_up_on=r["taken_up_on"],
        late_reason=r["late_reason"],
        examination=Examination(r["examination"]) if r["examination"] is not None else None,
        examined_on=r["examined_on"],
        office_comments=r["office_comments"],
        forwarding=forwarding,
        body_decision=body,
        ended=AppealEnd(r["ended"]) if r["ended"] is not None else None,
        closed_on=r["closed_on"],
    )


# --- complaints and deviations ------------------------------------------------------------------------------------


class Complaints:
    """The complaints about delivered services of the unit of work's municipality."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def get(self, complaint_id: str, *, for_update: bool = True) -> Complaint:
        found = await first_row(
            self._uow.session,
            complaint,
            [complaint.c.municipality == self._uow.municipality, complaint.c.id == complaint_id],
            for_update=for_update,
        )
        if found is None:
            raise NotFound(f"no complaint {complaint_id} in municipality {self._uow.municipality}")
        return _complaint(found)

    async def page(
        self, *, unit: str | None, answered: bool | None, limit: int, offset: int
    ) -> tuple[list[Complaint], int]:
        """One page of complaints (of one unit, when given), the soonest due first."""
        where = [complaint.c.municipality == self._uow.municipality]
        if unit is not None:
            where.append(complaint.c.unit == unit)
        if answered is not None:
            where.append(complaint.c.answered_on.is_not(None) if answered else complaint.c.answered_on.is_(None))
        order = [complaint.c.response_due_on, complaint.c.id]
        rows, total = await rows_page(self._uow.session, complaint, where, order, limit=limit, offset=offset)
        return [_complaint(r) for r in rows], total

    async def add(self, new: Complaint) -> None:
        await self._uow.session.execute(insert(complaint).values(**_complaint_row(new)))

    async def save(self, changed: Complaint) -> None:
        await self._uow.session.execute(
            update(complaint)
            .where(complaint.c.municipality == self._uow.municipality, complaint.c.id == changed.id)
            .values(**_complaint_row(changed))
        )


def _complaint_row(c: Complaint) -> dict[str, Any]:
    return {
        "id": c.id,
        "municipality": c.municipality,
        "case_id": c.case_id,
        "person_id": c.person_id,
        "unit": c.unit,
        "kind": c.kind.value,
        "description": c.description,
        "received_on": c.received_on,
        "response_due_on": c.response_due_on,
        "deadline_id": c.deadline_id,
        "answer": c.answer,
        "answered_on": c.answered_on,
        "answered_by": c.answered_by,
        "registered_by": c.registered_by,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    }


def _complaint(r: RowMapping) -> Complaint:
    return Complaint(
        id=r["id"],
        municipality=r["municipality"],
        case_id=r["case_id"],
        person_id=r["person_id"],
        unit=r["unit"],
        kind=ComplaintKind(r["kind"]),
        description=r["description"],
        received_on=r["received_on"],
        response_due_on=r["response_due_on"],
        deadline_id=r["deadline_id"],
        registered_by=r["registered_by"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        answer=r["answer"],
        answered_on=r["answered_on"],
        answered_by=r["answered_by"],
    )


class Deviations:
    """The deviations registered in the unit of work's municipality."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def page(
        self, *, category: DeviationCategory | None, unit: str | None, limit: int, offset: int
    ) -> tuple[list[Deviation], int]:
        where = [deviation.c.municipality == self._uow.municipality]
        if category is not None:
            where.append(deviation.c.category == category.value)
        if unit is not None:
            where.append(deviation.c.unit == unit)
        order = [deviation.c.registered_on.desc(), deviation.c.created_at.desc(), deviation.c.id]
        rows, total = await rows_page(self._uow.session, deviation, where, order, limit=limit, offset=offset)
        return [_deviation(r) for r in rows], total

    async def add(self, new: Deviation) -> None:
        await self._uow.session.execute(
            insert(deviation).values(
                id=new.id,
                municipality=new.municipality,
                case_id=new.case_id,
                category=new.category.value,
                unit=new.unit,
                description=new.description,
                occurred_on=new.occurred_on,
                registered_on=new.registered_on,
                registered_by=new.registered_by,
                created_at=new.created_at,
            )
        )


def _deviation(r: RowMapping) -> Deviation:
    return Deviation(
        id=r["id"],
        municipality=r["municipality"],
        case_id=r["case_id"],
        category=DeviationCategory(r["category"]),
        unit=r["unit"],
        description=r["description"],
        occurred_on=r["occurred_on"],
        registered_on=r["registered_on"],
        registered_by=r["registered_by"],
        created_at=r["created_at"],
    )
