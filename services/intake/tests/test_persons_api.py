"""The person register over HTTP: pseudonymous ids, validation, municipality scoping, logged reads."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from servicekit.db import OUTBOX
from servicekit.testing import count, fields_named, runtime_of
from services.intake import db as intake_db
from services.intake.tests.support import (
    HOLTALEN,
    NOW,
    PROBLEM,
    SELBU,
    TODAY,
    TOLGA,
    application_body,
    auth,
    national_id,
    outbox_rows,
    with_check_digits,
)

BORN = date(1948, 10, 30)


async def post_person(client: httpx.AsyncClient, app: FastAPI, number: str, **auth_args: Any) -> httpx.Response:
    return await client.post("/persons", json={"national_id": number}, headers=auth(app, **auth_args))


async def read(
    client: httpx.AsyncClient, app: FastAPI, person_id: str, purpose: str | None = "decision letter", **auth_args: Any
) -> httpx.Response:
    params = {"purpose": purpose} if purpose is not None else {}
    return await client.get(f"/persons/{person_id}", params=params, headers=auth(app, **auth_args))


# --- registering --------------------------------------------------------------------------------


async def test_registering_a_new_number_returns_201_with_a_pseudonymous_id_and_the_birth_date(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    number = national_id(BORN)

    response = await post_person(client, app, number)

    assert response.status_code == 201, response.text
    person = response.json()
    assert uuid.UUID(person["person_id"])
    assert (person["birth_date"], person["id_kind"], person["municipality"]) == ("1948-10-30", "fnr", TOLGA)
    assert number not in response.text
    assert await count(app, intake_db.person) == 1


async def test_registering_the_same_number_again_returns_200_and_the_same_person(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    number = national_id(BORN)
    first = await post_person(client, app, number)

    again = await post_person(client, app, number)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["person_id"] == first.json()["person_id"]
    assert await count(app, intake_db.person) == 1


async def test_the_same_number_in_another_municipality_is_another_person(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    number = national_id(BORN)
    tolga = await post_person(client, app, number)

    selbu = await post_person(client, app, number, municipality=SELBU)

    assert (tolga.status_code, selbu.status_code) == (201, 201)
    assert tolga.json()["person_id"] != selbu.json()["person_id"]
    assert selbu.json()["municipality"] == SELBU


async def test_a_d_number_is_registered_as_dnr_with_its_real_birth_date(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    response = await post_person(client, app, national_id(date(1991, 8, 9), dnr=True))

    assert response.status_code == 201
    assert (response.json()["id_kind"], response.json()["birth_date"]) == ("dnr", "1991-08-09")


def _wrong_first_check_digit() -> str:
    number = national_id(BORN)
    return number[:9] + str((int(number[9]) + 1) % 10) + number[10]


def _wrong_second_check_digit() -> str:
    number = national_id(BORN)
    return number[:10] + str((int(number[10]) + 1) % 10)


def _thirty_first_of_february() -> str:
    return next(n for i in range(500) if (n := with_check_digits(f"310290{i:03d}")) is not None)


TOMORROW = TODAY + timedelta(days=2)


@pytest.mark.parametrize(
    ("number", "detail"),
    [
        ("1234567890", "national_id: must be exactly 11 digits"),
        (_wrong_first_check_digit(), "national_id: first check digit does not match"),
        (_wrong_second_check_digit(), "national_id: second check digit does not match"),
        (_thirty_first_of_february(), "national_id: not a valid date"),
        (national_id(TOMORROW), "national_id: the birth date is in the future"),
    ],
    ids=["format", "first-check-digit", "second-check-digit", "date", "future"],
)
async def test_an_invalid_number_is_422_naming_the_rule_and_registers_nothing(
    app: FastAPI, client: httpx.AsyncClient, number: str, detail: str
) -> None:
    response = await post_person(client, app, number)

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["detail"] == detail
    assert problem["field"] == "national_id"
    assert number not in response.text
    assert await count(app, intake_db.person) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "national_id"), ({"national_id": national_id(BORN), "municipality": SELBU}, "municipality")],
    ids=["missing", "municipality-in-body"],
)
async def test_a_malformed_body_is_422_naming_the_field(
    app: FastAPI, client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/persons", json=body, headers=auth(app))

    assert response.status_code == 422
    assert field in fields_named(response.json())
    assert await count(app, intake_db.person) == 0


async def test_registering_a_person_needs_a_token(app: FastAPI, client: httpx.AsyncClient) -> None:
    response = await client.post("/persons", json={"national_id": national_id(BORN)})

    assert response.status_code == 401
    assert await count(app, intake_db.person) == 0


async def test_a_unit_may_register_a_person_it_starts_a_service_for_out_of_hours(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    response = await post_person(client, app, national_id(BORN), roles=("unit",), unit="home_care")

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("roles", "unit"),
    [(("leader",), None), (("coordinator",), None), (("unit",), None), (("unit",), "respite_service")],
    ids=["leader", "coordinator", "unit-without-claim", "unit-of-another-municipality"],
)
async def test_others_may_not_register_persons_and_nothing_is_written(
    app: FastAPI, client: httpx.AsyncClient, roles: tuple[str, ...], unit: str | None
) -> None:
    response = await post_person(client, app, national_id(BORN), roles=roles, unit=unit)

    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    assert await count(app, intake_db.person) == 0


# --- reading, and the access log ----------------------------------------------------------------


async def registered(client: httpx.AsyncClient, app: FastAPI, number: str, municipality: str = TOLGA) -> str:
    response = await post_person(client, app, number, municipality=municipality)
    assert response.status_code == 201
    person_id: str = response.json()["person_id"]
    return person_id


async def test_a_caseworker_reads_the_national_id_and_the_read_is_logged_with_its_purpose(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    number = national_id(BORN)
    person_id = await registered(client, app, number)

    response = await read(client, app, person_id, purpose="decision letter", subject="ola")

    assert response.status_code == 200
    assert response.json()["national_id"] == number
    assert response.json()["birth_date"] == "1948-10-30"
    log = (await client.get(f"/persons/{person_id}/access-log", headers=auth(app))).json()
    assert log["total"] == 1
    [entry] = log["items"]
    assert (entry["accessed_by"], entry["purpose"], entry["national_id_disclosed"]) == ("ola", "decision letter", True)
    assert entry["roles"] == ["caseworker"]
    assert datetime.fromisoformat(entry["accessed_at"]) == NOW, "the read is logged at the service's clock"


@pytest.mark.parametrize(("roles", "unit"), [(("unit",), "home_care"), (("leader",), None)])
async def test_other_roles_read_the_person_without_the_national_id_and_the_read_is_logged(
    app: FastAPI, client: httpx.AsyncClient, roles: tuple[str, ...], unit: str | None
) -> None:
    number = national_id(BORN)
    person_id = await registered(client, app, number)

    response = await read(client, app, person_id, roles=roles, unit=unit)

    assert response.status_code == 200
    assert response.json()["national_id"] is None
    assert number not in response.text
    assert response.json()["birth_date"] == "1948-10-30"
    [entry] = (await client.get(f"/persons/{person_id}/access-log", headers=auth(app))).json()["items"]
    assert entry["national_id_disclosed"] is False
    assert entry["roles"] == list(roles)


@pytest.mark.parametrize("purpose", [None, "", "  \t "], ids=["missing", "empty", "blank"])
async def test_reading_a_person_without_a_purpose_is_422_and_logs_nothing(
    app: FastAPI, client: httpx.AsyncClient, purpose: str | None
) -> None:
    person_id = await registered(client, app, national_id(BORN))

    response = await read(client, app, person_id, purpose=purpose)

    assert response.status_code == 422
    assert "query.purpose" in fields_named(response.json())
    assert await count(app, intake_db.person_access) == 0


async def test_another_municipality_gets_404_for_the_person_and_its_access_log_and_nothing_is_logged(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    number = national_id(BORN)
    person_id = await registered(client, app, number)

    single = await read(client, app, person_id, municipality=SELBU)
    log = await client.get(f"/persons/{person_id}/access-log", headers=auth(app, municipality=SELBU))

    assert (single.status_code, log.status_code) == (404, 404)
    assert number not in single.text
    assert await count(app, intake_db.person_access) == 0


async def test_the_access_log_lists_reads_newest_first_and_pages(app: FastAPI, client: httpx.AsyncClient) -> None:
    person_id = await registered(client, app, national_id(BORN))
    for purpose in ("assessment", "decision letter", "appeal"):
        assert (await read(client, app, person_id, purpose=purpose)).status_code == 200

    first = (
        await client.get(f"/persons/{person_id}/access-log", params={"limit": 2}, headers=auth(app, roles=("leader",)))
    ).json()
    rest = (
        await client.get(f"/persons/{person_id}/access-log", params={"limit": 2, "offset": 2}, headers=auth(app))
    ).json()

    assert [e["purpose"] for e in first["items"] + rest["items"]] == ["appeal", "decision letter", "assessment"]
    assert (first["total"], rest["total"]) == (3, 3)


@pytest.mark.parametrize(("roles", "unit"), [(("unit",), "home_care"), (("coordinator",), None)])
async def test_only_caseworkers_and_leaders_see_the_access_log(
    app: FastAPI, client: httpx.AsyncClient, roles: tuple[str, ...], unit: str | None
) -> None:
    person_id = await registered(client, app, national_id(BORN))

    response = await client.get(f"/persons/{person_id}/access-log", headers=auth(app, roles=roles, unit=unit))

    assert response.status_code == 403


async def test_an_unknown_person_is_404(app: FastAPI, client: httpx.AsyncClient) -> None:
    response = await read(client, app, str(uuid.uuid4()))

    assert response.status_code == 404
    assert response.json()["field"] == "person_id"


# --- the number never leaves intake -------------------------------------------------------------


async def test_the_national_id_appears_in_no_event_no_span_and_no_case(app: FastAPI, client: httpx.AsyncClient) -> None:
    number = national_id(date(2012, 1, 15))
    person_id = await registered(client, app, number, municipality=HOLTALEN)
    headers = auth(app, HOLTALEN)

    case = await client.post("/applications", json=application_body(person_id, service_code="respite"), headers=headers)
    listing = await client.get("/applications", headers=headers)

    assert case.status_code == 201
    assert number not in case.text
    assert number not in listing.text
    assert await count(app, OUTBOX) == 1
    assert all(number not in row.payload and number not in str(row.headers) for row in await outbox_rows(app))
    memory = runtime_of(app).telemetry.memory
    assert memory is not None
    spans = memory.get_finished_spans()
    assert spans
    assert all(number not in str(dict(span.attributes or {})) and number not in span.name for span in spans)


# --- name and address, for letters ----------------------------------------------------------------

ADDRESS = {"street": "Storgata 1", "postcode": "2540", "city": "Tolga"}


async def test_name_and_address_are_shown_to_caseworkers_and_letter_writing_services_but_not_to_leaders(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    created = await client.post(
        "/persons",
        json={"national_id": national_id(BORN), "name": "Kari Nordmann", "address": ADDRESS},
        headers=auth(app),
    )
    assert created.status_code == 201, created.text
    person_id = created.json()["person_id"]

    caseworker = (await read(client, app, person_id)).json()
    service = (await read(client, app, person_id, roles=("service",))).json()
    leader = (await read(client, app, person_id, roles=("leader",))).json()

    assert (caseworker["name"], caseworker["street"], caseworker["postcode"]) == ("Kari Nordmann", "Storgata 1", "2540")
    assert (service["name"], service["city"], service["national_id"]) == ("Kari Nordmann", "Tolga", None)
    assert (leader["name"], leader["street"]) == (None, None)
    log = (await client.get(f"/persons/{person_id}/access-log", headers=auth(app))).json()
    assert log["total"] == 3


async def test_registering_a_known_number_with_a_new_address_updates_the_address(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    number = national_id(BORN)
    first = await client.post("/persons", json={"national_id": number, "name": "Kari Nordmann"}, headers=auth(app))
    moved = {"street": "Kirkevegen 7", "postcode": "2540", "city": "Tolga"}
    again = await client.post("/persons", json={"national_id": number, "address": moved}, headers=auth(app))

    assert again.status_code == 200
    shown = (await read(client, app, first.json()["person_id"])).json()
    assert (shown["name"], shown["street"]) == ("Kari Nordmann", "Kirkevegen 7")


async def test_an_address_with_a_bad_postcode_is_refused_and_registers_nobody(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    response = await client.post(
        "/persons",
        json={"national_id": national_id(BORN), "address": {**ADDRESS, "postcode": "25400"}},
        headers=auth(app),
    )
    assert response.status_code == 422
    assert "address.postcode" in fields_named(response.json())
    assert await count(app, intake_db.person) == 0
