"""Events of the intake service (topic intake.events.v1)."""

from datetime import date
from enum import StrEnum

from pydantic import Field

from contracts.envelope import EventModel, register
from contracts.topics import Topic


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


class Consent(EventModel):
    form: ConsentForm
    given_by: ConsentGiver
    scope: list[ConsentScope] = Field(min_length=1)


@register
class ApplicationRegistered(EventModel):
    """An application for services was registered in the journal."""

    event_type = "no.forvalt.intake.application-registered.v1"
    topic = Topic.INTAKE

    case_id: str = Field(min_length=1)
    journal_number: str = Field(min_length=1, description="unique per municipality and year, e.g. 2026/000123")
    person_id: str = Field(min_length=1, description="pseudonymous person id, never a national identity number")
    channel: Channel
    sender: Sender
    service_code: str = Field(min_length=1, description="code from the municipality's service catalogue")
    received_on: date = Field(description="receipt date; starts the legal clocks")
    consent: Consent


@register
class ApplicationWithdrawn(EventModel):
    """The applicant withdrew the application; no decision will be made."""

    event_type = "no.forvalt.intake.application-withdrawn.v1"
    topic = Topic.INTAKE

    case_id: str = Field(min_length=1)
    withdrawn_on: date
    reason: str | None = Field(default=None, max_length=2000)
