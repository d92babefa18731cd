"""The CloudEvents envelope: wrapping, serialising, parsing and refusing what is not a valid event."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from contracts.deadlines import DeadlineKind, DeadlineScheduled
from contracts.envelope import CloudEvent, InvalidEvent, event_types, parse_event
from contracts.intake import ApplicationRegistered, Channel
from contracts.tests.examples import EXAMPLE_TIME, application_registered, registered_event
from contracts.topics import Topic


def as_document(event: CloudEvent[Any]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(event.to_json())
    return document


def encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document).encode()


def test_wrap_takes_type_from_the_payload_and_fills_envelope_attributes() -> None:
    event = registered_event(municipality="5032")

    assert event.type == "no.forvalt.intake.application-registered.v1"
    assert event.specversion == "1.0"
    assert event.datacontenttype == "application/json"
    assert event.source == "/forvalt/intake"
    assert event.subject == "case-1"
    assert event.municipality == "5032"
    assert event.id
    assert event.time.tzinfo is not None


def test_wrap_gives_every_event_its_own_id() -> None:
    assert registered_event().id != registered_event().id


def test_wrapped_event_survives_to_json_and_parse_event_unchanged() -> None:
    event = registered_event()

    parsed = parse_event(event.to_json())

    assert parsed is not None
    assert isinstance(parsed.data, ApplicationRegistered)
    assert parsed.data == event.data
    assert parsed.model_dump() == event.model_dump()


def test_parse_event_accepts_text_as_well_as_bytes() -> None:
    event = registered_event()

    parsed = parse_event(event.to_json().decode())

    assert parsed is not None
    assert parsed.id == event.id


def test_round_trip_works_for_every_registered_event_type() -> None:
    deadline = DeadlineScheduled(
        deadline_id="d-1",
        case_id="case-1",
        kind=DeadlineKind.PRELIMINARY_REPLY,
        due_on=date(2026, 12, 28),
        responsible="allocation_office",
    )
    event = CloudEvent.wrap(
        deadline, source="/forvalt/notification", subject="case-1", municipality="3426", time=EXAMPLE_TIME
    )

    parsed = parse_event(event.to_json())

    assert parsed is not None
    assert parsed.type == DeadlineScheduled.event_type
    assert parsed.data == deadline
    assert DeadlineScheduled.event_type in event_types()
    assert DeadlineScheduled.topic == Topic.DEADLINES


@pytest.mark.parametrize("raw", [b"{not json", b"", b"\xff\xfe", b"[]", b'"a string"'])
def test_malformed_json_raises_invalid_event_with_a_reason(raw: bytes) -> None:
    with pytest.raises(InvalidEvent, match=r"invalid envelope: .+"):
        parse_event(raw)


@pytest.mark.parametrize("attribute", ["source", "type", "subject", "municipality", "data"])
def test_envelope_missing_a_required_attribute_is_invalid_and_names_it(attribute: str) -> None:
    document = as_document(registered_event())
    del document[attribute]

    with pytest.raises(InvalidEvent, match="invalid envelope") as caught:
        parse_event(encode(document))

    assert attribute in str(caught.value)


def test_wrong_specversion_is_invalid() -> None:
    document = as_document(registered_event())
    document["specversion"] = "0.3"

    with pytest.raises(InvalidEvent, match="specversion"):
        parse_event(encode(document))


def test_data_missing_person_id_is_invalid_event_naming_the_field() -> None:
    document = as_document(registered_event())
    del document["data"]["person_id"]

    with pytest.raises(InvalidEvent) as caught:
        parse_event(encode(document))

    message = str(caught.value)
    assert "invalid data for no.forvalt.intake.application-registered.v1" in message
    assert "person_id" in message


def test_data_with_unknown_channel_is_invalid_event_naming_the_field() -> None:
    document = as_document(registered_event())
    document["data"]["channel"] = "carrier_pigeon"

    with pytest.raises(InvalidEvent, match="channel"):
        parse_event(encode(document))


def test_nested_data_error_names_the_nested_path() -> None:
    document = as_document(registered_event())
    document["data"]["consent"]["scope"] = []

    with pytest.raises(InvalidEvent, match=r"consent\.scope"):
        parse_event(encode(document))


def test_valid_envelope_of_an_unknown_type_parses_to_none() -> None:
    document = as_document(registered_event())
    document["type"] = "no.forvalt.somewhere.something-happened.v1"
    document["data"] = {"anything": "goes"}

    assert parse_event(encode(document)) is None


def test_unknown_type_with_an_invalid_envelope_is_still_invalid() -> None:
    document = as_document(registered_event())
    document["type"] = "no.forvalt.somewhere.something-happened.v1"
    document["municipality"] = "12"

    with pytest.raises(InvalidEvent, match="municipality"):
        parse_event(encode(document))


def test_explicit_registry_limits_the_types_parse_event_knows() -> None:
    event = registered_event()

    assert parse_event(event.to_json(), known={}) is None
    assert parse_event(event.to_json(), known={ApplicationRegistered.event_type: ApplicationRegistered}) is not None


@pytest.mark.parametrize("municipality", ["342", "34266", "34a6", "", " 3426", "3426\n"])
def test_wrap_refuses_a_municipality_that_is_not_four_digits(municipality: str) -> None:
    with pytest.raises(ValidationError, match="municipality"):
        registered_event(municipality=municipality)


@pytest.mark.parametrize("municipality", ["342", "34266", "abcd", 3426])
def test_parse_event_refuses_a_municipality_that_is_not_four_digits(municipality: Any) -> None:
    document = as_document(registered_event())
    document["municipality"] = municipality

    with pytest.raises(InvalidEvent, match="municipality"):
        parse_event(encode(document))


@pytest.mark.parametrize(
    "municipality",
    [
        "\u0663\u0664\u0662\u0666",  # Arabic-Indic digits: str.isdigit() and regex \d accept them
        "\uff13\uff14\uff12\uff16",  # full-width digits
    ],
)
def test_municipality_must_be_ascii_digits(municipality: str) -> None:
    # Kafka topic names (tenant.<municipality>.events.v1) and tenant lookups need plain 0-9.
    document = as_document(registered_event())
    document["municipality"] = municipality

    with pytest.raises(InvalidEvent, match="municipality"):
        parse_event(encode(document))


def test_extra_envelope_attribute_is_refused() -> None:
    document = as_document(registered_event())
    document["traceparent"] = "00-abc"

    with pytest.raises(InvalidEvent, match="traceparent"):
        parse_event(encode(document))


def test_extra_data_field_is_refused() -> None:
    document = as_document(registered_event())
    document["data"]["national_identity_number"] = "01010112345"

    with pytest.raises(InvalidEvent, match="national_identity_number"):
        parse_event(encode(document))


def test_payload_model_refuses_extra_fields_and_is_immutable() -> None:
    with pytest.raises(ValidationError, match="unexpected"):
        application_registered(unexpected="x")
    data = application_registered()
    with pytest.raises(ValidationError):
        data.channel = Channel.LETTER  # type: ignore[misc]


def test_wrap_refuses_extra_envelope_attributes_on_direct_construction() -> None:
    with pytest.raises(ValidationError, match="extra"):
        CloudEvent[ApplicationRegistered](
            source="/forvalt/intake",
            type=ApplicationRegistered.event_type,
            subject="case-1",
            municipality="3426",
            data=application_registered(),
            extra="nope",  # type: ignore[call-arg]
        )
