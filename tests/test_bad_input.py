"""Bad input at every HTTP edge gets a 4xx problem, never a 500: each write route of each service, fed
malformed JSON, wrong shapes and unknown ids, on a migrated SQLite database (no Kafka needed)."""

from __future__ import annotations

import contextlib
import importlib
import inspect
import json
import re
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from contracts.tests.examples import EXAMPLE_TIME
from servicekit.clock import FixedClock
from servicekit.migrate import upgrade
from servicekit.runtime import Runtime, create_app
from tests.helpers import national_id

SERVICES = ["intake", "assessment", "decision", "coordination", "appeals", "notification"]
WRITES = {"intake": 8, "assessment": 11, "decision": 6, "coordination": 6, "appeals": 9}
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


# --- bounded values: each bad value is a 422 naming its field, before any use case runs --------------------------

CONSENT = {"form": "written", "given_by": "person", "scope": ["processing"]}
APPLICATION = {
    "person_id": "person-1",
    "channel": "letter",
    "sender": "applicant",
    "service_code": "home_nursing",
    "received_on": "2026-11-02",
    "consent": CONSENT,
}
SERVICE = {"service_code": "home_nursing", "start_on": "2026-12-01", "hours_per_week": 4}
DECISION = {"case_id": "case-1", "outcome": "granted", "services": [SERVICE]}
RECOMMENDATION = {"services": [SERVICE], "proposed_outcome": "grant", "legal_basis": ["forvaltningsloven § 27"]}
LONG_LINE = "helse- og omsorgstjenesteloven § 3-2 første ledd nr. 6 bokstav b, " * 4
HUGE = 10**30

