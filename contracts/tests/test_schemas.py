"""The exported JSON Schemas in contracts/schemas/ are the published contract; they must match the code."""

from __future__ import annotations

import json
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from contracts.envelope import event_types
from contracts.export import SCHEMA_DIR, render, schema_documents
from contracts.tests.examples import registered_event

HOW_TO_FIX = (
    "Run `python -m contracts.export` and commit contracts/schemas/. If the change is breaking for "
    "consumers (a field removed, renamed, retyped or made required, values narrowed), do not change the "
    "existing type: add a new one with its version bumped (e.g. ...v2) and keep publishing the old one "
    "until every consumer has moved."
)

APPLICATION_REGISTERED_SCHEMA = "no.forvalt.intake.application-registered.v1.json"


def exported(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text())
    return document


def validator_for(document: dict[str, Any]) -> Any:
    cls = jsonschema.validators.validator_for(document)
    cls.check_schema(document)
    return cls(document, format_checker=cls.FORMAT_CHECKER)


def test_every_event_type_has_one_schema_document() -> None:
    assert set(schema_documents()) == {f"{name}.json" for name in event_types()}


@pytest.mark.parametrize("name", sorted(schema_documents()))
def test_exported_schema_file_matches_the_code(name: str) -> None:
    path = SCHEMA_DIR / name
    expected = render(schema_documents()[name])

    assert path.is_file(), f"contracts/schemas/{name} is missing. {HOW_TO_FIX}"
    assert path.read_text() == expected, f"contracts/schemas/{name} is out of date with the code. {HOW_TO_FIX}"


def test_no_stale_schema_file_for_a_type_that_no_longer_exists() -> None:
    stale = sorted({p.name for p in SCHEMA_DIR.iterdir() if p.is_file()} - set(schema_documents()))

    assert not stale, (
        f"contracts/schemas/ holds schemas of no registered event type: {stale}. Removing an event type is "
        f"breaking: keep it registered until no consumer needs it, then delete the file. {HOW_TO_FIX}"
    )


@pytest.mark.parametrize("name", sorted(schema_documents()))
def test_exported_schema_is_a_valid_json_schema_with_id_title_and_topic(name: str) -> None:
    document = schema_documents()[name]

    jsonschema.validators.validator_for(document).check_schema(document)
    type_name = name.removesuffix(".json")
    assert document["title"] == type_name
    assert document["$id"] == f"https://forvalt.no/schemas/{type_name}.json"
    assert document["x-topic"] == str(event_types()[type_name].topic)


def test_example_event_validates_against_its_exported_schema() -> None:
    validator = validator_for(exported(APPLICATION_REGISTERED_SCHEMA))
    document = json.loads(registered_event().to_json())

    errors = list(validator.iter_errors(document))

    assert errors == []


def without(document: dict[str, Any], *path: str) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(document))
    target = copy
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return copy


def with_value(document: dict[str, Any], value: Any, *path: str) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(document))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


VALID = json.loads(registered_event().to_json())


@pytest.mark.parametrize(
    ("case", "document"),
    [
        ("missing person_id", without(VALID, "data", "person_id")),
        ("unknown channel", with_value(VALID, "carrier_pigeon", "data", "channel")),
        ("three-digit municipality", with_value(VALID, "342", "municipality")),
        ("extra data field", with_value(VALID, "01010112345", "data", "national_identity_number")),
        ("extra envelope attribute", with_value(VALID, "x", "unexpected")),
        ("empty consent scope", with_value(VALID, [], "data", "consent", "scope")),
        ("received_on not a date", with_value(VALID, "yesterday", "data", "received_on")),
        ("missing subject", without(VALID, "subject")),
    ],
)
def test_invalid_event_does_not_validate_against_its_exported_schema(case: str, document: dict[str, Any]) -> None:
    validator = validator_for(exported(APPLICATION_REGISTERED_SCHEMA))

    assert not validator.is_valid(document), f"{case} was accepted by the exported schema"


def test_exported_asyncapi_documents_match_the_code() -> None:
    """contracts/asyncapi/ is generated: run `python -m contracts.asyncapi` after changing an event."""
    from contracts.asyncapi import ASYNCAPI_DIR, documents, render

    expected = {name: render(doc) for name, doc in documents().items()}
    actual = {p.name: p.read_text() for p in ASYNCAPI_DIR.glob("*.yaml")}
    assert set(actual) == set(expected), "stale or missing AsyncAPI files: run python -m contracts.asyncapi"
    for name, text in expected.items():
        assert actual[name] == text, f"{name} drifted from the code: run python -m contracts.asyncapi"
