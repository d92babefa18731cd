"""An event too large for one Kafka message is refused when a route emits it: 422 naming it, and nothing written."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from contracts.intake import ApplicationRegistered
from servicekit.testing import runtime_of
from services.intake.tests.support import NOTHING, PROBLEM, application_body, auth, case_rows, register_person


async def test_the_services_event_bound_comes_from_its_settings(app: FastAPI) -> None:
    runtime = runtime_of(app)

    assert runtime.db.max_event_bytes == runtime.settings.outbox_max_event_bytes < 1024 * 1024


async def test_a_post_whose_event_is_too_large_answers_422_naming_it_and_writes_nothing(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    person = await register_person(client, app)
    before = await case_rows(app)
    # Room for less than an application's event: what a too-long list in a body would make of a real one.
    runtime_of(app).db.max_event_bytes = 600

    answer = await client.post("/applications", json=application_body(person), headers=auth(app))

    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM
    problem = answer.json()
    assert ApplicationRegistered.event_type in problem["detail"]
    assert "over the 600 bytes" in problem["detail"]
    assert await case_rows(app) == before == NOTHING
