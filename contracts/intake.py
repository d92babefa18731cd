"""Events of the intake service (topic intake.events.v1)."""

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from contracts.envelope import EventModel, register
from contracts.topics import Topic
from contracts.types import MAX_LIST, Code, Identifier, JournalNumber, PlausibleDate, PlausibleTime, Text


class Channel(StrEnum):
    DIGITAL_FORM = "digital_form"
    LETTER = "letter"
    PHONE = "phone"
    IN_PERSON = "in_person"
    GP_MESSAGE = "gp_message"
    HOSPITAL_MESSAGE = "hospital_message"
    OTHER_UNIT = "other_unit"


class Sender(StrEnum):
    APPLICANT = "applicant"
    RELATIVE = "relative"
    GUARDIAN = "guardian"
    GP = "gp"
    HOSPITAL = "hospital"
    UNIT = "unit"
    NEIGHBOUR = "neighbour"
    OTHER = "other"


class ConsentForm(StrEnum):
    ORAL = "oral"
    WRITTEN = "written"


class ConsentGiver(StrEnum):
    PERSON = "person"
    GUARDIAN = "guardian"
    PARENTS = "parents"


class ConsentScope(StrEnum):
    PROCESSING = "processing"
    SHARING = "sharing"
    FETCH_FROM_GP = "fetch_from_gp"
    FETCH_FROM_HOSPITAL = "fetch_from_hospital"


# Whom the 'sharing' scope names: a service or unit code, or a partner office's municipality number.
ShareWith = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[a-z0-9][a-z0-9_]*$")]


class Consent(EventModel):
    form: ConsentForm
    given_by: ConsentGiver
    scope: list[ConsentScope] = Field(min_length=1, max_length=MAX_LIST)
    share_with: list[ShareWith] = Field(
        default_factory=list,
        max_length=MAX_LIST,
        description="service or unit codes the 'sharing' scope names; empty means none",
    )


class Route(StrEnum):
    """Who handles the case: the allocation office, or the coordinating unit for children."""

    ALLOCATION_OFFICE = "allocation_office"
    CHILDREN_UNIT = "children_unit"
    COORDINATING_UNIT = "coordinating_unit"


class CoordinationNeed(StrEnum):
    COORDINATOR = "coordinator"
    INDIVIDUAL_PLAN = "individual_plan"


@register
class ApplicationRegistered(EventModel):
    """An application for services was registered in the journal."""

    event_type = "no.forvalt.intake.application-registered.v1"
    topic = Topic.INTAKE

    case_id: Identifier
    journal_number: JournalNumber = Field(description="unique per municipality and year, e.g. 2026/000123")
    person_id: Identifier = Field(description="pseudonymous person id, never a national identity number")
    channel: Channel
    sender: Sender
    service_code: Code = Field(description="code from the municipality's service catalogue")
    received_on: PlausibleDate = Field(description="receipt date; starts the legal clocks")
    consent: Consent
    route: Route = Route.ALLOCATION_OFFICE
    involves_child: bool = Field(default=False, description="the person is under 18 on the receipt date")
    emergency_measure: bool = Field(default=False, description="a unit started the service before any decision")


@register
class CoordinationReferralRegistered(EventModel):
    """A need for coordinated services (coordinator and/or individual plan) was referred."""

    event_type = "no.forvalt.intake.coordination-referral-registered.v1"
    topic = Topic.INTAKE

    case_id: Identifier
    journal_number: JournalNumber
    person_id: Identifier
    channel: Channel
    sender: Sender
    requested: list[CoordinationNeed] = Field(min_length=1, max_length=MAX_LIST)
    received_on: PlausibleDate
    consent: Consent
    route: Route = Route.COORDINATING_UNIT
    involves_child: bool = False
    person_birth_on: PlausibleDate | None = Field(
        default=None,
        description="the birth date of a person under 18 (a date, not an identity number), so that the coordinating "
        "unit plans a home visit for a small child when the referral arrives; absent for an adult",
    )