# (service, method, path, JSON body or None, the field the problem must name)
BAD_VALUES: list[tuple[str, str, str, Any, str]] = [
    # NUL and other control characters: PostgreSQL refuses NUL in text, so it must never reach a query.
    ("intake", "POST", "/persons", {"national_id": "0101\u00001234", "name": "Kari"}, "national_id"),
    ("intake", "POST", "/persons", {"national_id": "01010112345", "name": "Kari\u0000"}, "name"),
    ("intake", "POST", "/applications", {**APPLICATION, "service_code": "home\u0000nursing"}, "service_code"),
    ("intake", "POST", "/applications", {**APPLICATION, "person_id": "person\u00001"}, "person_id"),
    ("intake", "GET", "/persons/person-1?purpose=decision%00letter", None, "query.purpose"),
    ("intake", "GET", "/persons/person%001/access-log", None, "path.person_id"),
    ("intake", "GET", "/applications/case%00id", None, "path.case_id"),
    ("intake", "GET", "/applications?journal_number=2026/%00", None, "query.journal_number"),
    ("intake", "GET", "/applications?service_code=%00", None, "query.service_code"),
    (
        "intake",
        "POST",
        "/applications/case-1/withdrawal",
        {"withdrawn_on": "2026-11-03", "reason": "a\u0000"},
        "reason",
    ),
    ("assessment", "GET", "/assessments?case_id=case%00", None, "query.case_id"),
    ("assessment", "GET", "/assessments/a%00b", None, "path.assessment_id"),
    (
        "assessment",
        "POST",
        "/assessments/a-1/visits/v-1/record",
        {"held_at": "2026-11-02T10:00:00+01:00", "notes": "bor alene\u0000"},
        "notes",
    ),
    ("decision", "POST", "/decisions", {**DECISION, "case_id": "case\u0000"}, "case_id"),
    ("decision", "POST", "/decisions", {**DECISION, "reasons": {"facts": "fakta\u0000"}}, "reasons.facts"),
    ("decision", "GET", "/decisions/d%00", None, "path.decision_id"),
    ("decision", "GET", "/letters/l%00.pdf", None, "path.letter_id"),
    ("notification", "GET", "/deadlines?case_id=case%00", None, "query.case_id"),
    # Dates near year 1 or 9999: the deadlines counted from them would overflow the calendar.
    ("intake", "POST", "/applications", {**APPLICATION, "received_on": "9999-12-31"}, "received_on"),
    ("intake", "POST", "/applications", {**APPLICATION, "received_on": "0001-01-01"}, "received_on"),
    (
        "intake",
        "POST",
        "/emergency-measures",
        {
            "person_id": "person-1",
            "service_code": "home_nursing",
            "started_at": "0001-01-01T00:00:00+01:00",
            "what": "x",
            "why": "y",
            "consent": CONSENT,
        },
        "started_at",
    ),
    ("intake", "GET", "/applications?received_from=0001-01-01", None, "query.received_from"),
    ("assessment", "POST", "/assessments/a-1/information-requests", {"source": "gp", "due_on": "9999-12-31"}, "due_on"),
    (
        "assessment",
        "POST",
        "/assessments/a-1/visits",
        {"kind": "home_visit", "scheduled_at": "9999-12-31T23:59:59-01:00"},
        "scheduled_at",
    ),
    ("decision", "POST", "/decisions", {**DECISION, "decided_on": "9999-12-31"}, "decided_on"),
    (
        "decision",
        "POST",
        "/cases/case-1/preliminary-reply",
        {"expected_decision_on": "9999-12-31", "reason_for_delay": "venter på legeerklæring"},
        "expected_decision_on",
    ),
    ("decision", "GET", "/meetings?from=0001-01-01", None, "query.from"),
    # Whole numbers beyond what the column or the query takes.
    ("intake", "GET", f"/applications?limit={HUGE}", None, "query.limit"),
    ("intake", "GET", f"/applications?offset={HUGE}", None, "query.offset"),
    ("intake", "GET", "/persons/person-1/access-log?offset=1000001", None, "query.offset"),
    ("assessment", "GET", f"/assessments?offset={2**63}", None, "query.offset"),
    (
        "assessment",
        "POST",
        "/assessments/a-1/child-best-interests",
        {"children_considered": 2**31, "assessment": "vurdert"},
        "children_considered",
    ),
    (
        "assessment",
        "PUT",
        "/assessments/a-1/functional-scores",
        {"assessed_on": "2026-11-02", "scores": {"daily_activities": HUGE}},
        "scores.daily_activities",
    ),
    ("assessment", "PUT", "/assessments/a-1/criteria", {"care_ladder_step": HUGE}, "care_ladder_step"),
    ("decision", "GET", f"/decisions?offset={HUGE}", None, "query.offset"),
    ("decision", "GET", f"/letters?limit={HUGE}", None, "query.limit"),
    ("notification", "GET", f"/notifications?offset={HUGE}", None, "query.offset"),
    ("notification", "GET", "/deadlines?limit=501", None, "query.limit"),
    # JSON's 1e400 is read as infinity: no week has that many hours.
    (
        "decision",
        "POST",
        "/decisions",
        b'{"case_id": "c", "outcome": "granted", "services": [{"service_code": "bpa", '
        b'"start_on": "2026-12-01", "hours_per_week": 1e400}]}',
        "services.0.hours_per_week",
    ),
    # Lists: 600 long legal-basis lines would make an event the broker refuses, and block the outbox.
    ("decision", "POST", "/decisions", {**DECISION, "legal_basis": [LONG_LINE] * 600}, "legal_basis"),
    ("decision", "POST", "/decisions", {**DECISION, "refused_services": ["respite"] * 21}, "refused_services"),
    ("decision", "POST", "/decisions", {**DECISION, "services": [SERVICE] * 21}, "services"),
    (
        "assessment",
        "PUT",
        "/assessments/a-1/recommendation",
        {**RECOMMENDATION, "legal_basis": [LONG_LINE] * 600},
        "legal_basis",
    ),
    ("intake", "POST", "/applications", {**APPLICATION, "consent": {**CONSENT, "share_with": ["x"] * 51}}, "consent"),
    (
        "decision",
        "POST",
        "/meetings/m-1/attendees",
        {"attendees": [{"name": "Kari", "role": "doctor"}] * 51},
        "attendees",
    ),
    # Text the letter font cannot print, in what a letter prints.
    ("decision", "POST", "/decisions", {**DECISION, "legal_basis": ["lov § 3-2 (東)"]}, "legal_basis.0"),
    ("decision", "POST", "/decisions", {**DECISION, "reasons": {"rules": "Kárášjohka 東"}}, "reasons.rules"),
    (
        "decision",
        "POST",
        "/cases/case-1/preliminary-reply",
        {"expected_decision_on": "2026-12-01", "reason_for_delay": "venter 🙂"},
        "reason_for_delay",
    ),
    ("decision", "POST", "/decisions/d-1/approval", {"approved": False, "reason": "ŋ\u200b"}, "reason"),
    (
        "assessment",
        "PUT",
        "/assessments/a-1/recommendation",
        {**RECOMMENDATION, "legal_basis": ["lov § 3-2 (🙂)"]},
        "legal_basis.0",
    ),
]


