"""Example events shared by the contract tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from contracts.envelope import CloudEvent
from contracts.intake import (
    ApplicationRegistered,
    Channel,
    Consent,
    ConsentForm,
    ConsentGiver,
    ConsentScope,
    Sender,
)

# When the example events happened: a fixed instant, so no test depends on the day it runs.
EXAMPLE_TIME = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def application_registered(**overrides: Any) -> ApplicationRegistered:
    fields: dict[str, Any] = {
        "case_id": "case-1",
        "journal_number": "2026/000001",
        "person_id": "person-1",
        "channel": Channel.DIGITAL_FORM,
        "sender": Sender.APPLICANT,
        "service_code": "home_nursing",
        "received_on": date(2026, 11, 2),
        "consent": Consent(form=ConsentForm.WRITTEN, given_by=ConsentGiver.PERSON, scope=[ConsentScope.PROCESSING]),
    }
    fields.update(overrides)
    return ApplicationRegistered(**fields)


def registered_event(municipality: str = "3426", **overrides: Any) -> CloudEvent[Any]:
    data = application_registered(**overrides)
    return CloudEvent.wrap(
        data, source="/forvalt/intake", subject=data.case_id, municipality=municipality, time=EXAMPLE_TIME
    )
