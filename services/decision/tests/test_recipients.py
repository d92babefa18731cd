"""Letters are addressed with the name and address from intake's person register, asked for each letter."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from servicekit.auth import TokenVerifier
from servicekit.clock import FixedClock
from servicekit.migrate import upgrade
from servicekit.testing import Deliveries, close_app, runtime_of
from services.decision.letters import Letterhead, render_decision
from services.decision.main import Settings
from services.decision.main import app as decision_app
from services.decision.recipients import IntakeRecipients, Recipient, RecipientLookup, nobody
from services.decision.tests.conftest import build_app
from services.decision.tests.support import (
    SELBU,
    assessed,
    auth,
    decision_body,
    oslo,
    pdf_text,
)
from services.decision.tests.test_letters import partly_granted

SECRET = "recipients-test-secret-that-is-long-enough-01"
VERIFIER = TokenVerifier(SECRET, issuer="forvalt", audience="forvalt")


def _intake(handler: httpx.MockTransport) -> IntakeRecipients:
    return IntakeRecipients("http://intake.test", VERIFIER, transport=handler)


async def test_the_lookup_asks_intake_as_a_service_of_the_municipality_with_the_purpose() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={
                "name": "Kari Nordmann",
                "street": "Storgata 1",
                "postcode": "2540",
                "city": "Tolga",
                "national_id": None,
            },
        )

    found = await _intake(httpx.MockTransport(answer))("3426", "p-123")

    assert found == Recipient("Kari Nordmann", "Storgata 1", "2540", "Tolga")
    [request] = seen
    assert request.url.path == "/persons/p-123"
    assert request.url.params["purpose"] == "decision letter"
    principal = VERIFIER.verify(request.headers["Authorization"].removeprefix("Bearer "))
    assert (principal.municipality, principal.roles) == ("3426", frozenset({"service"}))


@pytest.mark.parametrize(
    "answer",
    [
        lambda request: httpx.Response(404, json={"detail": "no person"}),
        lambda request: httpx.Response(200, json={"name": None}),
    ],
)
async def test_an_unknown_or_unnamed_person_gives_no_recipient(answer: object) -> None:
    assert await _intake(httpx.MockTransport(answer))("3426", "p-123") is None  # type: ignore[arg-type]


async def test_an_unreachable_person_register_gives_no_recipient_instead_of_an_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    assert await _intake(httpx.MockTransport(refuse))("3426", "p-123") is None


@pytest.mark.parametrize(("language", "regarding"), [("nb", "Gjelder: Kari Nordmann"), ("nn", "Gjeld: Kari Nordmann")])
def test_a_letter_with_a_recipient_carries_the_name_and_address_instead_of_the_id(
    language: str, regarding: str
) -> None:
    letter = partly_granted(language)
    head = letter.head
    addressed = Letterhead(
        municipality_name=head.municipality_name,
        office_name=head.office_name,
        language=head.language,
        letter_on=head.letter_on,
        reference=head.reference,
        person_id=head.person_id,
        recipient=Recipient("Kari Nordmann", "Storgata 1", "2540", "Tolga"),
    )
    text = render_decision(type(letter)(**{**letter.__dict__, "head": addressed}))

    assert "Kari Nordmann\nStorgata 1\n2540 Tolga\n" in text
    assert regarding in text
    assert "p-123" not in text
    assert head.letter_on == date(2026, 3, 10)


async def test_a_decision_letter_is_addressed_to_the_person_the_register_names(
    tmp_path: Path, clock: FixedClock
) -> None:
    asked: list[tuple[str, str]] = []

    async def register(municipality: str, person_id: str) -> Recipient | None:
        asked.append((municipality, person_id))
        return Recipient("Ola Nordmann", "Kirkevegen 7", "7580", "Selbu")

    app = await migrated(build_app(f"sqlite+aiosqlite:///{tmp_path}/letters.db", clock, recipients=register))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    consumer = Deliveries(app).consumer
    await assessed(consumer, clock, "case-1", SELBU, at=oslo(2026, 3, 9, 11, 0))
    clock.set(oslo(2026, 3, 10, 13))

    decision = (await client.post("/decisions", json=decision_body("case-1"), headers=auth(app))).json()
    text = pdf_text((await client.get(decision["letter_url"], headers=auth(app))).content)

    assert [m for m, _ in asked] == [SELBU]
    assert "Ola Nordmann" in text
    assert "7580 Selbu" in text
    assert "Gjelder: Ola Nordmann" in text
    await client.aclose()
    await close_app(app)


async def migrated(app: FastAPI) -> FastAPI:
    await upgrade(runtime_of(app).db, runtime_of(app).spec.migrations_dir)
    return app


def test_a_name_the_letter_font_cannot_print_is_brought_as_close_as_it_allows() -> None:
    from services.decision.letters import fit_to_font

    assert fit_to_font("Áile Ŋuolja Šávži") == "Áile ?uolja Sávzi"
    assert fit_to_font("Øystein Ærø") == "Øystein Ærø"


async def test_the_person_register_is_asked_with_a_token_of_the_runtimes_own_verifier(
    tmp_path: Path, clock: FixedClock
) -> None:
    verifiers: list[TokenVerifier] = []

    def recipients_for(verifier: TokenVerifier) -> RecipientLookup:
        verifiers.append(verifier)
        return nobody

    settings = Settings(environment="test", database_url=f"sqlite+aiosqlite:///{tmp_path}/v.db", jwt_secret=SECRET)
    app = await migrated(decision_app(settings, clock, recipients_for=recipients_for))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/cases", headers=auth(app, SELBU))

    assert response.status_code == 200, response.text
    assert verifiers
    assert all(v is runtime_of(app).verifier for v in verifiers)
    await close_app(app)