@contextlib.asynccontextmanager
async def service_app(name: str, tmp_path: Path, database_url: str | None = None) -> AsyncIterator[FastAPI]:
    """The service on a migrated database: a SQLite file, or the PostgreSQL database named."""
    main = importlib.import_module(f"services.{name}.main")
    settings = main.Settings(
        environment="test",
        database_url=database_url or f"sqlite+aiosqlite:///{tmp_path}/{name}.sqlite",
        jwt_secret=SECRET,
    )
    spec = main.spec(settings) if inspect.signature(main.spec).parameters else main.spec()
    application = create_app(spec, settings, clock=FixedClock(EXAMPLE_TIME))
    runtime: Runtime = application.state.runtime
    await upgrade(runtime.db, runtime.spec.migrations_dir)
    try:
        yield application
    finally:
        await runtime.db.dispose()


def _auth(app: FastAPI, subject: str = "dev") -> dict[str, str]:
    runtime: Runtime = app.state.runtime
    token = runtime.verifier.issue(
        municipality="3426", roles=["caseworker", "leader"], unit="home_care", subject=subject
    )
    return {"Authorization": f"Bearer {token}"}


async def _send(
    client: httpx.AsyncClient, method: str, path: str, body: Any, headers: dict[str, str]
) -> httpx.Response:
    """`body` as JSON, or as it is when it is bytes (JSON that Python would not write, such as 1e400)."""
    if isinstance(body, bytes):
        return await client.request(method, path, content=body, headers={**headers, "Content-Type": "application/json"})
    return await client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize(
    ("service", "method", "path", "body", "field"),
    BAD_VALUES,
    ids=[f"{s} {m} {p[:50]} {f}" for s, m, p, _, f in BAD_VALUES],
)
async def test_a_bad_value_is_a_422_problem_naming_its_field(
    tmp_path: Path, service: str, method: str, path: str, body: Any, field: str
) -> None:
    async with (
        service_app(service, tmp_path) as app,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client,
    ):
        response = await _send(client, method, path, body, _auth(app))

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    named = [e["field"] for e in response.json()["errors"]]
    assert any(f == field or f.startswith(f"{field}.") for f in named), named


@pytest.mark.parametrize("service", ["intake", "assessment", "decision"])
async def test_a_body_over_the_size_limit_is_a_413_problem_on_every_write_route(tmp_path: Path, service: str) -> None:
    async with (
        service_app(service, tmp_path) as app,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client,
    ):
        routes = _write_routes(app)
        body = b'{"reason": "' + b"x" * (256 * 1024) + b'"}'
        answers = {
            f"{method} {route}": await client.request(
                method, route, content=body, headers={**_auth(app), "Content-Type": "application/json"}
            )
            for method, route in routes
        }

    assert routes
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 413)


@pytest.mark.parametrize("service", ["intake", "assessment", "decision"])
async def test_a_body_without_a_token_is_a_401_before_the_body_is_parsed(tmp_path: Path, service: str) -> None:
    async with (
        service_app(service, tmp_path) as app,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client,
    ):
        routes = _write_routes(app)
        answers = {
            f"{method} {route}": await client.request(
                method, route, content=b"{not json", headers={"Content-Type": "application/json"}
            )
            for method, route in routes
        }

    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 401)


def _open_bounds(schema: dict[str, Any], components: dict[str, Any], path: str, seen: set[str]) -> list[str]:
    """Where a request's schema lets a string, list, map or whole number grow without a bound."""
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        if name in seen:
            return []
        return _open_bounds(components[name], components, path, seen | {name})
    found: list[str] = []
    for key in ("anyOf", "allOf", "oneOf"):
        for option in schema.get(key, []):
            found += _open_bounds(option, components, path, seen)
    kind = schema.get("type")
    pattern = schema.get("pattern")
    fixed = pattern is not None and not re.search(r"[*+]|\{\d*,\}", pattern)
    if kind == "string" and not {"enum", "const", "format"} & set(schema) and "maxLength" not in schema and not fixed:
        found.append(f"{path}: a string without maxLength")
    elif kind == "array":
        if "maxItems" not in schema:
            found.append(f"{path}: a list without maxItems")
        found += _open_bounds(schema.get("items", {}), components, f"{path}[]", seen)
    elif kind == "object":
        for name, field in schema.get("properties", {}).items():
            found += _open_bounds(field, components, f"{path}.{name}", seen)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            if "maxProperties" not in schema:
                found.append(f"{path}: a map without maxProperties")
            found += _open_bounds(extra, components, f"{path}{{}}", seen)
    elif kind == "integer" and ("maximum" not in schema or "minimum" not in schema):
        found.append(f"{path}: a whole number without minimum and maximum")
    return found


