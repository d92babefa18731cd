"""Consent over HTTP: the consent that holds and its history, and withdrawal in part or whole."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from contracts.intake import Consent, ConsentWithdrawn
from servicekit.testing import count, emitted, fields_named
from services.intake import db as intake_db
from services.intake.tests.support import (
    PROBLEM,
    SELBU,
    application_body,
    auth,
    outbox_rows,
    register_person,
)
from services.intake.tests.support import TODAY as TODAY_DATE

GIVEN = {
    "form": "written",
    "given_by": "guardian",
    "scope": ["processing", "sharing", "fetch_from_gp"],
    "share_with": ["home_care", "nursing_home"],
}
TODAY = TODAY_DATE.isoformat()


@pytest.fixture
async def case_id(app: FastAPI, client: httpx.AsyncClient) -> str:
    person = await register_person(client, app)
    response = await client.post("/applications", json=application_body(person, consent=GIVEN), headers=auth(app))
    assert response.status_code == 201
    created: str = response.json()["case_id"]
    return created


async def withdraw(
    client: httpx.AsyncClient, app: FastAPI, case_id: str, *, as_municipality: str = "3426", **body: Any
) -> httpx.Response:
    return await client.post(
        f"/applications/{case_id}/consent/withdrawal",
        json={"withdrawn_on": TODAY, **body},
        headers=auth(app, as_municipality),
    )


async def consent_withdrawn_events(app: FastAPI) -> list[ConsentWithdrawn]:
    return await emitted(app, ConsentWithdrawn)


async def test_a_new_case_shows_the_consent_given_as_current_and_as_the_first_history_entry(
    app: FastAPI, client: httpx.AsyncClient, case_id: str
) -> None:
    response = await client.get(f"/applications/{case_id}/consent", headers=auth(app))

    assert response.status_code == 200
    view = response.json()
    assert view["current"] == GIVEN
    [given] = view["history"]
    assert (given["kind"], given["consent"], given["effective_on"], given["recorded_by"]) == (
        "given",
        GIVEN,
        "2026-03-02",
        "kari",
    )


async def test_withdrawing_fetching_from_the_gp_keeps_the_rest_and_records_the_event(
    app: FastAPI, client: httpx.AsyncClient, case_id: str
) -> None:
    response = await withdraw(client, app, case_id, scopes=["fetch_from_gp"])

    assert response.status_code == 200, response.text
    remaining = {**GIVEN, "scope": ["processing", "sharing"]}
    assert response.json()["current"] == remaining
    withdrawn = response.json()["history"][-1]
    assert (withdrawn["kind"], withdrawn["withdrawn_scopes"], withdrawn["consent"]) == (
        "withdrawn",
        ["fetch_from_gp"],
        remaining,
    )
    case = (await client.get(f"/applications/{case_id}", headers=auth(app))).json()
    assert case["consent"] == remaining
    [event] = await consent_withdrawn_events(app)
    assert event.case_id == case_id
    assert event.withdrawn_scopes == ["fetch_from_gp"]
    assert event.remaining == Consent.model_validate(remaining)


async def test_withdrawing_sharing_with_one_unit_keeps_sharing_with_the_other(
    app: FastAPI, client: httpx.AsyncClient, case_id: str
) -> None:
    response = await withdraw(client, app, case_id, scopes=["sharing"], share_with=["home_care"])

    assert response.json()["current"]["share_with"] == ["nursing_home"]
    assert "sharing" in response.json()["current"]["scope"]
    [event] = await consent_withdrawn_events(app)
    assert (event.withdrawn_scopes, event.withdrawn_share_with) == (["sharing"], ["home_care"])


async def test_withdrawing_processing_leaves_no_consent_and_says_so_in_the_event(
    app: FastAPI, client: httpx.AsyncClient, case_id: str
) -> None:
    response = await withdraw(client, app, case_id, scopes=["processing"])

    assert response.status_code == 200
    assert response.json()["current"] is None
    assert [h["kind"] for h in response.json()["history"]] == ["given", "withdrawn"]
    assert (await client.get(f"/applications/{case_id}", headers=auth(app))).json()["consent"] is None
    [event] = await consent_withdrawn_events(app)
    assert event.remaining is None
    assert event.withdrawn_scopes == ["processing", "sharing", "fetch_from_gp"]
    assert event.withdrawn_share_with == ["home_care", "nursing_home"]


async def test_once_no_consent_remains_a_further_withdrawal_is_409_and_writes_nothing(
    app: FastAPI, client: httpx.AsyncClient, case_id: str
) -> None:
    await withdraw(client, app, case_id, scopes=["processing"])
    events_before = len(await outbox_rows(app))

    again = await withdraw(client, app, case_id, scopes=["sharing"])

    assert again.status_code == 409
    assert again.headers["content-type"] == PROBLEM
    assert len(await outbox_rows(app)) == events_before
    assert await count(app, intake_db.consent_event) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scopes": ["fetch_from_hospital"]}, "scopes"),
        ({"scopes": []}, "scopes"),
        ({"scopes": ["telepathy"]}, "scopes.0"),
        ({"scopes": ["fetch_from_gp"], "share_with": ["home_care"]}, "share_with"),
        ({"scopes": ["sharing"], "share_with": ["respite"]}, "share_with"),
        ({"scopes": ["fetch_from_gp"], "withdrawn_on": "2026-03-01"}, "withdrawn_on"),
        (
            {"scopes": ["fetch_from_gp"], "withdrawn_on": (TODAY_DATE + timedelta(days=2)).isoformat()},
            "withdrawn_on",
        ),
        ({"scopes": ["fetch_from_gp"], "municipality": SELBU}, "municipality"),
    ],
    ids=["not-given", "none", "unknown", "codes-without-sharing", "not-shared", "before-receipt", "future", "extra"],
)
async def test_an_invalid_withdrawal_is_422_naming_the_field_and_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient, case_id: str, body: dict[str, Any], field: str
) -> None:
    events_before = len(await outbox_rows(app))

    response = await withdraw(client, app, case_id, **body)

    assert response.status_code == 422, response.text
    assert field in fields_named(response.json())
    assert len(await outbox_rows(app)) == events_before
    assert await count(app, intake_db.consent_event) == 1
    assert (await client.get(f"/applications/{case_id}/consent", headers=auth(app))).json()["current"] == GIVEN


async def test_another_municipality_can_neither_read_nor_withdraw_the_consent(
    app: FastAPI, client: httpx.AsyncClient, case_id: str
) -> None:
    read = await client.get(f"/applications/{case_id}/consent", headers=auth(app, SELBU))
    write = await withdraw(client, app, case_id, as_municipality=SELBU, scopes=["fetch_from_gp"])

    assert (read.status_code, write.status_code) == (404, 404)
    assert await count(app, intake_db.consent_event) == 1


async def test_only_caseworkers_record_a_withdrawal(app: FastAPI, client: httpx.AsyncClient, case_id: str) -> None:
    response = await client.post(
        f"/applications/{case_id}/consent/withdrawal",
        json={"scopes": ["fetch_from_gp"], "withdrawn_on": TODAY},
        headers=auth(app, roles=("unit",), unit="home_care"),
    )

    assert response.status_code == 403
    assert await count(app, intake_db.consent_event) == 1
