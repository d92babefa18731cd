"""The HTTP edge answers a request with a body before it reads it: 401 without a valid token, 413 when too large."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from servicekit.auth import PrincipalDep, TokenVerifier
from servicekit.http import PROBLEM, install_error_handlers, install_request_guard
from servicekit.types import Line

SECRET = "a-test-secret-that-is-long-enough-0123456789"
LIMIT = 4096


class NoteIn(BaseModel):
    text: Line


@pytest.fixture
def verifier() -> TokenVerifier:
    return TokenVerifier(SECRET, issuer="forvalt", audience="forvalt")


@pytest.fixture
def app(verifier: TokenVerifier) -> FastAPI:
    application = FastAPI()
    application.state.token_verifier = verifier
    application.state.reached = 0
    install_error_handlers(application)
    install_request_guard(application, max_body_bytes=LIMIT)

    @application.post("/notes")
    async def note(body: NoteIn, principal: PrincipalDep) -> dict[str, str]:
        application.state.reached += 1
        return {"text": body.text, "by": principal.subject}

    @application.get("/notes")
    async def notes(principal: PrincipalDep) -> list[str]:
        return [principal.subject]

    @application.get("/open")
    async def open_route() -> dict[str, str]:
        return {"status": "ok"}

    return application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


def bearer(verifier: TokenVerifier, subject: str = "dev") -> dict[str, str]:
    return {"Authorization": f"Bearer {verifier.issue(municipality='3426', roles=['caseworker'], subject=subject)}"}


async def test_a_body_within_the_limit_from_a_verified_caller_reaches_the_route(
    app: FastAPI, client: httpx.AsyncClient, verifier: TokenVerifier
) -> None:
    response = await client.post("/notes", json={"text": "hei"}, headers=bearer(verifier, subject="kari"))

    assert response.status_code == 200, response.text
    assert response.json() == {"text": "hei", "by": "kari"}


async def test_a_body_declared_over_the_limit_is_answered_413_before_it_is_read(
    app: FastAPI, client: httpx.AsyncClient, verifier: TokenVerifier
) -> None:
    body = b'{"text": "' + b"x" * LIMIT + b'"}'

    response = await client.post(
        "/notes", content=body, headers={**bearer(verifier), "Content-Type": "application/json"}
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["limit_bytes"] == LIMIT
    assert app.state.reached == 0


async def test_a_body_sent_without_its_length_is_counted_and_answered_413_past_the_limit(
    app: FastAPI, client: httpx.AsyncClient, verifier: TokenVerifier
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"text": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}'

    response = await client.post(
        "/notes", content=chunks(), headers={**bearer(verifier), "Content-Type": "application/json"}
    )

    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert app.state.reached == 0


@pytest.mark.parametrize("body", [b"{not json", b'{"text": 12}', b"x" * (LIMIT * 2)])
async def test_a_body_without_a_token_is_answered_401_before_it_is_parsed_or_measured(
    app: FastAPI, client: httpx.AsyncClient, body: bytes
) -> None:
    response = await client.post("/notes", content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"] == "missing bearer token"


@pytest.mark.parametrize("authorization", ["Bearer not-a-jwt", "Basic a2FyaTpoZW1tZWxpZw==", "Bearer "])
async def test_a_body_with_an_invalid_token_is_answered_401_before_it_is_parsed(
    client: httpx.AsyncClient, authorization: str
) -> None:
    response = await client.post(
        "/notes", content=b"{not json", headers={"Authorization": authorization, "Content-Type": "application/json"}
    )

    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == PROBLEM


async def test_a_token_with_an_over_long_subject_is_answered_401_before_the_body_is_parsed(
    client: httpx.AsyncClient, verifier: TokenVerifier
) -> None:
    response = await client.post(
        "/notes",
        content=b"{not json",
        headers={**bearer(verifier, subject="k" * 61), "Content-Type": "application/json"},
    )

    assert response.status_code == 401, response.text
    assert "sub" in response.json()["detail"]


async def test_requests_without_a_body_are_left_to_the_routes(
    client: httpx.AsyncClient, verifier: TokenVerifier
) -> None:
    assert (await client.get("/open")).status_code == 200
    assert (await client.get("/notes")).status_code == 401
    assert (await client.get("/notes", headers=bearer(verifier, subject="ola"))).json() == ["ola"]


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        (rb'{"text": "Kari\u0000"}', "one line without control characters"),
        (rb'{"text": "to\nlinjer"}', "one line without control characters"),
        (rb'{"text": "\ud800"}', "unicode"),  # a lone surrogate: no database can store it
    ],
)
async def test_a_control_character_in_a_line_is_a_422_that_names_the_field(
    app: FastAPI, client: httpx.AsyncClient, verifier: TokenVerifier, body: bytes, rule: str
) -> None:
    response = await client.post(
        "/notes", content=body, headers={**bearer(verifier), "Content-Type": "application/json"}
    )

    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["field"] == "text"
    assert rule in error["message"]
    assert app.state.reached == 0
