"""The grounds of the right to a child coordinator (helse- og omsorgstjenesteloven § 7-2 a): a child expected in
pregnancy, a born child, an adopted child allocated, or a child whose care child welfare took over."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from contracts.intake import (
    Channel,
    ChildCoordinatorApplicationRegistered,
    ChildCoordinatorGrounds,
    Consent,
    Sender,
)
from servicekit.actor import Actor
from servicekit.errors import DomainError
from servicekit.settings import REPO_ROOT
from servicekit.tenants import Tenant, Tenants
from servicekit.testing import emitted, outbox_events, runtime_of
from services.intake import commands
from services.intake.domain import RegisterChildCoordinatorApplication, check_child_coordinator_application
from services.intake.tests.support import HOLTALEN, NOTHING, TODAY, auth, case_rows, national_id, register_person

RECEIVED = date(2026, 11, 2)
CONSENT = Consent.model_validate({"form": "written", "given_by": "parents", "scope": ["processing"]})
HANNE = Actor(subject="hanne", municipality=HOLTALEN, roles=frozenset({"caseworker"}))
G = ChildCoordinatorGrounds


@pytest.fixture(scope="module")
def holtalen() -> Tenant:
    return Tenants.load(REPO_ROOT / "deploy" / "tenants").get(HOLTALEN)


def application(**overrides: Any) -> RegisterChildCoordinatorApplication:
    fields: dict[str, Any] = {
        "case_id": "case-1",
        "applicant_person_id": "parent-1",
        "child_person_id": "child-1",
        "expected_birth_on": None,
        "channel": Channel.LETTER,
        "sender": Sender.APPLICANT,
        "received_on": RECEIVED,
        "consent": CONSENT,
    }
    fields.update(overrides)
    return RegisterChildCoordinatorApplication(**fields)


# --- the rule -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cmd",
    [
        application(grounds=G.BORN_CHILD),
        application(child_person_id=None, expected_birth_on=date(2027, 3, 1), grounds=G.EXPECTED_CHILD),
        application(grounds=G.ADOPTION_ALLOCATED, grounds_since=date(2026, 10, 1)),
        application(grounds=G.CHILD_WELFARE_CARE, grounds_since=RECEIVED),
    ],
    ids=["born", "expected", "adoption", "child-welfare-on-the-day"],
)
def test_each_ground_of_the_right_is_accepted_when_consistent(
    holtalen: Tenant, cmd: RegisterChildCoordinatorApplication
) -> None:
    check_child_coordinator_application(cmd, holtalen, today=TODAY)


@pytest.mark.parametrize(
    ("cmd", "field", "word"),
    [
        (application(grounds=G.EXPECTED_CHILD), "grounds", "needs expected_birth_on"),
        (
            application(child_person_id=None, expected_birth_on=date(2027, 3, 1), grounds=G.BORN_CHILD),
            "grounds",
            "only expected_child",
        ),
        (application(grounds=G.ADOPTION_ALLOCATED), "grounds_since", "allocation or takeover"),
        (application(grounds=G.CHILD_WELFARE_CARE), "grounds_since", "allocation or takeover"),
        (
            application(grounds=G.ADOPTION_ALLOCATED, grounds_since=date(2026, 11, 3)),
            "grounds_since",
            "not be after received_on",
        ),
        (application(grounds_since=date(2026, 10, 1)), "grounds_since", "only for adoption_allocated"),
    ],
    ids=[
        "expected-without-birth",
        "birth-with-other-grounds",
        "adoption-without-day",
        "child-welfare-without-day",
        "day-after-receipt",
        "day-for-a-born-child",
    ],
)
def test_inconsistent_grounds_are_refused_naming_the_field(
    holtalen: Tenant, cmd: RegisterChildCoordinatorApplication, field: str, word: str
) -> None:
    with pytest.raises(DomainError, match=word) as caught:
        check_child_coordinator_application(cmd, holtalen, today=TODAY)

    assert caught.value.field == field


# --- the use case -------------------------------------------------------------------------------


async def test_registering_records_the_grounds_on_the_case_and_the_event(app: FastAPI) -> None:
    database = runtime_of(app).db
    async with database.unit_of_work(HANNE) as uow:
        parent, _ = await commands.register_person(commands.RegisterPerson(national_id(date(1988, 2, 2))), uow)
        child, _ = await commands.register_person(commands.RegisterPerson(national_id(date(2020, 5, 5))), uow)
        await uow.commit()
    cmd = application(
        applicant_person_id=parent.person_id,
        child_person_id=child.person_id,
        grounds=G.CHILD_WELFARE_CARE,
        grounds_since=date(2026, 9, 14),
    )

    async with database.unit_of_work(HANNE) as uow:
        case = await commands.register_child_coordinator_application(cmd, uow)
        await uow.commit()

    async with database.unit_of_work(HANNE) as uow:
        saved = await commands.read_case(commands.ReadCase(case.case_id), uow)
    assert (saved.grounds, saved.grounds_since) == (G.CHILD_WELFARE_CARE, date(2026, 9, 14))
    [event] = await emitted(app, ChildCoordinatorApplicationRegistered)
    assert (event.grounds, event.grounds_since) == (G.CHILD_WELFARE_CARE, date(2026, 9, 14))


async def test_absent_grounds_default_to_a_born_child(app: FastAPI) -> None:
    database = runtime_of(app).db
    async with database.unit_of_work(HANNE) as uow:
        parent, _ = await commands.register_person(commands.RegisterPerson(national_id(date(1988, 2, 2))), uow)
        child, _ = await commands.register_person(commands.RegisterPerson(national_id(date(2020, 5, 5))), uow)
        case = await commands.register_child_coordinator_application(
            application(applicant_person_id=parent.person_id, child_person_id=child.person_id), uow
        )
        await uow.commit()

    assert (case.grounds, case.grounds_since) == (G.BORN_CHILD, None)


# --- over HTTP ----------------------------------------------------------------------------------


def body(applicant: str, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "applicant_person_id": applicant,
        "channel": "letter",
        "sender": "applicant",
        "received_on": RECEIVED.isoformat(),
        "consent": {"form": "written", "given_by": "parents", "scope": ["processing"]},
    }
    fields.update(overrides)
    return fields


async def test_an_adopted_child_allocated_is_applied_for_with_the_allocation_day(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    parent = await register_person(client, app, date(1985, 1, 1), municipality=HOLTALEN)
    child = await register_person(client, app, date(2023, 4, 4), municipality=HOLTALEN)

    response = await client.post(
        "/child-coordinator-applications",
        json=body(parent, child_person_id=child, grounds="adoption_allocated", grounds_since="2026-10-20"),
        headers=auth(app, HOLTALEN),
    )

    assert response.status_code == 201, response.text
    assert (response.json()["grounds"], response.json()["grounds_since"]) == ("adoption_allocated", "2026-10-20")
    [(_, event)] = await outbox_events(app)
    assert (event.data.grounds, event.data.grounds_since) == (G.ADOPTION_ALLOCATED, date(2026, 10, 20))


async def test_a_pregnancy_application_without_grounds_is_an_expected_child(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    parent = await register_person(client, app, date(1990, 9, 9), municipality=HOLTALEN)

    response = await client.post(
        "/child-coordinator-applications",
        json=body(parent, expected_birth_on="2027-04-15"),
        headers=auth(app, HOLTALEN),
    )

    assert response.status_code == 201, response.text
    assert response.json()["grounds"] == "expected_child"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"grounds": "child_welfare_care"}, "grounds_since"),
        ({"grounds": "adoption_allocated", "grounds_since": "2026-11-03"}, "grounds_since"),
        ({"grounds": "expected_child"}, "grounds"),
        ({"grounds": "stork"}, "grounds"),
    ],
    ids=["no-day", "day-after-receipt", "expected-without-birth", "unknown-code"],
)
async def test_inconsistent_grounds_are_422_naming_the_field_and_write_nothing(
    app: FastAPI, client: httpx.AsyncClient, fields: dict[str, str], field: str
) -> None:
    parent = await register_person(client, app, date(1985, 1, 1), municipality=HOLTALEN)
    child = await register_person(client, app, date(2023, 4, 4), municipality=HOLTALEN)

    response = await client.post(
        "/child-coordinator-applications",
        json=body(parent, child_person_id=child, **fields),
        headers=auth(app, HOLTALEN),
    )

    assert response.status_code == 422, response.text
    assert field in response.text
    assert await case_rows(app) == NOTHING
