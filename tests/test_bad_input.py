"""Bad input at every HTTP edge gets a 4xx problem, never a 500: each write route of each service, fed
malformed JSON, wrong shapes and unknown ids, on a migrated SQLite database (no Kafka needed)."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from contracts.tests.examples import EXAMPLE_TIME
from servicekit.clock import FixedClock
from servicekit.migrate import upgrade
from servicekit.runtime import Runtime, create_app

SERVICES = ["intake", "assessment", "decision", "coordination", "appeals", "notification"]
WRITES = {"intake": 8, "assessment": 11, "decision": 6}
SECRET = "bad-input-test-secret-that-is-long-enough-0"
BODIES: list[tuple[str, Any]] = [
    ("malformed JSON", b"{not json"),
    ("a JSON list", b"[1, 2, 3]"),
    ("an empty object", b"{}"),
    ("wrong types", b'{"person_id": 12, "received_on": "yesterday", "scores": "high", "services": 7}'),
    ("a huge string", b'{"reason": "' + b"x" * 300_000 + b'"}'),
]


@pytest.fixture(params=SERVICES)
async def app(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FastAPI]:
    main = importlib.import_module(f"services.{request.param}.main")
    settings = main.Settings(
        environment="test", database_url=f"sqlite+aiosqlite:///{tmp_path}/db.sqlite", jwt_secret=SECRET
    )
    spec = main.spec(settings) if inspect.signature(main.spec).parameters else main.spec()
    application = create_app(spec, settings, clock=FixedClock(EXAMPLE_TIME))
    runtime: Runtime = application.state.runtime
    await upgrade(runtime.db, runtime.spec.migrations_dir)
    yield application
    await runtime.db.dispose()


def _write_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every write operation the service documents."""
    return [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
        if method in {"post", "put", "patch"}
    ]


async def test_every_write_route_answers_bad_bodies_with_a_4xx_problem(app: FastAPI) -> None:
    runtime: Runtime = app.state.runtime
    token = runtime.verifier.issue(municipality="3426", roles=["caseworker", "leader"], unit="home_care")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    routes = _write_routes(app)
    # Guard against testing nothing: the services that take writes must show them.
    assert len(routes) >= WRITES.get(runtime.spec.name, 0)
    failures = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        for method, route in routes:
            path = route.replace("{", "").replace("}", "")  # every id becomes its own name: an unknown one
            for label, body in BODIES:
                response = await client.request(method, path, content=body, headers=headers)
                if not 400 <= response.status_code < 500:
                    failures.append(f"{method} {route} with {label}: {response.status_code}")
                elif response.headers.get("content-type") != "application/problem+json":
                    failures.append(f"{method} {route} with {label}: not a problem document")
    assert failures == []
