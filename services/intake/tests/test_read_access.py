"""Who reads intake: a token needs a role for every read; a unit reads only the emergency measures it registered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from servicekit.actor import Actor
from servicekit.errors import Forbidden
from servicekit.settings import REPO_ROOT
from servicekit.tenants import Tenants
from services.intake.domain import CaseReader, EmergencyDetails, case_reader
from services.intake.tests.support import NOW, TOLGA, application_body, auth, register_person

NO_ROLES: tuple[str, ...] = ()


def emergency_body(person: str) -> dict[str, Any]:
    return {
        "person_id": person,
        "service_code": "home_nursing",
        "started_at": (NOW - timedelta(days=1)).isoformat(),
        "what": "Evening visit to help with insulin",
        "why": "Discharged from hospital on a Saturday night",
        "consent": {"form": "oral", "given_by": "person", "scope": ["processing"]},
    }


async def cases(client: httpx.AsyncClient, app: FastAPI) -> tuple[str, str, str]:
    """An application (by a caseworker), and one emergency measure each of home care and the nursing home."""
    person = await register_person(client, app)
    application = await client.post("/applications", json=application_body(person), headers=auth(app))
    home_care = await client.post(
        "/emergency-measures", json=emergency_body(person), headers=auth(app, roles=("unit",), unit="home_care")
    )
    nursing_home = await client.post(
        "/emergency-measures", json=emergency_body(person), headers=auth(app, roles=("unit",), unit="nursing_home")
    )
    assert {application.status_code, home_care.status_code, nursing_home.status_code} == {201}
    return application.json()["case_id"], home_care.json()["case_id"], nursing_home.json()["case_id"]


@pytest.mark.parametrize("roles", [NO_ROLES, ("coordinator",), ("leader",)], ids=["no-roles", "coordinator", "leader"])
async def test_a_token_without_a_reading_role_reads_no_case_consent_or_emergency_text(
    app: FastAPI, client: httpx.AsyncClient, roles: tuple[str, ...]
) -> None:
    application, emergency, _ = await cases(client, app)
    headers = auth(app, roles=roles)

    responses = [
        await client.get("/applications", headers=headers),
        await client.get(f"/applications/{application}", headers=headers),
        await client.get(f"/applications/{emergency}", headers=headers),
        await client.get(f"/applications/{application}/consent", headers=headers),
    ]

    assert [r.status_code for r in responses] == [403] * 4
    assert all("Discharged" not in r.text for r in responses)


async def test_a_token_without_roles_reads_no_person(app: FastAPI, client: httpx.AsyncClient) -> None:
    person = await register_person(client, app)

    response = await client.get(f"/persons/{person}", params={"purpose": "curious"}, headers=auth(app, roles=NO_ROLES))
    log = (await client.get(f"/persons/{person}/access-log", headers=auth(app))).json()

    assert response.status_code == 403
    assert log["total"] == 0


async def test_a_service_reads_the_person_it_addresses_a_letter_to(app: FastAPI, client: httpx.AsyncClient) -> None:
    person = await register_person(client, app)

    response = await client.get(
        f"/persons/{person}", params={"purpose": "decision letter"}, headers=auth(app, roles=("service",))
    )

    assert response.status_code == 200


async def test_a_unit_lists_and_reads_only_the_emergency_measures_it_registered(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    application, home_care, nursing_home = await cases(client, app)
    unit = auth(app, roles=("unit",), unit="home_care")

    listing = (await client.get("/applications", headers=unit)).json()
    own = await client.get(f"/applications/{home_care}", headers=unit)
    own_consent = await client.get(f"/applications/{home_care}/consent", headers=unit)
    others = [
        await client.get(f"/applications/{nursing_home}", headers=unit),
        await client.get(f"/applications/{application}", headers=unit),
        await client.get(f"/applications/{application}/consent", headers=unit),
    ]

    assert ([i["case_id"] for i in listing["items"]], listing["total"]) == ([home_care], 1)
    assert own.status_code == 200
    assert own.json()["emergency_details"]["why"] == "Discharged from hospital on a Saturday night"
    assert own_consent.status_code == 200
    assert [r.status_code for r in others] == [404, 404, 404]


async def test_a_caseworker_lists_every_case_of_the_municipality(app: FastAPI, client: httpx.AsyncClient) -> None:
    await cases(client, app)

    listing = (await client.get("/applications", headers=auth(app))).json()

    assert listing["total"] == 3


@pytest.mark.parametrize("unit", [None, "space_station"], ids=["no-unit-claim", "not-a-unit-of-tolga"])
async def test_a_unit_token_without_a_unit_of_the_municipality_reads_no_case(
    app: FastAPI, client: httpx.AsyncClient, unit: str | None
) -> None:
    await cases(client, app)

    response = await client.get("/applications", headers=auth(app, roles=("unit",), unit=unit))

    assert response.status_code == 403


# --- the rule ---------------------------------------------------------------------------------------------


def details(unit: str) -> EmergencyDetails:
    at = datetime(2026, 11, 22, tzinfo=UTC)
    return EmergencyDetails(unit=unit, started_at=at, what="x", why="y", registered_at=at, registered_by="u")


def test_a_caseworker_reads_every_case_and_a_unit_its_own_emergency_measures() -> None:
    tolga = Tenants.load(REPO_ROOT / "deploy" / "tenants").get(TOLGA)
    caseworker = Actor(subject="kari", municipality=TOLGA, roles=frozenset({"caseworker"}))
    unit = Actor(subject="ola", municipality=TOLGA, roles=frozenset({"unit"}), unit="home_care")

    assert case_reader(caseworker, tolga) == CaseReader(unit=None)
    assert case_reader(unit, tolga) == CaseReader(unit="home_care")
    for roles in (frozenset(), frozenset({"leader"}), frozenset({"service"})):
        with pytest.raises(Forbidden, match="caseworker"):
            case_reader(Actor(subject="x", municipality=TOLGA, roles=roles), tolga)


def test_a_unit_sees_a_case_only_when_it_registered_its_emergency_measure() -> None:
    class Registered:
        def __init__(self, emergency: EmergencyDetails | None) -> None:
            self.emergency = emergency

    reader = CaseReader(unit="home_care")

    assert reader.sees(Registered(details("home_care")))  # type: ignore[arg-type]
    assert not reader.sees(Registered(details("nursing_home")))  # type: ignore[arg-type]
    assert not reader.sees(Registered(None))  # type: ignore[arg-type]
    assert CaseReader(unit=None).sees(Registered(None))  # type: ignore[arg-type]
