"""The municipalities' integration feeds carry the journey without free text about a person."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from contracts.envelope import CloudEvent, EventModel, event_types, parse_event
from contracts.intake import ApplicationWithdrawn, WithdrawalReason
from contracts.notification import CaseStatusChanged
from contracts.tests.examples import EXAMPLE_TIME
from contracts.topics import tenant_topic
from contracts.types import LINE_PATTERN, TEXT_PATTERN
from servicekit.clock import FixedClock
from servicekit.consumer import Outcome
from servicekit.db import OUTBOX
from servicekit.testing import Deliveries, runtime_of
from services.notification.domain import FEED_FORWARDED_TEXT, FEED_WITHHELD, for_feed
from services.notification.handlers import FEED_TOPICS, OWN_FEED_TOPICS

WORDS = "Flytter til datteren etter hjerneslaget"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(EXAMPLE_TIME + timedelta(minutes=5))


def withdrawn(reason: str | None = WORDS) -> CloudEvent[Any]:
    return CloudEvent.wrap(
        ApplicationWithdrawn(
            case_id="case-1", withdrawn_on=date(2026, 3, 5), reason=reason, reason_code=WithdrawalReason.MOVED
        ),
        source="/forvalt/intake",
        subject="case-1",
        municipality="5026",
        time=EXAMPLE_TIME,
    )


async def test_a_withdrawal_goes_to_the_feed_with_its_code_and_without_its_words(app: FastAPI) -> None:
    event = withdrawn()

    assert await Deliveries(app).deliver(event) is Outcome.PROCESSED

    async with runtime_of(app).db.engine.connect() as conn:
        payloads = (await conn.execute(select(OUTBOX.c.payload).where(OUTBOX.c.topic == tenant_topic("5026")))).all()
    # The withdrawal, then the status it gives the case (closed).
    [(payload,), (status,)] = payloads
    assert WORDS not in payload
    assert WORDS not in status
    fed = parse_event(payload)
    assert fed is not None
    assert (fed.id, fed.type, fed.data.reason_code, fed.data.reason) == (event.id, event.type, "moved", None)
    closed = parse_event(status)
    assert closed is not None
    assert (closed.type, closed.data.status, closed.data.closed_reason) == (
        CaseStatusChanged.event_type,
        "closed",
        "application_withdrawn",
    )


def test_an_event_without_withheld_fields_goes_to_the_feed_as_it_is() -> None:
    event = withdrawn(reason=None)

    assert for_feed(event) == event


# --- every text field of every journey event is either withheld or known not to be free text ------------------

FREE_TEXT_PATTERNS = {None, LINE_PATTERN, TEXT_PATTERN}


def _text_fields(schema: dict[str, Any], defs: dict[str, Any], path: str, found: dict[str, bool]) -> None:
    """Dotted paths of the string fields that may hold any text (no code, id, date or enum), and if required."""
    if "$ref" in schema:
        _text_fields(defs[schema["$ref"].split("/")[-1]], defs, path, found)
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            _text_fields(option, defs, path, found)
    if schema.get("type") == "object":
        required = set(schema.get("required", []))
        for name, field in schema.get("properties", {}).items():
            inner: dict[str, bool] = {}
            _text_fields(field, defs, f"{path}.{name}".lstrip("."), inner)
            found.update({p: r or (p == f"{path}.{name}".lstrip(".") and name in required) for p, r in inner.items()})
    elif schema.get("type") == "array":
        _text_fields(schema.get("items", {}), defs, path, found)
    elif (
        schema.get("type") == "string"
        and not {"enum", "const", "format"} & set(schema)
        and schema.get("pattern") in FREE_TEXT_PATTERNS
    ):
        found[path] = False


def text_fields(model: type[EventModel]) -> dict[str, bool]:
    schema = model.model_json_schema()
    found: dict[str, bool] = {}
    _text_fields(schema, schema.get("$defs", {}), "", found)
    return found


# The journey's events, and the events this service produces and sends to the feeds itself (a case's status).
FED = sorted(
    name for name, model in event_types().items() if model.topic in {str(t) for t in (*FEED_TOPICS, *OWN_FEED_TOPICS)}
)


def test_the_case_status_is_among_the_events_checked_for_free_text() -> None:
    assert CaseStatusChanged.event_type in FED


@pytest.mark.parametrize("event_type", FED)
def test_no_free_text_field_of_a_journey_event_reaches_a_feed(event_type: str) -> None:
    fields = text_fields(event_types()[event_type])
    withheld = FEED_WITHHELD.get(event_type, frozenset())
    known = set(FEED_FORWARDED_TEXT.get(event_type, {}))

    unexplained = sorted(set(fields) - withheld - known)

    assert not unexplained, (
        f"{event_type}: {unexplained} may hold free text. Withhold it from the feeds (FEED_WITHHELD), or say in "
        "FEED_FORWARDED_TEXT why an integration needs it and it tells nothing of a person"
    )
    assert not [f for f in withheld if fields.get(f)], f"{event_type}: a withheld field must be optional"


def test_the_withdrawal_reason_is_found_as_free_text_and_withheld() -> None:
    # The scan above finds what it must: the withdrawal's words are text, and they are withheld.
    assert "reason" in text_fields(ApplicationWithdrawn)
    assert "reason" in FEED_WITHHELD[ApplicationWithdrawn.event_type]