async def test_every_body_query_and_path_parameter_of_every_service_is_bounded(app: FastAPI) -> None:
    document = app.openapi()
    components = document.get("components", {}).get("schemas", {})
    found: list[str] = []
    for route, operations in document["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {route}"
            for parameter in operation.get("parameters", []):
                found += _open_bounds(parameter["schema"], components, f"{where} {parameter['name']}", set())
            for content in operation.get("requestBody", {}).get("content", {}).values():
                found += _open_bounds(content["schema"], components, f"{where} body", set())

    assert found == []


# --- on PostgreSQL: bad values never reach it, and the largest good ones fit its columns -----------------------

WIDEST = "Ø" * 200  # two bytes each in UTF-8: a column counts characters, a body limit counts bytes
# (service, method, path, JSON body or None): the largest values the types let through, each answered below 500.
LARGEST_GOOD: list[tuple[str, str, str, Any]] = [
    (
        "intake",
        "POST",
        "/persons",
        {
            "national_id": national_id(date(1941, 5, 12)),
            "name": WIDEST,
            "address": {"street": WIDEST, "postcode": "2540", "city": WIDEST[:100]},
        },
    ),
    ("intake", "GET", f"/persons/{{person}}?purpose={'ø' * 500}", None),
    ("intake", "GET", f"/persons/{'p' * 64}?purpose={'ø' * 500}", None),
    ("intake", "POST", "/applications", {**APPLICATION, "person_id": "{person}", "received_on": "2026-11-02"}),
    ("intake", "GET", "/persons/{person}/access-log?limit=500&offset=1000000", None),
    ("intake", "GET", "/applications?limit=500&offset=1000000&received_from=1900-01-01&received_to=2199-12-31", None),
    ("intake", "GET", f"/applications?journal_number={'9' * 20}&person_id={'p' * 64}&service_code={'s' * 60}", None),
    ("intake", "POST", "/applications", {**APPLICATION, "received_on": "1900-01-01", "person_id": "p" * 64}),
    ("assessment", "GET", f"/assessments?limit=500&offset=1000000&case_id={'c' * 64}", None),
    ("assessment", "GET", f"/assessments/{'a' * 64}", None),
    ("decision", "GET", "/meetings?from=1900-01-01&to=2199-12-31&limit=500", None),
    ("decision", "GET", f"/decisions?limit=500&offset=1000000&case_id={'c' * 64}", None),
    ("decision", "GET", "/service-orders?limit=500&offset=1000000&unit=home_care", None),
    ("decision", "POST", "/decisions", {**DECISION, "case_id": "c" * 64, "decided_on": "2199-12-31"}),
    ("notification", "GET", f"/deadlines?limit=500&offset=1000000&case_id={'c' * 64}", None),
    ("notification", "GET", "/notifications?limit=500&offset=1000000", None),
]


@pytest.mark.infra
@pytest.mark.parametrize("service", ["intake", "assessment", "decision", "notification"])
async def test_on_postgresql_bad_values_are_422_and_the_largest_good_ones_never_500(
    tmp_path: Path, service: str, postgres_url: Any
) -> None:
    async with (
        service_app(service, tmp_path, await postgres_url(f"bad_input_{service}")) as app,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client,
    ):
        # The subject as long as the token allows: it is recorded as "recorded by" with every write.
        headers = _auth(app, subject="ø" * 60)
        answers: dict[str, int] = {}
        for name, method, path, body, _ in BAD_VALUES:
            if name == service:
                response = await _send(client, method, path, body, headers)
                answers[f"bad {method} {path[:60]}"] = response.status_code
        person = "unknown"
        for name, method, path, body in LARGEST_GOOD:
            if name == service:
                # "{person}": the person the first POST /persons registered.
                sent = json.loads(json.dumps(body).replace("{person}", person))
                response = await client.request(method, path.replace("{person}", person), json=sent, headers=headers)
                answers[f"largest {method} {path[:60]}"] = response.status_code
                if path == "/persons" and response.status_code == 201:
                    person = response.json()["person_id"]

    assert answers
    assert {k: v for k, v in answers.items() if k.startswith("bad") and v != 422} == {}
    assert {k: v for k, v in answers.items() if v >= 500} == {}
