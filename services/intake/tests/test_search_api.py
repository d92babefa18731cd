"""The worklist: filters over every kind of case, stable paging, always within the caller's municipality."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from servicekit.clock import FixedClock
from servicekit.testing import fields_named
from services.intake.tests.support import (
    HOLTALEN,
    NOW,
    TOLGA,
    application_body,
    auth,
    referral_body,
    register_person,
)

YESTERDAY = NOW - timedelta(days=1)


async def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    case: dict[str, Any] = response.json()
    return case


@pytest.fixture
async def cases(app: FastAPI, client: httpx.AsyncClient, clock: FixedClock) -> dict[str, dict[str, Any]]:
    """Holtålen's journal: an adult's and a child's application, a referral, a child coordinator application
    in pregnancy, an emergency measure, and a withdrawn application; plus one case in Tolga. They are
    registered a minute apart, in that order."""

    async def made(response: httpx.Response) -> dict[str, Any]:
        case = await created(response)
        clock.advance(timedelta(minutes=1))
        return case

    headers = auth(app, HOLTALEN)
    adult = await register_person(client, app, date(1950, 6, 1), municipality=HOLTALEN)
    child = await register_person(client, app, date(2015, 5, 5), municipality=HOLTALEN)
    parent = await register_person(client, app, date(1990, 1, 1), municipality=HOLTALEN)
    tolga = await register_person(client, app, date(1950, 6, 1), municipality=TOLGA)

    async def application(person: str, **overrides: Any) -> dict[str, Any]:
        return await made(
            await client.post("/applications", json=application_body(person, **overrides), headers=headers)
        )

    found = {
        "adult": await application(adult, service_code="home_nursing", received_on="2026-03-02"),
        "child": await application(child, service_code="respite", received_on="2026-04-10"),
        "referral": await made(
            await client.post("/referrals", json=referral_body(adult, received_on="2026-05-05"), headers=headers)
        ),
        "pregnancy": await made(
            await client.post(
                "/child-coordinator-applications",
                json={
                    "applicant_person_id": parent,
                    "expected_birth_on": "2026-12-24",
                    "channel": "phone",
                    "sender": "applicant",
                    "received_on": "2026-06-01",
                    "consent": {"form": "oral", "given_by": "parents", "scope": ["processing"]},
                },
                headers=headers,
            )
        ),
        "emergency": await made(
            await client.post(
                "/emergency-measures",
                json={
                    "person_id": adult,
                    "service_code": "home_nursing",
                    "started_at": YESTERDAY.isoformat(),
                    "what": "Night visit",
                    "why": "Fall at home",
                    "consent": {"form": "oral", "given_by": "person", "scope": ["processing"]},
                },
                headers=auth(app, HOLTALEN, roles=("unit",), unit="home_care"),
            )
        ),
        "withdrawn": await application(adult, service_code="safety_alarm", received_on="2026-07-01"),
        "tolga": await made(await client.post("/applications", json=application_body(tolga), headers=auth(app, TOLGA))),
    }
    path = f"/applications/{found['withdrawn']['case_id']}/withdrawal"
    withdrawal = await client.post(path, json={"withdrawn_on": "2026-07-02"}, headers=headers)
    assert withdrawal.status_code == 200
    found["people"] = {"adult": adult, "child": child, "parent": parent}
    return found


async def search(client: httpx.AsyncClient, app: FastAPI, **params: Any) -> set[str]:
    response = await client.get("/applications", params=params, headers=auth(app, HOLTALEN))
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == len(page["items"])
    return {item["case_id"] for item in page["items"]}


def ids(cases: dict[str, dict[str, Any]], *names: str) -> set[str]:
    return {cases[name]["case_id"] for name in names}


HOLTALEN_CASES = ("adult", "child", "referral", "pregnancy", "emergency", "withdrawn")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, HOLTALEN_CASES),
        ({"kind": "service_application"}, ("adult", "child", "withdrawn")),
        ({"kind": "coordination_referral"}, ("referral",)),
        ({"kind": "child_coordinator_application"}, ("pregnancy",)),
        ({"kind": "emergency_measure"}, ("emergency",)),
        ({"status": "withdrawn"}, ("withdrawn",)),
        ({"status": "registered"}, ("adult", "child", "referral", "pregnancy", "emergency")),
        ({"service_code": "home_nursing"}, ("adult", "emergency")),
        ({"route": "children_unit"}, ("child", "pregnancy")),
        ({"route": "coordinating_unit"}, ("referral",)),
        ({"route": "allocation_office"}, ("adult", "emergency", "withdrawn")),
        ({"received_from": "2026-04-10", "received_to": "2026-06-01"}, ("child", "referral", "pregnancy")),
        ({"received_to": "2026-03-02"}, ("adult",)),
        ({"involves_child": "true"}, ("child", "pregnancy")),
        ({"involves_child": "false"}, ("adult", "referral", "emergency", "withdrawn")),
        ({"emergency": "true"}, ("emergency",)),
        ({"emergency": "false"}, ("adult", "child", "referral", "pregnancy", "withdrawn")),
        ({"kind": "service_application", "status": "registered", "involves_child": "false"}, ("adult",)),
    ],
    ids=lambda v: "&".join(f"{k}={w}" for k, w in v.items()) if isinstance(v, dict) else None,
)
async def test_each_filter_narrows_the_worklist_to_the_matching_cases(
    app: FastAPI,
    client: httpx.AsyncClient,
    cases: dict[str, dict[str, Any]],
    params: dict[str, str],
    expected: tuple[str, ...],
) -> None:
    assert await search(client, app, **params) == ids(cases, *expected)


async def test_the_journal_number_finds_exactly_one_case(
    app: FastAPI, client: httpx.AsyncClient, cases: dict[str, dict[str, Any]]
) -> None:
    assert await search(client, app, journal_number=cases["referral"]["journal_number"]) == ids(cases, "referral")


async def test_a_person_finds_the_cases_about_them_and_those_they_applied_for(
    app: FastAPI, client: httpx.AsyncClient, cases: dict[str, dict[str, Any]]
) -> None:
    people = cases["people"]

    assert await search(client, app, person_id=people["adult"]) == ids(
        cases, "adult", "referral", "emergency", "withdrawn"
    )
    assert await search(client, app, person_id=people["child"]) == ids(cases, "child")
    assert await search(client, app, person_id=people["parent"]) == ids(cases, "pregnancy")


async def test_another_municipality_sees_none_of_the_cases_whatever_the_filter(
    app: FastAPI, client: httpx.AsyncClient, cases: dict[str, dict[str, Any]]
) -> None:
    tolga = auth(app, TOLGA)
    people = cases["people"]

    everything = (await client.get("/applications", headers=tolga)).json()
    by_person = (await client.get("/applications", params={"person_id": people["adult"]}, headers=tolga)).json()
    by_number = (
        await client.get("/applications", params={"journal_number": cases["adult"]["journal_number"]}, headers=tolga)
    ).json()

    assert {i["case_id"] for i in everything["items"]} == ids(cases, "tolga")
    assert by_person["total"] == 0
    # Journal numbers are per municipality: Tolga's first case has the same number, and only it is found.
    assert cases["tolga"]["journal_number"] == cases["adult"]["journal_number"]
    assert {i["case_id"] for i in by_number["items"]} == ids(cases, "tolga")


async def test_filtered_pages_are_newest_first_and_neither_overlap_nor_skip(
    app: FastAPI, client: httpx.AsyncClient, cases: dict[str, dict[str, Any]]
) -> None:
    headers = auth(app, HOLTALEN)
    pages = [
        (await client.get("/applications", params={"limit": 2, "offset": o}, headers=headers)).json() for o in (0, 2, 4)
    ]

    items = [i for p in pages for i in p["items"]]
    assert [p["total"] for p in pages] == [6, 6, 6]
    assert [i["case_id"] for i in items] == [
        cases[n]["case_id"] for n in ("withdrawn", "emergency", "pregnancy", "referral", "child", "adult")
    ]
    params: dict[str, str | int] = {"kind": "service_application", "limit": 1, "offset": 1}
    filtered = (await client.get("/applications", params=params, headers=headers)).json()
    assert (filtered["total"], [i["case_id"] for i in filtered["items"]]) == (3, [cases["child"]["case_id"]])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "inquiry"}, "query.kind"),
        ({"status": "lost"}, "query.status"),
        ({"route": "mars"}, "query.route"),
        ({"received_from": "2026-02-30"}, "query.received_from"),
        ({"received_from": "2026-05-01", "received_to": "2026-04-01"}, "query.received_from"),
        ({"involves_child": "perhaps"}, "query.involves_child"),
    ],
    ids=["kind", "status", "route", "impossible-date", "reversed-range", "not-a-bool"],
)
async def test_an_invalid_filter_is_422_naming_it(
    app: FastAPI, client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    response = await client.get("/applications", params=params, headers=auth(app))

    assert response.status_code == 422
    assert field in fields_named(response.json())
