"""Idempotent POSTs through intake's app: a repeated registration with one Idempotency-Key makes one case."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import insert

from servicekit.clock import FixedClock
from servicekit.db import IDEMPOTENCY, OUTBOX
from servicekit.idempotency import FIELD, HEADER, REPLAYED_HEADER, body_hash
from servicekit.testing import count, fields_named, runtime_of
from services.intake import db as intake_db
from services.intake.tests.support import PROBLEM, SELBU, TOLGA, application_body, auth, register_person


def keyed(app: FastAPI, key: str, municipality: str = TOLGA) -> dict[str, str]:
    return {**auth(app, municipality), HEADER: key}


async def test_two_posts_with_one_key_make_one_case_and_the_repeat_gets_the_first_answer(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    person = await register_person(client, app)
    body = application_body(person)

    first = await client.post("/applications", json=body, headers=keyed(app, "retry-1"))
    repeat = await client.post("/applications", json=body, headers=keyed(app, "retry-1"))

    assert first.status_code == 201, first.text
    assert REPLAYED_HEADER not in first.headers
    assert repeat.status_code == 201
    assert repeat.headers[REPLAYED_HEADER] == "true"
    assert repeat.json() == first.json()
    assert repeat.headers["content-type"] == first.headers["content-type"]
    assert await count(app, intake_db.application) == 1
    listed = await client.get("/applications", headers=auth(app))
    assert listed.json()["total"] == 1


async def test_the_same_body_spaced_and_ordered_otherwise_is_the_same_request(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    person = await register_person(client, app)
    body = application_body(person)
    first = await client.post("/applications", json=body, headers=keyed(app, "retry-2"))
    reordered = dict(reversed(list(body.items())))

    repeat = await client.post(
        "/applications",
        content=httpx.Request("POST", "/", json=reordered).content.replace(b",", b", "),
        headers={**keyed(app, "retry-2"), "content-type": "application/json"},
    )

    assert repeat.status_code == 201
    assert repeat.json()["case_id"] == first.json()["case_id"]
    assert await count(app, intake_db.application) == 1


async def test_the_same_key_with_another_body_is_refused_naming_the_header_and_does_nothing(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    person = await register_person(client, app)
    first = await client.post("/applications", json=application_body(person), headers=keyed(app, "retry-3"))
    assert first.status_code == 201
    outbox_before = await count(app, OUTBOX)

    other = await client.post(
        "/applications",
        json=application_body(person, service_code="practical_assistance"),
        headers=keyed(app, "retry-3"),
    )

    assert other.status_code == 422
    assert other.headers["content-type"] == PROBLEM
    assert fields_named(other.json()) == {FIELD}
    assert HEADER in other.json()["detail"]
    assert await count(app, intake_db.application) == 1
    assert await count(app, OUTBOX) == outbox_before


async def test_the_same_key_on_another_route_is_refused(app: FastAPI, client: httpx.AsyncClient) -> None:
    person = await register_person(client, app)
    body = application_body(person)
    assert (await client.post("/applications", json=body, headers=keyed(app, "retry-4"))).status_code == 201

    elsewhere = await client.post("/referrals", json=body, headers=keyed(app, "retry-4"))

    assert elsewhere.status_code == 422
    assert fields_named(elsewhere.json()) == {FIELD}


async def test_keys_are_per_municipality(app: FastAPI, client: httpx.AsyncClient) -> None:
    tolga_person = await register_person(client, app)
    selbu_person = await register_person(client, app, municipality=SELBU)

    tolga = await client.post("/applications", json=application_body(tolga_person), headers=keyed(app, "k"))
    selbu = await client.post(
        "/applications", json=application_body(selbu_person), headers=keyed(app, "k", municipality=SELBU)
    )

    assert (tolga.status_code, selbu.status_code) == (201, 201)
    assert REPLAYED_HEADER not in selbu.headers
    assert tolga.json()["case_id"] != selbu.json()["case_id"]
    assert await count(app, intake_db.application) == 2


async def test_without_a_key_every_post_is_its_own_request(app: FastAPI, client: httpx.AsyncClient) -> None:
    person = await register_person(client, app)
    body = application_body(person)

    for _ in range(2):
        assert (await client.post("/applications", json=body, headers=auth(app))).status_code == 201

    assert await count(app, intake_db.application) == 2
    assert await count(app, IDEMPOTENCY) == 0


async def test_a_refused_first_request_keeps_no_key_so_the_fixed_repeat_is_done(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    person = await register_person(client, app)
    unknown = await client.post("/applications", json=application_body("no-such-person"), headers=keyed(app, "retry-5"))
    assert unknown.status_code in (404, 422), unknown.text
    assert await count(app, IDEMPOTENCY) == 0

    fixed = await client.post("/applications", json=application_body(person), headers=keyed(app, "retry-6"))

    assert fixed.status_code == 201
    assert await count(app, IDEMPOTENCY) == 1


async def test_a_repeat_while_the_first_is_at_work_gets_409(app: FastAPI, client: httpx.AsyncClient) -> None:
    person = await register_person(client, app)
    body = application_body(person)
    db = runtime_of(app).db
    async with db.engine.begin() as conn:
        await conn.execute(
            insert(IDEMPOTENCY).values(
                municipality=TOLGA,
                key="busy",
                route="POST /applications",
                body_hash=body_hash(httpx.Request("POST", "/", json=body).content),
                created_at=db.clock.now(),
            )
        )

    busy = await client.post("/applications", json=body, headers=keyed(app, "busy"))

    assert busy.status_code == 409
    assert fields_named(busy.json()) == {FIELD}
    assert await count(app, intake_db.application) == 0


async def test_a_key_of_over_200_or_unprintable_characters_is_refused_naming_the_header(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    person = await register_person(client, app)

    for key in ("x" * 201, "tab\there", "   "):
        refused = await client.post("/applications", json=application_body(person), headers=keyed(app, key))
        assert refused.status_code == 422, key
        assert fields_named(refused.json()) == {FIELD}

    assert (
        await client.post("/applications", json=application_body(person), headers=keyed(app, "x" * 200))
    ).status_code == 201
    assert await count(app, intake_db.application) == 1


async def test_the_prune_job_forgets_keys_after_their_retention_so_the_key_may_be_used_again(
    app: FastAPI, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    runtime = runtime_of(app)
    interval_s, job = runtime.prune_job
    assert interval_s == runtime.settings.prune_interval_s
    person = await register_person(client, app)
    assert (
        await client.post("/applications", json=application_body(person), headers=keyed(app, "day"))
    ).status_code == 201

    clock.advance(runtime.settings.idempotency_retention - timedelta(minutes=1))
    await job(runtime.parts)
    assert await count(app, IDEMPOTENCY) == 1
    clock.advance(timedelta(minutes=2))
    await job(runtime.parts)
    assert await count(app, IDEMPOTENCY) == 0

    again = await client.post("/applications", json=application_body(person), headers=keyed(app, "day"))
    assert again.status_code == 201
    assert REPLAYED_HEADER not in again.headers
    assert await count(app, intake_db.application) == 2


async def test_the_openapi_document_offers_the_header_on_posts_only(app: FastAPI, client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]

    def headers_of(operation: dict[str, object]) -> set[str]:
        params = operation.get("parameters", [])
        assert isinstance(params, list)
        return {p["name"] for p in params if p["in"] == "header"}

    assert HEADER in headers_of(paths["/applications"]["post"])
    assert HEADER not in headers_of(paths["/applications"]["get"])
    assert all(HEADER in headers_of(ops["post"]) for ops in paths.values() if "post" in ops)
