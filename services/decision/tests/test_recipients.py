"""Letters are addressed with the name and address from intake's person register, asked for each letter."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from fastapi import FastAPI

from servicekit.auth import TokenVerifier
from servicekit.clock import FixedClock
from servicekit.consumer import EventConsumer
from services.decision.letters import Letterhead, render_decision
from services.decision.recipients import IntakeRecipients, Recipient
from services.decision.tests.support import SELBU, assessed, auth, decision_body, oslo, pdf_text, runtime_of
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
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> None:
    asked: list[tuple[str, str]] = []

    async def register(municipality: str, person_id: str) -> Recipient | None:
        asked.append((municipality, person_id))
        return Recipient("Ola Nordmann", "Kirkevegen 7", "7580", "Selbu")

    runtime_of(app).spec.recipients = register  # type: ignore[attr-defined]
    await assessed(consumer, clock, "case-1", SELBU, at=oslo(2026, 3, 9, 11, 0))
    clock.set(oslo(2026, 3, 10, 13))

    decision = (await client.post("/decisions", json=decision_body("case-1"), headers=auth(app))).json()
    text = pdf_text((await client.get(decision["letter_url"], headers=auth(app))).content)

    assert [m for m, _ in asked] == [SELBU]
    assert "Ola Nordmann" in text
    assert "7580 Selbu" in text
    assert "Gjelder: Ola Nordmann" in text


def test_a_name_the_letter_font_cannot_print_is_brought_as_close_as_it_allows() -> None:
    from services.decision.letters import fit_to_font

    assert fit_to_font("Áile Ŋuolja Šávži") == "Áile ?uolja Sávzi"
    assert fit_to_font("Øystein Ærø") == "Øystein Ærø"
