"""Intake's HTTP API against a migrated SQLite database; Kafka is never started."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.trace import SpanKind

from contracts.envelope import parse_event
from contracts.intake import ApplicationRegistered, ApplicationWithdrawn, WithdrawalReason
from contracts.topics import Topic
from servicekit.db import OUTBOX
from servicekit.testing import count, emitted, fields_named, outbox_events, runtime_of
from services.intake import db as intake_db
from services.intake.tests.support import (
    PROBLEM,
    SELBU,
    TODAY,
    application_body,
    auth,
    outbox_rows,
    register_person,
)


@pytest.fixture
async def person_id(app: FastAPI, client: httpx.AsyncClient) -> str:
    return await register_person(client, app)


async def register(client: httpx.AsyncClient, app: FastAPI, person_id: str, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/applications", json=application_body(person_id, **overrides), headers=auth(app))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def outbox_payloads(app: FastAPI) -> list[Any]:
    return await outbox_rows(app)


# --- registering --------------------------------------------------------------------------------


async def test_register_returns_201_with_the_first_journal_number_of_the_receipt_year(
    app: FastAPI, client: httpx.AsyncClient, person_id: str
) -> None:
    response = await client.post("/applications", json=application_body(person_id), headers=auth(app))

    assert response.status_code == 201
    created = response.json()
    assert created["journal_number"] == "2026/000001"
    assert created["municipality"] == "3426"
    assert created["status"] == "registered"
    assert created["service_code"] == "home_nursing"
    assert created["received_on"] == "2026-03-02"
    assert created["case_id"]


async def test_journal_numbers_count_up_per_municipality_and_receipt_year(
    app: FastAPI, client: httpx.AsyncClient, person_id: str
) -> None:
    first = await register(client, app, person_id)
    second = await register(client, app, person_id)
    last_year = await register(client, app, person_id, received_on="2025-12-30")
    third = await register(client, app, person_id)
    selbu_person = await register_person(client, app, municipality=SELBU)
    other = await client.post(
        "/applications", json=application_body(selbu_person), headers=auth(app, municipality=SELBU)
    )

    assert [first["journal_number"], second["journal_number"], third["journal_number"]] == [
        "2026/000001",
        "2026/000002",
        "2026/000003",
    ]
    assert last_year["journal_number"] == "2025/000001"
    assert other.json()["journal_number"] == "2026/000001"


async def test_concurrent_registrations_get_distinct_consecutive_journal_numbers(
    app: FastAPI, client: httpx.AsyncClient, person_id: str
) -> None:
    responses = await asyncio.gather(
        *(client.post("/applications", json=application_body(person_id), headers=auth(app)) for _ in range(5))
    )

    assert [r.status_code for r in responses] == [201] * 5
    assert sorted(r.json()["journal_number"] for r in responses) == [f"2026/00000{n}" for n in range(1, 6)]


async def test_registering_records_application_registered_in_the_outbox(
    app: FastAPI, client: httpx.AsyncClient, person_id: str
) -> None:
    created = await register(client, app, person_id)

    [row] = await outbox_payloads(app)
    assert row.topic == Topic.INTAKE
    assert row.key == created["case_id"]
    assert row.municipality == "3426"
    assert row.published_at is None
    event = parse_event(row.payload)
    assert event is not None
    assert event.type == ApplicationRegistered.event_type
    assert event.source == "/forvalt/intake"
    assert event.subject == created["case_id"]
    assert event.municipality == "3426"
    assert event.data == ApplicationRegistered(
        case_id=created["case_id"],
        journal_number="2026/000001",
        person_id=person_id,
        channel="digital_form",  # type: ignore[arg-type]
        sender="applicant",  # type: ignore[arg-type]
        service_code="home_nursing",
        received_on="2026-03-02",  # type: ignore[arg-type]
        consent={"form": "written", "given_by": "person", "scope": ["processing"]},  # type: ignore[arg-type]
    )


async def test_outbox_row_carries_the_trace_of_the_http_request(
    app: FastAPI, client: httpx.AsyncClient, person_id: str
) -> None:
    memory = runtime_of(app).telemetry.memory
    assert memory is not None
    memory.clear()  # the person's registration is a request of its own
    await register(client, app, person_id)

    [row] = await outbox_payloads(app)
    [server_span] = [s for s in memory.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert row.headers["traceparent"].split("-")[1] == format(server_span.context.trace_id, "032x")


async def test_registered_application_can_be_read_back(app: FastAPI, client: httpx.AsyncClient, person_id: str) -> None:
    created = await register(client, app, person_id)

    response = await client.get(f"/applications/{created['case_id']}", headers=auth(app))

    assert response.status_code == 200
    found = response.json()
    assert {k: found[k] for k in ("case_id", "journal_number", "person_id", "consent", "status")} == {
        k: created[k] for k in ("case_id", "journal_number", "person_id", "consent", "status")
    }
    assert datetime.fromisoformat(found["created_at"]) == datetime.fromisoformat(created["created_at"])


# --- who may do what ----------------------------------------------------------------------------


async def test_request_without_token_is_401_problem(app: FastAPI, client: httpx.AsyncClient, person_id: str) -> None:
    response = await client.post("/applications", json=application_body(person_id))

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["status"] == 401
    assert await count(app, intake_db.application) == 0


@pytest.mark.parametrize("path", ["/applications", "/applications/some-case"])
async def test_reading_without_token_is_401(app: FastAPI, client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


async def test_token_signed_with_another_secret_is_401(app: FastAPI, client: httpx.AsyncClient) -> None:
    from servicekit.auth import TokenVerifier

    forged = TokenVerifier("someone-elses-secret-that-is-long-enough", issuer="forvalt", audience="forvalt").issue(
        municipality="3426", roles=["caseworker"]
    )

    response = await client.get("/applications", headers={"Authorization": f"Bearer {forged}"})

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


async def test_other_municipality_cannot_read_or_list_the_application(
    app: FastAPI, client: httpx.AsyncClient, person_id: str
) -> None:
    created = await register(client, app, person_id)
    selbu = auth(app, municipality="5032")

    single = await client.get(f"/applications/{created['case_id']}", headers=selbu)
    listing = await client.get("/applications", headers=selbu)

    assert single.status_code == 404
    assert single.headers["content-type"] == PROBLEM
    assert listing.status_code == 200
    assert listing.json()["total"] == 0
    assert created["case_id"] not in {item["case_id"] for item in listing.json()["items"]}


async def test_registering_without_the_caseworker_role_is_403_and_writes_nothing(
    app: FastAPI, client: httpx.AsyncClient, person_id: str
) -> None:
    response = await client.post("/applications", json=application_body(person_id), headers=auth(app, roles=("unit",)))

    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    assert "caseworker" in response.json()["detail"]
    assert await count(app, intake_db.application) == 0
    assert await count(app, OUTBOX) == 0


async def test_registering_for_an_unconfigured_municipality_is_404(
    app: FastAPI, client: httpx.AsyncClient, person_id: str
) -> None:
    response = await client.post(
        "/applications", json=application_body(person_id), headers=auth(app, municipality="9999")
    )

    assert response.status_code == 404
    assert await count(app, intake_db.application) == 0


# --- invalid requests ---------------------------------------------------------------------------

FUTURE = (TODAY + timedelta(days=3)).isoformat()


PLACEHOLDER = "registered-person"


def without_consent() -> dict[str, Any]:
    body = application_body(PLACEHOLDER)
    del body["consent"]
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (application_body(PLACEHOLDER, channel="carrier_pigeon"), "channel"),
        (without_consent(), "consent"),
        (application_body(PLACEHOLDER, service_code="space_travel"), "service_code"),
        (application_body(PLACEHOLDER, received_on=FUTURE), "received_on"),
        (
            application_body(PLACEHOLDER, consent={"form": "written", "given_by": "person", "scope": ["sharing"]}),
            "consent.scope",
        ),
        (
            application_body(PLACEHOLDER, consent={"form": "written", "given_by": "person", "scope": []}),
            "consent.scope",
        ),
        (application_body(PLACEHOLDER, national_identity_number="01010112345"), "national_identity_number"),
        (application_body(PLACEHOLDER, received_on="2026-02-30"), "received_on"),
    ],
    ids=[
        "unknown-channel",
        "missing-consent",
        "unknown-service-code",
        "future-date",
        "consent-without-processing",
        "empty-consent-scope",
        "extra-field",
        "impossible-date",
    ],
)
async def test_invalid_application_is_422_problem_naming_the_field_and_writes_nothing(
    app: FastAPI, client: httpx.AsyncClient, person_id: str, body: dict[str, Any], field: str
) -> None:
    body = {**body, "person_id": person_id}
    response = await client.post("/applications", json=body, headers=auth(app))

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 422
    assert field in fields_named(problem)
    assert field in problem["detail"]
    assert await count(app, intake_db.application) == 0
    assert await count(app, intake_db.journal_counter) == 0
    assert await count(app, OUTBOX) == 0


# --- listing ------------------------------------------------------------------------------------


async def test_list_pages_through_the_municipalitys_applications_newest_first(
    app: FastAPI, client: httpx.AsyncClient, person_id: str
) -> None:
    created = [await register(client, app, person_id) for _ in range(3)]
    headers = auth(app)

    first = (await client.get("/applications", params={"limit": 2}, headers=headers)).json()
    second = (await client.get("/applications", params={"limit": 2, "offset": 2}, headers=headers)).json()
    beyond = (await client.get("/applications", params={"limit": 2, "offset": 3}, headers=headers)).json()

    assert (first["total"], first["limit"], first["offset"]) == (3, 2, 0)
    assert (second["total"], second["limit"], second["offset"]) == (3, 2, 2)
    assert [i["journal_number"] for i in first["items"]] == ["2026/000003", "2026/000002"]
    assert [i["journal_number"] for i in second["items"]] == ["2026/000001"]
    assert beyond["items"] == []
    assert beyond["total"] == 3
    assert {i["case_id"] for i in first["items"] + second["items"]} == {c["case_id"] for c in created}


async def test_list_defaults_to_limit_50_offset_0(app: FastAPI, client: httpx.AsyncClient) -> None:
    page = (await client.get("/applications", headers=auth(app))).json()

    assert page == {"items": [], "total": 0, "limit": 50, "offset": 0}


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}])
async def test_list_refuses_out_of_range_paging(
    app: FastAPI, client: httpx.AsyncClient, params: dict[str, int]
) -> None:
    response = await client.get("/applications", params=params, headers=auth(app))

    assert response.status_code == 422
    [name] = params
    assert fields_named(response.json()) == {f"query.{name}"}


async def test_every_span_of_a_registration_carries_municipality_and_the_sql_spans_the_case_id(
    app: FastAPI, client: httpx.AsyncClient, person_id: str
) -> None:
    memory = runtime_of(app).telemetry.memory
    assert memory is not None
    memory.clear()  # the migrations of the fixture belong to no municipality
    created = await register(client, app, person_id)
    spans = memory.get_finished_spans()
    sql = [s for s in spans if s.kind is SpanKind.CLIENT]
    assert sql, "the SQL statements are traced"
    assert [s.name for s in spans if (s.attributes or {}).get("municipality") != "3426"] == []
    assert all((s.attributes or {}).get("case.id") == created["case_id"] for s in sql)


async def test_withdrawal_marks_the_application_and_records_the_event(
    app: FastAPI, client: httpx.AsyncClient, person_id: str
) -> None:
    created = await register(client, app, person_id)
    response = await client.post(
        f"/applications/{created['case_id']}/withdrawal", json={"withdrawn_on": "2026-03-05"}, headers=auth(app)
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "withdrawn"
    types = [event.type for _, event in await outbox_events(app)]
    assert types == ["no.forvalt.intake.application-registered.v1", "no.forvalt.intake.application-withdrawn.v1"]

    again = await client.post(
        f"/applications/{created['case_id']}/withdrawal", json={"withdrawn_on": "2026-03-05"}, headers=auth(app)
    )
    assert again.status_code == 409


async def test_a_withdrawal_reason_travels_as_a_code_and_its_words_stay_on_the_case(
    app: FastAPI, client: httpx.AsyncClient, person_id: str
) -> None:
    created = await register(client, app, person_id)
    words = "Flytter til datteren i Bergen etter hjerneslaget"

    response = await client.post(
        f"/applications/{created['case_id']}/withdrawal",
        json={"withdrawn_on": "2026-03-05", "reason_code": "moved", "reason": words},
        headers=auth(app),
    )

    assert response.status_code == 200, response.text
    [withdrawn] = await emitted(app, ApplicationWithdrawn)
    assert (withdrawn.reason_code, withdrawn.reason) == (WithdrawalReason.MOVED, None)
    assert all(words not in event.to_json().decode() for _, event in await outbox_events(app))
    read = (await client.get(f"/applications/{created['case_id']}", headers=auth(app))).json()
    assert read["withdrawal"] == {"withdrawn_on": "2026-03-05", "reason_code": "moved", "reason": words}


async def test_an_unknown_withdrawal_reason_code_is_422_naming_it(
    app: FastAPI, client: httpx.AsyncClient, person_id: str
) -> None:
    created = await register(client, app, person_id)

    response = await client.post(
        f"/applications/{created['case_id']}/withdrawal",
        json={"withdrawn_on": "2026-03-05", "reason_code": "bored"},
        headers=auth(app),
    )

    assert response.status_code == 422
    assert "reason_code" in fields_named(response.json())


async def test_withdrawal_before_receipt_is_refused_and_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient, person_id: str
) -> None:
    created = await register(client, app, person_id)
    response = await client.post(
        f"/applications/{created['case_id']}/withdrawal", json={"withdrawn_on": "2026-03-01"}, headers=auth(app)
    )
    assert response.status_code == 422
    assert response.json()["field"] == "withdrawn_on"
    read = await client.get(f"/applications/{created['case_id']}", headers=auth(app))
    assert read.json()["status"] == "registered"
