"""Every event is bounded: each string and list has a maximum, no text holds a control character, every date is
plausible. An event we produce then always fits the broker, and one we consume that breaks a bound is a dead
letter with its reason, not a database error."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from contracts.envelope import InvalidEvent, parse_event
from contracts.export import schema_documents
from contracts.tests.examples import registered_event

UNBOUNDED_BY_NATURE = {"enum", "const", "format", "$ref", "anyOf", "allOf", "oneOf"}


def _bounded_by_pattern(schema: dict[str, Any]) -> bool:
    """A pattern without an open repetition bounds the length by itself: ^[0-9]{4}$, ^(nb|nn)$."""
    pattern = schema.get("pattern")
    return pattern is not None and not re.search(r"[*+]|\{\d*,\}", pattern)


def _unbounded(schema: dict[str, Any], path: str) -> list[str]:
    found: list[str] = []
    for key in ("anyOf", "allOf", "oneOf"):
        for option in schema.get(key, []):
            found += _unbounded(option, path)
    kind = schema.get("type")
    bounded = "maxLength" in schema or _bounded_by_pattern(schema)
    if kind == "string" and not UNBOUNDED_BY_NATURE & set(schema) and not bounded:
        found.append(f"{path}: a string without maxLength")
    elif kind == "array":
        if "maxItems" not in schema:
            found.append(f"{path}: a list without maxItems")
        found += _unbounded(schema.get("items", {}), f"{path}[]")
    elif kind == "object":
        for name, field in schema.get("properties", {}).items():
            found += _unbounded(field, f"{path}.{name}")
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            if "maxProperties" not in schema and "enum" not in schema.get("propertyNames", {}):
                found.append(f"{path}: a map without maxProperties")
            found += _unbounded(extra, f"{path}{{}}")
    elif kind == "integer" and ("maximum" not in schema or "minimum" not in schema):
        found.append(f"{path}: a whole number without minimum and maximum")
    return found


@pytest.mark.parametrize("name", sorted(schema_documents()))
def test_every_string_list_map_and_whole_number_of_every_event_is_bounded(name: str) -> None:
    document = schema_documents()[name]
    found = _unbounded(document, "event")
    for def_name, definition in document.get("$defs", {}).items():
        found += _unbounded(definition, def_name)

    assert found == []


def _document(**data: Any) -> bytes:
    document = json.loads(registered_event().to_json())
    document["data"].update(data)
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("journal_number", "2026/\u0000001"),
        ("person_id", "person\u00001"),
        ("service_code", "home_nursing\u0000"),
        ("case_id", "c" * 65),
        ("received_on", "9999-12-31"),
        ("received_on", "0001-01-01"),
    ],
)
def test_an_event_that_breaks_a_bound_is_invalid_and_says_which_field(field: str, value: str) -> None:
    with pytest.raises(InvalidEvent, match=field):
        parse_event(_document(**{field: value}))


def test_an_envelope_time_near_the_end_of_the_calendar_is_invalid() -> None:
    document = json.loads(registered_event().to_json())
    document["time"] = "9999-12-31T23:59:59-01:00"

    with pytest.raises(InvalidEvent, match="time"):
        parse_event(json.dumps(document).encode())


def test_a_consent_naming_too_many_recipients_is_invalid() -> None:
    consent = {"form": "written", "given_by": "person", "scope": ["sharing"], "share_with": ["home_care"] * 51}

    with pytest.raises(InvalidEvent, match="share_with"):
        parse_event(_document(consent=consent))


def test_a_decision_with_a_legal_basis_of_a_thousand_lines_is_invalid() -> None:
    from contracts.decision import DecisionMade

    with pytest.raises(ValueError, match="legal_basis"):
        DecisionMade.model_validate(
            {
                "decision_id": "d-1",
                "case_id": "case-1",
                "person_id": "person-1",
                "kind": "initial",
                "outcome": "granted",
                "legal_basis": ["helse- og omsorgstjenesteloven § 3-2 første ledd nr. 6 bokstav b"] * 1000,
                "decided_on": "2026-11-02",
                "decided_by": "office",
                "appeal": {
                    "appeal_body": "Statsforvalteren",
                    "submit_to": "Tildelingskontoret",
                    "deadline_weeks": 3,
                    "deadline_on": "2026-11-23",
                    "legal_basis": "forvaltningsloven § 29",
                },
            }
        )