class ChildCoordinatorGrounds(StrEnum):
    """Why a family has the right to a child coordinator (helse- og omsorgstjenesteloven § 7-2 a): a born child,
    a child expected in pregnancy, an adopted child allocated, or a child whose care child welfare took over."""

    EXPECTED_CHILD = "expected_child"
    BORN_CHILD = "born_child"
    ADOPTION_ALLOCATED = "adoption_allocated"
    CHILD_WELFARE_CARE = "child_welfare_care"


@register
class ChildCoordinatorApplicationRegistered(EventModel):
    """A family applied for a child coordinator (helse- og omsorgstjenesteloven § 7-2 a), possibly before birth."""

    event_type = "no.forvalt.intake.child-coordinator-application-registered.v1"
    topic = Topic.INTAKE

    case_id: Identifier
    journal_number: JournalNumber
    child_person_id: Identifier | None = Field(default=None, description="absent while the child is not yet born")
    expected_birth_on: PlausibleDate | None = Field(
        default=None, description="set when the application is made in pregnancy"
    )
    applicant_person_id: Identifier = Field(description="the parent or guardian who applies")
    co_applicant_person_id: Identifier | None = Field(
        default=None, description="in pregnancy: the other expecting parent, applying together with the applicant"
    )
    channel: Channel
    sender: Sender
    received_on: PlausibleDate
    consent: Consent
    route: Route = Route.COORDINATING_UNIT
    child_birth_on: PlausibleDate | None = Field(
        default=None, description="the born child's birth date (a date, not an identity number); absent in pregnancy"
    )
    grounds: ChildCoordinatorGrounds | None = Field(
        default=None, description="the grounds of the right; absent from older producers (then born or expected)"
    )
    grounds_since: PlausibleDate | None = Field(
        default=None,
        description="for an adoption, the day the child was allocated; for child welfare, the day it took over care",
    )


@register
class ConsentWithdrawn(EventModel):
    """Consent was withdrawn in whole or part; sharing and fetching that depended on it must stop."""

    event_type = "no.forvalt.intake.consent-withdrawn.v1"
    topic = Topic.INTAKE

    case_id: Identifier
    withdrawn_scopes: list[ConsentScope] = Field(min_length=1, max_length=MAX_LIST)
    withdrawn_share_with: list[ShareWith] = Field(default_factory=list, max_length=MAX_LIST)
    withdrawn_on: PlausibleDate
    remaining: Consent | None = Field(description="the consent that still holds, or none at all")


@register
class EmergencyMeasureRegistered(EventModel):
    """A unit started a service out of hours before any decision; the first allocation meeting must decide."""

    event_type = "no.forvalt.intake.emergency-measure-registered.v1"
    topic = Topic.INTAKE

    case_id: Identifier
    journal_number: JournalNumber
    person_id: Identifier
    unit: Code = Field(description="code of the unit that started the service")
    service_code: Code
    started_at: PlausibleTime
    registered_at: PlausibleTime


class WithdrawalReason(StrEnum):
    """Why an application was withdrawn, as a code: the caseworker's own words stay in intake."""

    WITHDRAWN_BY_APPLICANT = "withdrawn_by_applicant"
    NO_LONGER_NEEDED = "no_longer_needed"
    MOVED = "moved"
    DECEASED = "deceased"
    OTHER = "other"


@register
class ApplicationWithdrawn(EventModel):
    """The applicant withdrew the application; no decision will be made."""

    event_type = "no.forvalt.intake.application-withdrawn.v1"
    topic = Topic.INTAKE

    case_id: Identifier
    withdrawn_on: PlausibleDate
    reason: Text | None = Field(
        default=None,
        max_length=2000,
        description="never filled: free text stays in intake (kept so that v1 documents stay valid); see reason_code",
    )
    reason_code: WithdrawalReason | None = Field(default=None, description="why, as a code; none when not given")
