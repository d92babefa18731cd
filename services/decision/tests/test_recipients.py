"""Letters go to whom intake's person register names (a child's guardians, an adult and any appointed guardian),
with their names and addresses, asked for each letter; "Gjelder" names the person the letter concerns."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path

import httpx
import pytest
import yaml
from fastapi import FastAPI

from contracts.coordination import DecisionRequested, ProposedResult, RequestedRight
from contracts.intake import (
    Channel,
    ChildCoordinatorApplicationRegistered,
    Consent,
    ConsentForm,
    ConsentGiver,
    ConsentScope,
    Sender,
)
from servicekit.auth import TokenVerifier
from servicekit.clock import FixedClock
from servicekit.consumer import Outcome
from servicekit.migrate import upgrade
from servicekit.settings import REPO_ROOT
from servicekit.testing import Deliveries, close_app, runtime_of
from services.decision.letters import DecisionLetter, expected_child, render_decision, render_preliminary_reply
from services.decision.main import Settings
from services.decision.main import app as decision_app
from services.decision.recipients import (
    IntakeRecipients,
    LetterRecipients,
    Recipient,
    RecipientLookup,
    nobody,
    to_expecting_parents,
)
from services.decision.tests.conftest import build_app
from services.decision.tests.support import (
    SELBU,
    assessed,
    auth,
    decision_body,
    feed,
    oslo,
    pdf_text,
    wrap,
)
from services.decision.tests.test_letters import partly_granted, preliminary

SECRET = "recipients-test-secret-that-is-long-enough-01"
VERIFIER = TokenVerifier(SECRET, issuer="forvalt", audience="forvalt")

KARI = {"name": "Kari Nordmann", "street": "Storgata 1", "postcode": "2540", "city": "Tolga"}
OLA = {"name": "Ola Nordmann", "street": "Storgata 1", "postcode": "2540", "city": "Tolga"}
OLA_IN_SELBU = {"name": "Ola Nordmann", "street": "Kirkevegen 7", "postcode": "7580", "city": "Selbu"}
EMMA = {"name": "Emma Nordmann", "street": "Storgata 1", "postcode": "2540", "city": "Tolga"}


def _intake(handler: httpx.MockTransport) -> IntakeRecipients:
    return IntakeRecipients("http://intake.test", VERIFIER, transport=handler)


def _addressee(person_id: str, receives_as: str, contact: Mapping[str, str | None]) -> dict[str, object]:
    return {"person_id": person_id, "receives_as": receives_as, **contact}


def _register(
    seen: list[httpx.Request],
    *recipients: dict[str, object],
    child: bool = False,
    person: dict[str, object] | None = None,
) -> httpx.MockTransport:
    """Intake's person register: the letter recipients of p-123, and p-123's own record."""

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/persons/p-123/letter-recipients":
            return httpx.Response(
                200,
                json={
                    "person_id": "p-123",
                    "on": "2026-03-10",
                    "person_is_child": child,
                    "no_guardian_registered": child and all(r["receives_as"] == "self" for r in recipients),
                    "recipients": list(recipients),
                },
            )
        if request.url.path == "/persons/p-123" and person is not None:
            return httpx.Response(200, json={**person, "national_id": None})
        return httpx.Response(404, json={"detail": "no person"})

    return httpx.MockTransport(answer)


def _addressed(language: str, found: LetterRecipients) -> DecisionLetter:
    letter = partly_granted(language)
    head = replace(letter.head, concerning=found.concerning, addressees=found.addressees)
    return replace(letter, head=head)


async def test_an_adults_letter_goes_to_the_adult_asked_as_a_service_of_the_municipality_with_the_purpose() -> None:
    seen: list[httpx.Request] = []

    found = await _intake(_register(seen, _addressee("p-123", "self", KARI)))("3426", "p-123")

    assert found == LetterRecipients(
        concerning="Kari Nordmann", addressees=(Recipient("Kari Nordmann", "Storgata 1", "2540", "Tolga"),)
    )
    [request] = seen  # the recipients name the adult: no second read of the person
    assert request.url.path == "/persons/p-123/letter-recipients"
    assert request.url.params["purpose"] == "decision letter"
    principal = VERIFIER.verify(request.headers["Authorization"].removeprefix("Bearer "))
    assert (principal.municipality, principal.roles) == ("3426", frozenset({"service"}))


async def test_a_childs_letter_goes_to_both_parents_and_concerns_the_child_read_with_the_purpose() -> None:
    seen: list[httpx.Request] = []
    register = _register(
        seen,
        _addressee("p-mor", "parent", KARI),
        _addressee("p-far", "parent", OLA),
        child=True,
        person={"name": "Emma Nordmann", "street": "Storgata 1", "postcode": "2540", "city": "Tolga"},
    )

    found = await _intake(register)("3426", "p-123")

    assert found == LetterRecipients(
        concerning="Emma Nordmann",
        addressees=(
            Recipient("Kari Nordmann", "Storgata 1", "2540", "Tolga", receives_as="parent"),
            Recipient("Ola Nordmann", "Storgata 1", "2540", "Tolga", receives_as="parent"),
        ),
    )
    assert [r.url.path for r in seen] == ["/persons/p-123/letter-recipients", "/persons/p-123"]
    assert all(r.url.params["purpose"] == "decision letter" for r in seen)


async def test_a_child_without_a_registered_guardian_gets_the_letter_themself() -> None:
    seen: list[httpx.Request] = []

    found = await _intake(_register(seen, _addressee("p-123", "self", EMMA), child=True))("3426", "p-123")

    assert found is not None
    assert (found.concerning, [a.name for a in found.addressees]) == ("Emma Nordmann", ["Emma Nordmann"])


async def test_an_adult_with_an_appointed_guardian_is_addressed_first_and_the_guardian_after() -> None:
    seen: list[httpx.Request] = []
    register = _register(seen, _addressee("p-123", "self", KARI), _addressee("p-verge", "guardian", OLA_IN_SELBU))

    found = await _intake(register)("3426", "p-123")

    assert found is not None
    assert found.concerning == "Kari Nordmann"
    assert [(a.name, a.receives_as) for a in found.addressees] == [
        ("Kari Nordmann", "self"),
        ("Ola Nordmann", "guardian"),
    ]


async def test_an_addressee_the_register_holds_no_name_for_is_left_out() -> None:
    seen: list[httpx.Request] = []
    register = _register(
        seen,
        _addressee("p-mor", "parent", {**KARI, "name": None}),
        _addressee("p-far", "parent", OLA),
        child=True,
        person={"name": "Emma Nordmann"},
    )

    found = await _intake(register)("3426", "p-123")

    assert found is not None
    assert [a.name for a in found.addressees] == ["Ola Nordmann"]


async def test_a_child_whose_own_name_cannot_be_read_is_still_addressed_to_the_parents() -> None:
    seen: list[httpx.Request] = []
    register = _register(seen, _addressee("p-mor", "parent", KARI), child=True, person=None)

    found = await _intake(register)("3426", "p-123")

    assert found == LetterRecipients(
        concerning=None, addressees=(Recipient("Kari Nordmann", "Storgata 1", "2540", "Tolga", receives_as="parent"),)
    )


@pytest.mark.parametrize(
    "answer",
    [
        lambda request: httpx.Response(404, json={"detail": "no person"}),
        lambda request: httpx.Response(503, json={"detail": "down"}),
        lambda request: httpx.Response(200, json={"unexpected": True}),
        lambda request: httpx.Response(
            200,
            json={
                "person_id": "p-123",
                "on": "2026-03-10",
                "person_is_child": False,
                "no_guardian_registered": False,
                "recipients": [{"person_id": "p-123", "receives_as": "self", "name": None}],
            },
        ),
    ],
    ids=["unknown", "error", "not-understood", "unnamed"],
)
async def test_an_unknown_unnamed_or_unanswered_person_gives_no_recipients(answer: object) -> None:
    assert await _intake(httpx.MockTransport(answer))("3426", "p-123") is None  # type: ignore[arg-type]


async def test_an_unreachable_person_register_gives_no_recipients_instead_of_an_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    assert await _intake(httpx.MockTransport(refuse))("3426", "p-123") is None


# --- the letter's address block, copies and "Gjelder" ---------------------------------------------


@pytest.mark.parametrize(("language", "regarding"), [("nb", "Gjelder: Kari Nordmann"), ("nn", "Gjeld: Kari Nordmann")])
def test_a_letter_with_a_recipient_carries_the_name_and_address_instead_of_the_id(
    language: str, regarding: str
) -> None:
    found = LetterRecipients("Kari Nordmann", (Recipient("Kari Nordmann", "Storgata 1", "2540", "Tolga"),))

    text = render_decision(_addressed(language, found))

    assert "Vår referanse: 2026/000017\nKari Nordmann\nStorgata 1\n2540 Tolga\n\n" + regarding + "\n" in text
    assert "p-123" not in text
    assert "Kopi til" not in text


PARENTS_AT_ONE_ADDRESS = LetterRecipients(
    "Emma Nordmann",
    (
        Recipient("Kari Nordmann", "Storgata 1", "2540", "Tolga", receives_as="parent"),
        Recipient("Ola Nordmann", "storgata  1", "2540", "TOLGA", receives_as="parent"),
    ),
)
PARENTS_APART = LetterRecipients(
    "Emma Nordmann",
    (
        Recipient("Kari Nordmann", "Storgata 1", "2540", "Tolga", receives_as="parent"),
        Recipient("Ola Nordmann", "Kirkevegen 7", "7580", "Selbu", receives_as="parent"),
    ),
)


@pytest.mark.parametrize(("language", "regarding"), [("nb", "Gjelder"), ("nn", "Gjeld")])
def test_parents_at_one_address_are_both_named_on_the_address_block_over_one_address(
    language: str, regarding: str
) -> None:
    text = render_decision(_addressed(language, PARENTS_AT_ONE_ADDRESS))

    assert f"\nKari Nordmann og Ola Nordmann\nStorgata 1\n2540 Tolga\n\n{regarding}: Emma Nordmann\n" in text
    assert "Kopi til" not in text
    assert text.count("Storgata 1") == 1


@pytest.mark.parametrize(("language", "regarding"), [("nb", "Gjelder"), ("nn", "Gjeld")])
def test_a_parent_at_another_address_gets_a_copy_named_with_the_address_after_the_signature(
    language: str, regarding: str
) -> None:
    text = render_decision(_addressed(language, PARENTS_APART))

    assert f"\nKari Nordmann\nStorgata 1\n2540 Tolga\n\n{regarding}: Emma Nordmann\n" in text
    assert text.endswith("\n\nKopi til:\nOla Nordmann, Kirkevegen 7, 7580 Selbu\n")
    assert "Kari Nordmann og" not in text


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_a_preliminary_reply_is_addressed_and_copied_as_the_decision_letter_is(language: str) -> None:
    letter = preliminary(language)
    head = replace(letter.head, concerning=PARENTS_APART.concerning, addressees=PARENTS_APART.addressees)

    text = render_preliminary_reply(replace(letter, head=head))

    assert "\nKari Nordmann\nStorgata 1\n2540 Tolga\n\n" in text
    assert "Emma Nordmann" in text
    assert text.endswith("\n\nKopi til:\nOla Nordmann, Kirkevegen 7, 7580 Selbu\n")


def test_three_guardians_at_one_address_are_listed_with_commas_and_og() -> None:
    tolga = ("Storgata 1", "2540", "Tolga")
    found = LetterRecipients(
        "Emma Nordmann",
        tuple(Recipient(n, *tolga, receives_as="parent") for n in ("Kari Nordmann", "Ola Nordmann", "Per Hansen")),
    )

    assert "\nKari Nordmann, Ola Nordmann og Per Hansen\nStorgata 1\n" in render_decision(_addressed("nb", found))


# --- through the service: the register asked for each letter, the PDF ----------------------------


async def test_a_decision_letter_is_addressed_to_the_person_the_register_names(
    tmp_path: Path, clock: FixedClock
) -> None:
    asked: list[tuple[str, str]] = []

    async def register(municipality: str, person_id: str) -> LetterRecipients | None:
        asked.append((municipality, person_id))
        return LetterRecipients("Ola Nordmann", (Recipient("Ola Nordmann", "Kirkevegen 7", "7580", "Selbu"),))

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


def _tenants_writing(language: str, tmp_path: Path) -> Path | None:
    if language == "nb":
        return None
    tenants = tmp_path / "tenants"
    shutil.copytree(REPO_ROOT / "deploy" / "tenants", tenants)
    selbu = tenants / "5032-selbu.yaml"
    content = yaml.safe_load(selbu.read_text(encoding="utf-8"))
    selbu.write_text(yaml.safe_dump({**content, "language": language}, allow_unicode=True), encoding="utf-8")
    return tenants


@pytest.mark.parametrize(
    ("language", "regarding", "appeal", "heading"),
    [
        ("nb", "Gjelder", "Dere kan klage på dette vedtaket", "Foreløpig svar på søknaden for Emma Nordmann"),
        ("nn", "Gjeld", "De kan klage på dette vedtaket", "Førebels svar på søknaden for Emma Nordmann"),
    ],
)
async def test_a_childs_letters_in_pdf_name_the_guardians_concern_the_child_and_speak_to_the_guardians(
    tmp_path: Path, clock: FixedClock, language: str, regarding: str, appeal: str, heading: str
) -> None:
    async def register(municipality: str, person_id: str) -> LetterRecipients | None:
        return LetterRecipients(
            "Emma Nordmann",
            (
                Recipient("Kari Nordmann", "Kirkevegen 7", "7580", "Selbu", receives_as="parent"),
                Recipient("Ola Nordmann", "Kirkevegen 7", "7580", "Selbu", receives_as="parent"),
                Recipient("Åse Vergeland", "Fjellvegen 2", "7580", "Selbu", receives_as="guardian"),
            ),
        )

    url = f"sqlite+aiosqlite:///{tmp_path}/child.db"
    app = await migrated(build_app(url, clock, _tenants_writing(language, tmp_path), recipients=register))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    consumer = Deliveries(app).consumer
    await assessed(consumer, clock, "case-1", SELBU, at=oslo(2026, 3, 9, 11, 0))
    await assessed(consumer, clock, "case-2", SELBU, at=oslo(2026, 3, 9, 11, 0))
    clock.set(oslo(2026, 3, 10, 13))

    decision = (await client.post("/decisions", json=decision_body("case-1"), headers=auth(app))).json()
    reply = await client.post(
        "/cases/case-2/preliminary-reply",
        json={"expected_decision_on": "2026-04-30", "reason_for_delay": "Vi venter på opplysninger."},
        headers=auth(app),
    )
    assert reply.status_code == 201, reply.text
    for url, phrase in ((decision["letter_url"], appeal), (reply.json()["pdf_url"], heading)):
        text = pdf_text((await client.get(url, headers=auth(app))).content)

        assert phrase in text
        assert "søknaden din" not in text
        assert f"Kari Nordmann og Ola Nordmann Kirkevegen 7 7580 Selbu {regarding}: Emma Nordmann" in text
        assert text.endswith("Kopi til: Åse Vergeland, Fjellvegen 2, 7580 Selbu")
        assert f"{regarding}: person" not in text
    await client.aclose()
    await close_app(app)


async def test_a_letter_the_register_cannot_answer_for_names_the_person_by_id(
    tmp_path: Path, clock: FixedClock
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    down = _intake(httpx.MockTransport(refuse))
    app = await migrated(build_app(f"sqlite+aiosqlite:///{tmp_path}/down.db", clock, recipients=down))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    await assessed(Deliveries(app).consumer, clock, "case-1", SELBU, at=oslo(2026, 3, 9, 11, 0))
    clock.set(oslo(2026, 3, 10, 13))

    response = await client.post("/decisions", json=decision_body("case-1"), headers=auth(app))
    assert response.status_code == 201, response.text
    text = pdf_text((await client.get(response.json()["letter_url"], headers=auth(app))).content)

    assert "Gjelder: person " in text
    assert "Kopi til" not in text
    await client.aclose()
    await close_app(app)


async def migrated(app: FastAPI) -> FastAPI:
    await upgrade(runtime_of(app).db, runtime_of(app).spec.migrations_dir)
    return app


def test_a_name_the_letter_font_prints_is_kept_and_one_it_cannot_is_brought_as_close_as_it_allows() -> None:
    from services.decision.letters import fit_to_font

    assert fit_to_font("Áile Ŋuolja Šávži") == "Áile Ŋuolja Šávži"
    assert fit_to_font("Øystein Ærø") == "Øystein Ærø"
    assert fit_to_font("Ánde 東 Čoavji") == "Ánde ? Čoavji"
    assert fit_to_font("𝐀nne") == "Anne"  # a letter the font lacks, as its base letter


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


async def test_every_sami_name_and_address_on_a_letter_is_printed_as_the_register_spells_it(
    tmp_path: Path, clock: FixedClock
) -> None:
    async def register(municipality: str, person_id: str) -> LetterRecipients | None:
        return LetterRecipients(
            "Áile Šávži",
            (
                Recipient("Ŋuolja Šávži", "Šuoŋŋavárri 3", "9730", "Kárášjohka"),
                Recipient("Máret Šávži 東", "Ŋávdnji 1", "9520", "Guovdageaidnu"),  # one glyph the font lacks
            ),
        )

    app = await migrated(build_app(f"sqlite+aiosqlite:///{tmp_path}/font.db", clock, recipients=register))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    await assessed(Deliveries(app).consumer, clock, "case-1", SELBU, at=oslo(2026, 3, 9, 11, 0))
    clock.set(oslo(2026, 3, 10, 13))

    response = await client.post("/decisions", json=decision_body("case-1"), headers=auth(app))
    assert response.status_code == 201, response.text
    text = pdf_text((await client.get(response.json()["letter_url"], headers=auth(app))).content)

    assert "Ŋuolja Šávži Šuoŋŋavárri 3 9730 Kárášjohka Gjelder: Áile Šávži" in text
    assert text.endswith("Kopi til: Máret Šávži ?, Ŋávdnji 1, 9520 Guovdageaidnu")
    await client.aclose()
    await close_app(app)


# --- a child not yet born: the expecting parents --------------------------------------------------


def test_an_expected_childs_letters_go_to_the_expecting_parents_as_parents_about_the_child() -> None:
    mother = LetterRecipients("Kari Nordmann", (Recipient("Kari Nordmann", "Storgata 1", "2540", "Tolga"),))
    father = LetterRecipients(
        "Ola Nordmann",
        (
            Recipient("Ola Nordmann", "Kirkevegen 7", "7580", "Selbu"),
            Recipient("Åse Vergeland", "Fjellvegen 2", "7580", "Selbu", receives_as="guardian"),
        ),
    )

    found = to_expecting_parents([mother, None, father], "barnet dere venter (termin 15. april 2027)")

    assert found.concerning == "barnet dere venter (termin 15. april 2027)"
    assert [(a.name, a.receives_as) for a in found.addressees] == [
        ("Kari Nordmann", "parent"),
        ("Ola Nordmann", "parent"),
        ("Åse Vergeland", "guardian"),
    ]


@pytest.mark.parametrize(
    ("language", "parents", "wording"),
    [
        ("nb", 2, "barnet dere venter (termin 15. april 2027)"),
        ("nb", 1, "barnet du venter (termin 15. april 2027)"),
        ("nn", 2, "barnet de ventar (termin 15. april 2027)"),
        ("nn", 1, "barnet du ventar (termin 15. april 2027)"),
    ],
)
def test_an_expected_child_is_named_by_its_due_date_in_the_letters_language(
    language: str, parents: int, wording: str
) -> None:
    assert expected_child(language, date(2027, 4, 15), parents=parents) == wording


async def test_a_decision_on_a_child_coordinator_in_pregnancy_is_addressed_to_both_expecting_parents(
    tmp_path: Path, clock: FixedClock
) -> None:
    register = {
        "p-mor": LetterRecipients("Kari Nordmann", (Recipient("Kari Nordmann", "Kirkevegen 7", "7580", "Selbu"),)),
        "p-far": LetterRecipients("Ola Nordmann", (Recipient("Ola Nordmann", "Kirkevegen 7", "7580", "Selbu"),)),
    }
    asked: list[str] = []

    async def lookup(municipality: str, person_id: str) -> LetterRecipients | None:
        asked.append(person_id)
        return register.get(person_id)

    app = await migrated(build_app(f"sqlite+aiosqlite:///{tmp_path}/expected.db", clock, recipients=lookup))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    consumer = Deliveries(app).consumer
    at = oslo(2026, 11, 2, 10)
    applied = ChildCoordinatorApplicationRegistered(
        case_id="case-9",
        journal_number="2026/000009",
        child_person_id=None,
        expected_birth_on=date(2027, 4, 15),
        applicant_person_id="p-mor",
        co_applicant_person_id="p-far",
        channel=Channel.DIGITAL_FORM,
        sender=Sender.APPLICANT,
        received_on=at.date(),
        consent=Consent(form=ConsentForm.WRITTEN, given_by=ConsentGiver.PARENTS, scope=[ConsentScope.PROCESSING]),
    )
    assert await feed(consumer, clock, wrap(applied, SELBU, at, source="/forvalt/intake")) is Outcome.PROCESSED
    requested = DecisionRequested(
        request_id="r-9",
        case_id="case-9",
        person_id="p-mor",
        right=RequestedRight.CHILD_COORDINATOR,
        proposed=ProposedResult.GRANT,
        requested_by="coordinating_unit",
    )
    assert await feed(consumer, clock, wrap(requested, SELBU, at, source="/forvalt/coordination")) is Outcome.PROCESSED
    clock.set(oslo(2026, 11, 9, 13))

    case = (await client.get("/cases/case-9", headers=auth(app))).json()
    assert case["expected_child"] == {"due_on": "2027-04-15", "parents": ["p-mor", "p-far"]}
    body = {
        "case_id": "case-9",
        "outcome": "granted",
        "services": [{"service_code": "child_coordinator", "start_on": "2026-11-09"}],
    }
    response = await client.post("/decisions", json=body, headers=auth(app))
    assert response.status_code == 201, response.text
    text = pdf_text((await client.get(response.json()["letter_url"], headers=auth(app))).content)

    assert asked == ["p-mor", "p-far"]
    assert (
        "Kari Nordmann og Ola Nordmann Kirkevegen 7 7580 Selbu Gjelder: barnet dere venter (termin 15. april 2027)"
        in text
    )
    assert "Dere kan klage på dette vedtaket" in text
    assert "søknaden din" not in text
    await client.aclose()
    await close_app(app)
