"""Notification's HTTP API: the notifications and deadlines of the caller's municipality, staff's inboxes, and each
case's status as the person sees it (for the office, and for a citizen portal: the person's own cases)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from contracts.appeals import AppealEnd, BodyOutcome
from contracts.decision import DecidedBy, Outcome
from contracts.notification import CaseStatus, ClosedReason
from servicekit.context import bind
from servicekit.http import problem_responses
from servicekit.runtime import BusDep
from servicekit.types import Identifier, Limit, Offset
from services.notification import commands
from services.notification.domain import CaseState, Deadline, Notification

router = APIRouter(tags=["notifications"])


class NotificationOut(BaseModel):
    id: str
    case_id: str
    kind: str
    recipient: str
    text: str
    created_at: datetime


class DeadlineOut(BaseModel):
    id: str
    case_id: str
    kind: str
    due_on: date
    responsible: str
    status: str
    created_at: datetime
    remind_on: date = Field(description="the day the reminder is owed, by the kind's lead time")
    escalation_step: int = Field(description="the escalation steps sent to the responsible's leader (0: none)")
    escalate_on: date | None = Field(description="the day the next escalation step is owed (none: not escalating)")

    @classmethod
    def of(cls, deadline: Deadline) -> DeadlineOut:
        return cls(
            id=deadline.id,
            case_id=deadline.case_id,
            kind=deadline.kind,
            due_on=deadline.due_on,
            responsible=deadline.responsible,
            status=deadline.listed_status,
            created_at=deadline.created_at,
            remind_on=deadline.reminder_on,
            escalation_step=deadline.escalation_step,
            escalate_on=deadline.escalate_on,
        )


CaseFilter = Annotated[Identifier | None, Query(description="only this case")]


@router.get("/notifications", response_model=list[NotificationOut], summary="Notifications, oldest first")
async def list_notifications(
    bus: BusDep, case_id: CaseFilter = None, limit: Limit = 100, offset: Offset = 0
) -> list[NotificationOut]:
    if case_id:
        bind(case_id=case_id)
    found = await bus.run(commands.list_notifications, commands.Page(case_id, limit, offset))
    return [
        NotificationOut(
            id=n.id, case_id=n.case_id, kind=n.kind, recipient=n.recipient, text=n.text, created_at=n.created_at
        )
        for n in found
    ]


@router.get("/deadlines", response_model=list[DeadlineOut], summary="Deadlines, oldest first")
async def list_deadlines(
    bus: BusDep, case_id: CaseFilter = None, limit: Limit = 100, offset: Offset = 0
) -> list[DeadlineOut]:
    if case_id:
        bind(case_id=case_id)
    return [DeadlineOut.of(d) for d in await bus.run(commands.list_deadlines, commands.Page(case_id, limit, offset))]


# --- a case's status as the person sees it ---------------------------------------------------------------------


class CaseStatusOut(BaseModel):
    case_id: str
    person_id: str | None
    status: CaseStatus
    since: datetime
    outcome: Outcome | None = None
    decided_by: DecidedBy | None = None
    appeal_outcome: BodyOutcome | None = None
    appeal_end: AppealEnd | None = None
    appeal_body: str | None = None
    expected_on: date | None = None
    closed_reason: ClosedReason | None = None

    @classmethod
    def of(cls, state: CaseState) -> CaseStatusOut:
        codes = state.codes
        return cls(
            case_id=state.case_id,
            person_id=state.person_id,
            status=state.status,
            since=state.since,
            outcome=codes.outcome,
            decided_by=codes.decided_by,
            appeal_outcome=codes.appeal_outcome,
            appeal_end=codes.appeal_end,
            appeal_body=codes.appeal_body,
            expected_on=codes.expected_on,
            closed_reason=codes.closed_reason,
        )


class CaseStatusPage(BaseModel):
    items: list[CaseStatusOut]
    total: int
    limit: int
    offset: int


READERS = "a caseworker or leader of the municipality, or the person (role `person`) for their own cases"


@router.get(
    "/persons/{person_id}/cases",
    response_model=CaseStatusPage,
    tags=["case status"],
    summary="A person's cases with their status, the latest step first",
    description=f"Who may read: {READERS}. A citizen asking for another person's cases finds no such person.",
    responses=problem_responses({403: f"not {READERS}", 404: "no such person (for a citizen: not you)"}),
)
async def cases_of_person(person_id: Identifier, bus: BusDep, limit: Limit = 50, offset: Offset = 0) -> CaseStatusPage:
    page = await bus.run(commands.cases_of_person, commands.CasesOfPerson(person_id, limit, offset))
    return CaseStatusPage(
        items=[CaseStatusOut.of(s) for s in page.items], total=page.total, limit=page.limit, offset=page.offset
    )


@router.get(
    "/cases/{case_id}/status",
    response_model=CaseStatusOut,
    tags=["case status"],
    summary="A case's status as the person sees it",
    description=f"Who may read: {READERS}. A citizen asking for another person's case finds no such case.",
    responses=problem_responses(
        {403: f"not {READERS}", 404: "no such case in your municipality (for a citizen: of yours)"}
    ),
)
async def case_status(case_id: Identifier, bus: BusDep) -> CaseStatusOut:
    bind(case_id=case_id)
    return CaseStatusOut.of(await bus.run(commands.case_status, commands.GetCaseStatus(case_id)))


# --- staff's inboxes ------------------------------------------------------------------------------------------------


class InboxItem(BaseModel):
    id: str
    case_id: str
    kind: str
    recipient: str
    text: str
    created_at: datetime
    read_at: datetime | None = Field(description="when it was marked read (none: unread)")

    @classmethod
    def of(cls, note: Notification) -> InboxItem:
        return cls(
            id=note.id,
            case_id=note.case_id,
            kind=note.kind,
            recipient=note.recipient,
            text=note.text,
            created_at=note.created_at,
            read_at=note.read_at,
        )


class InboxPage(BaseModel):
    items: list[InboxItem]
    total: int
    limit: int
    offset: int


INBOX_READERS = (
    "a token with a `unit` claim reads its unit's inbox and its leader's (leader_of:<unit>); a caseworker or leader "
    "the inboxes of the municipality's offices (a leader also leader_of:<office>); a coordinator `coordinator`"
)
Recipient = Annotated[
    str,
    Query(
        pattern=r"^(leader_of:)?[a-z][a-z0-9_]*$",
        max_length=80,
        description="whose inbox: an office or unit code, or leader_of:<code>",
    ),
]


@router.get(
    "/inbox",
    response_model=InboxPage,
    tags=["inbox"],
    summary="A recipient's reminders, alerts and escalations, newest first",
    description=f"Who may read: {INBOX_READERS}.",
    responses=problem_responses({403: f"not your inbox: {INBOX_READERS}"}),
)
async def read_inbox(recipient: Recipient, bus: BusDep, limit: Limit = 50, offset: Offset = 0) -> InboxPage:
    page = await bus.run(commands.inbox, commands.Inbox(recipient, limit, offset))
    items = [InboxItem.of(n) for n in page.items]
    return InboxPage(items=items, total=page.total, limit=page.limit, offset=page.offset)


@router.post(
    "/inbox/{notification_id}/read",
    response_model=InboxItem,
    tags=["inbox"],
    summary="Mark a notification in an inbox read",
    description=f"Who may mark: whoever reads that inbox ({INBOX_READERS}). Marking it again keeps the first time.",
    responses=problem_responses({403: "not your inbox", 404: "no such notification in an inbox of your municipality"}),
)
async def mark_read(notification_id: Identifier, bus: BusDep) -> InboxItem:
    return InboxItem.of(await bus.run(commands.mark_read, commands.MarkRead(notification_id)))
