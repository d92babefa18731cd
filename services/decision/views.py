"""Read models of the decision API: decisions with approvals, orders and clocks; cases with what to decide."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contracts.assessment import ProposedOutcome
from contracts.coordination import ProposedResult
from contracts.decision import DecisionKind, Outcome
from servicekit.calendar import local_date
from services.decision import db
from services.decision.cases import Municipality
from services.decision.domain import CaseStatus, PendingKind, decided_by, outcome_of_proposal

Row = dict[str, Any]


def letter_url(letter_id: str) -> str:
    return f"/letters/{letter_id}.pdf"


async def decisions(session: AsyncSession, rows: list[Row], place: Municipality) -> list[Row]:
    ids = [r["id"] for r in rows]
    approvals = await db.approvals_of(session, ids)
    orders = await db.orders_of(session, ids)
    clocks = await db.deadlines_of(session, ids)
    return [
        {
            **r,
            "services": [{**s, "name": place.service_name(s["service_code"])} for s in r["services"]],
            "approvals_required_from": r["required_units"],
            "approvals": [a for a in approvals if a["decision_id"] == r["id"]],
            "service_orders": [{**o, "order_id": o["id"]} for o in orders if o["decision_id"] == r["id"]],
            "deadlines": [{**c, "deadline_id": c["id"]} for c in clocks if c["decision_id"] == r["id"]],
            "letter_url": letter_url(r["letter_id"]) if r["letter_id"] else None,
        }
        for r in rows
    ]


def _proposal(case: Row, kind: DecisionKind, appealed: Row | None, today: date) -> Row | None:
    if kind is DecisionKind.REVERSAL and appealed is not None:
        return {
            "outcome": appealed["outcome"],
            "services": [
                {k: s[k] for k in ("service_code", "hours_per_week", "start_on", "end_on")}
                for s in appealed["services"]
            ],
            "refused_services": appealed["refused_services"],
            "legal_basis": appealed["legal_basis"],
        }
    if kind is DecisionKind.REQUESTED:
        requests = case["requests"] or []
        granted = [r["right"] for r in requests if r["proposed"] == ProposedResult.GRANT]
        refused = [r["right"] for r in requests if r["proposed"] != ProposedResult.GRANT]
        outcome = Outcome.GRANTED if not refused else Outcome.REFUSED if not granted else Outcome.PARTLY_GRANTED
        return {
            "outcome": outcome,
            "services": [{"service_code": code, "hours_per_week": None, "start_on": today} for code in granted],
            "refused_services": refused,
            "legal_basis": None,
        }
    recommendation = case["recommendation"]
    if recommendation is not None:
        outcome = outcome_of_proposal(ProposedOutcome(recommendation["proposed_outcome"]))
        services = [
            {k: s.get(k) for k in ("service_code", "hours_per_week", "start_on", "end_on")}
            for s in recommendation["services"]
        ]
        if outcome is Outcome.REFUSED:
            return {
                "outcome": outcome,
                "services": [],
                "refused_services": [s["service_code"] for s in services],
                "legal_basis": recommendation["legal_basis"],
            }
        return {
            "outcome": outcome,
            "services": services,
            "refused_services": [],
            "legal_basis": recommendation["legal_basis"],
        }
    measure = case["emergency_measure"]
    if measure is not None:
        return {
            "outcome": Outcome.GRANTED,
            "services": [
                {
                    "service_code": measure["service_code"],
                    "start_on": local_date(datetime.fromisoformat(measure["started_at"])),
                }
            ],
            "refused_services": [],
            "legal_basis": None,
        }
    return None


async def case(session: AsyncSession, row: Row, place: Municipality, today: date) -> Row:
    status = CaseStatus(row["status"])
    waiting = status in (CaseStatus.AWAITING_DECISION, CaseStatus.AWAITING_APPROVAL)
    pending = PendingKind(
        reversal_of=(row["reversal"] or {}).get("decision_id"),
        requested_rights=tuple(r["right"] for r in row["requests"] or []),
    )
    kind = pending.kind if waiting else None
    appealed = await db.get_decision(session, pending.reversal_of) if pending.reversal_of else None
    agenda = None
    if row["agenda_item_id"]:
        item = await db.get_agenda_item(session, row["agenda_item_id"])
        if item is not None:
            agenda = {**item, "meeting_id": item["meeting_id"]}
    draft = await db.pending_draft_of_case(session, row["case_id"]) if status is CaseStatus.AWAITING_APPROVAL else None
    return {
        **row,
        "awaiting": kind,
        "decided_by": decided_by(kind, place.deciding(row["route"]).config.authority) if kind else None,
        "requests": row["requests"] or [],
        "appealed_decision": (await decisions(session, [appealed], place))[0] if appealed else None,
        "agenda": agenda,
        "pending_decision_id": draft["id"] if draft else None,
        "proposal": _proposal(row, kind, appealed, today) if kind and status is CaseStatus.AWAITING_DECISION else None,
    }


async def meetings(session: AsyncSession, rows: list[Row]) -> list[Row]:
    items = await db.agenda_of(session, [m["id"] for m in rows])
    return [{**m, "agenda": [i for i in items if i["meeting_id"] == m["id"]]} for m in rows]
