"""Appeals's HTTP bodies and responses (neither the tables nor the event contracts)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool

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
from servicekit.types import MAX_LIST, PRINTABLE_TEXT, Code, FilledText, Identifier, LetterName, PlausibleDate
from services.appeals.domain import AppealStatus

# Printed in a letter: what the letter font cannot print is refused here, naming the field.
LetterComments = Annotated[FilledText, PRINTABLE_TEXT]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- decisions and their delivery ---------------------------------------------------------------------------------


class DeliveryIn(_Body):
    delivered_on: PlausibleDate = Field(description="the day the letter reached the person")
    basis: DeliveryBasis = Field(
        description="handed_over (given to the person), or digital_receipt (a mailbox receipt recorded by hand)"
    )


class DecisionOut(BaseModel):
    decision_id: str
    case_id: str
    decided_on: date
    services: list[str]
    appealable: bool = Field(description="false for the appeal body's own decision, which is final")
    appeal_body: str | None
    deadline_weeks: int | None
    deadline_rule: str | None
    delivered_on: date | None = Field(description="the day the letter reached the person")
    delivery_basis: DeliveryBasis | None
    appeal_deadline_on: date | None = Field(description="the last day to appeal, off weekends and holidays")
    superseded_by: str | None


# --- appeals --------------------------------------------------------------------------------------------------------


class AppealIn(_Body):
    decision_id: Identifier
    appellant: Appellant
    appellant_name: LetterName | None = Field(
        default=None, description="a guardian's or representative's name, printed in the forwarding letter"
    )
    authority_on_file: StrictBool = Field(
        default=False, description="a representative's written authority from the person (fullmakt) is on file"
    )
    appealed: FilledText = Field(description="what is appealed and why, as the appellant puts it; stays here")
    appealed_services: list[Code] = Field(
        default_factory=list, max_length=MAX_LIST, description="the decision's services appealed; empty: all of it"
    )
    received_on: PlausibleDate
    received_by: Code = Field(description="the office or unit that received it, e.g. allocation_office")
    channel: AppealChannel
    helped_by_office: StrictBool = Field(description="the office helped write it (forvaltningsloven § 32)")


class LateIn(_Body):
    take_up: StrictBool = Field(description="true: taken up despite the delay; false: dismissed as late")
    reason: FilledText = Field(description="why (forvaltningsloven § 31); stays here")
    on: PlausibleDate


class ExaminationIn(_Body):
    result: Examination
    comments: LetterComments = Field(
        description="the office's comments for the appeal body, printed in the forwarding letter; stay here"
    )
    documents: list[ForwardedDocument] = Field(
        default_factory=list,
        max_length=len(ForwardedDocument),
        description="what is sent to the appeal body when forwarded: at least decision, appeal, office_comments",
    )
    examined_on: PlausibleDate


class OutcomeIn(_Body):
    outcome_id: Identifier | None = Field(
        default=None, description="the appeal body's reference of its outcome; the same id twice is the same outcome"
    )
    outcome: BodyOutcome
    decided_on: PlausibleDate


class WithdrawalIn(_Body):
    withdrawn_on: PlausibleDate


class ForwardingOut(BaseModel):
    forwarding_id: str
    appeal_body: str
    forwarded_on: date
    documents: list[ForwardedDocument]


class BodyOutcomeOut(BaseModel):
    outcome_id: str
    outcome: BodyOutcome
    decided_on: date


class AppealSummaryOut(BaseModel):
    id: str
    case_id: str
    decision_id: str
    status: AppealStatus
    received_on: date
    deadline_on: date
    late: bool
    handling_due_on: date


class AppealOut(AppealSummaryOut):
    person_id: str
    appellant: Appellant
    appellant_name: str | None
    authority_on_file: bool
    appealed: str
    appealed_services: list[str]
    received_by: str
    channel: AppealChannel
    helped_by_office: bool
    taken_up_on: date | None
    late_reason: str | None
    examination: Examination | None
    examined_on: date | None
    office_comments: str | None
    forwarding: ForwardingOut | None
    body_outcome: BodyOutcomeOut | None
    ended: AppealEnd | None
    closed_on: date | None
    registered_by: str
    created_at: datetime
    updated_at: datetime


class AppealPage(BaseModel):
    items: list[AppealSummaryOut]
    total: int
    limit: int
    offset: int


# --- complaints and deviations --------------------------------------------------------------------------------------


class ComplaintIn(_Body):
    case_id: Identifier | None = Field(default=None, description="the case the services were decided in, if known")
    person_id: Identifier
    unit: Code = Field(description="the unit whose services the complaint is about")
    kind: ComplaintKind
    description: FilledText = Field(description="the complaint in the person's words; stays here")
    received_on: PlausibleDate


class ComplaintAnswerIn(_Body):
    answer: FilledText
    answered_on: PlausibleDate


class ComplaintOut(BaseModel):
    id: str
    case_id: str
    person_id: str
    unit: str
    kind: ComplaintKind
    description: str
    received_on: date
    response_due_on: date
    answer: str | None
    answered_on: date | None
    answered_by: str | None
    registered_by: str


class ComplaintPage(BaseModel):
    items: list[ComplaintOut]
    total: int
    limit: int
    offset: int


class DeviationIn(_Body):
    case_id: Identifier | None = Field(default=None, description="the case it concerns, if any")
    category: DeviationCategory
    unit: Code = Field(description="the unit or office where it happened")
    description: FilledText = Field(description="what happened; stays here, the feed carries the category only")
    occurred_on: PlausibleDate


class DeviationOut(BaseModel):
    id: str
    case_id: str
    category: DeviationCategory
    unit: str
    description: str
    occurred_on: date
    registered_on: date
    registered_by: str


class DeviationPage(BaseModel):
    items: list[DeviationOut]
    total: int
    limit: int
    offset: int
