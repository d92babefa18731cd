"""Guardians and letter recipients over HTTP: recording who speaks for a person, validation, roles, municipality
scoping, the journal, and the logged read of letter recipients the decision service makes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from servicekit.clock import FixedClock
from servicekit.db import OUTBOX
from servicekit.testing import count, fields_named
from services.intake import db as intake_db
from services.intake.tests.support import NOW, PROBLEM, SELBU, TOLGA, auth, national_id

SERVICE = {"roles": ("service",), "subject": "decision"}


async def person(
    client: httpx.AsyncClient,
    app: FastAPI,
    born: date,
    name: str | None = None,
    street: str = "Storgata 1",
    municipality: str = TOLGA,
) -> str:
    body: dict[str, Any] = {"national_id": national_id(born)}
    if name is not None:
        body |= {"name": name, "address": {"street": street, "postcode": "2540", "city": "Tolga"}}
    response = await client.post("/persons", json=body, headers=auth(app, municipality))
    assert response.status_code in (200, 201), response.text
    person_id: str = response.json()["person_id"]
    return person_id


async def put_guardians(
    client: httpx.AsyncClient, app: FastAPI, person_id: str, guardians: list[tuple[str, str]], **auth_args: Any
) -> httpx.Response:
    body = {"guardians": [{"person_id": p, "relation": r} for p, r in guardians]}
    return await client.put(f"/persons/{person_id}/guardians", json=body, headers=auth(app, **auth_args))


async def recipients(
    client: httpx.AsyncClient, app: FastAPI, person_id: str, purpose: str | None = "decision letter", **auth_args: Any
) -> httpx.Response:
    params = {"purpose": purpose} if purpose is not None else {}
    args = auth_args or SERVICE
    return await client.get(f"/persons/{person_id}/letter-recipients", params=params, headers=auth(app, **args))


async def access_log(client: httpx.AsyncClient, app: FastAPI, person_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/persons/{person_id}/access-log", headers=auth(app))
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def family(client: httpx.AsyncClient, app: FastAPI) -> tuple[str, str, str]:
    child = await person(client, app, date(2016, 5, 17), "Ola Nordmann")
    mother = await person(client, app, date(1986, 2, 1), "Kari Nordmann", street="Bakkevegen 2")
    father = await person(client, app, date(1984, 9, 9), "Per Nordmann", street="Fjellvegen 3")
    return child, mother, father


# --- the letter recipients, as the decision service reads them ----------------------------------


async def test_a_childs_letters_go_to_both_parents_with_their_own_names_and_addresses(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    child, mother, father = await family(client, app)
    assert (await put_guardians(client, app, child, [(mother, "parent"), (father, "parent")])).status_code == 200

    response = await recipients(client, app, child)

    assert response.status_code == 200, response.text
    body = response.json()
    assert {k: body[k] for k in ("person_id", "on", "person_is_child", "no_guardian_registered")} == {
        "person_id": child,
        "on": "2026-11-23",
        "person_is_child": True,
        "no_guardian_registered": False,
    }
    assert sorted(body["recipients"], key=lambda r: r["name"]) == [
        {
            "person_id": mother,
            "receives_as": "parent",
            "name": "Kari Nordmann",
            "street": "Bakkevegen 2",
            "postcode": "2540",
            "city": "Tolga",
        },
        {
            "person_id": father,
            "receives_as": "parent",
            "name": "Per Nordmann",
            "street": "Fjellvegen 3",
            "postcode": "2540",
            "city": "Tolga",
        },
    ]
    assert "Ola Nordmann" not in response.text


async def test_the_read_is_logged_for_the_child_and_each_parent_with_its_purpose(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    child, mother, father = await family(client, app)
    await put_guardians(client, app, child, [(mother, "parent"), (father, "parent")])

    assert (await recipients(client, app, child, purpose="decision letter")).status_code == 200

    for who in (child, mother, father):
        [entry] = await access_log(client, app, who)
        assert (entry["accessed_by"], entry["roles"], entry["purpose"]) == ("decision", ["service"], "decision letter")
        assert entry["national_id_disclosed"] is False
        assert datetime.fromisoformat(entry["accessed_at"]) == NOW


async def test_a_child_without_registered_guardians_is_its_own_recipient_and_the_answer_says_so(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    child = await person(client, app, date(2016, 5, 17), "Ola Nordmann")

    body = (await recipients(client, app, child)).json()

    assert (body["person_is_child"], body["no_guardian_registered"]) == (True, True)
    assert [(r["person_id"], r["receives_as"], r["name"]) for r in body["recipients"]] == [
        (child, "self", "Ola Nordmann")
    ]


async def test_an_adult_under_guardianship_gets_the_letter_and_so_does_the_guardian(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    adult = await person(client, app, date(1950, 6, 1), "Anna Eldre")
    verge = await person(client, app, date(1975, 3, 3), "Vera Verge")
    assert (await put_guardians(client, app, adult, [(verge, "guardian")])).status_code == 200

    body = (await recipients(client, app, adult, roles=("caseworker",))).json()

    assert [(r["person_id"], r["receives_as"], r["name"]) for r in body["recipients"]] == [
        (adult, "self", "Anna Eldre"),
        (verge, "guardian", "Vera Verge"),
    ]
    assert (body["person_is_child"], body["no_guardian_registered"]) == (False, False)


async def test_an_expecting_parents_recipients_can_be_read_for_a_child_coordinator_letter_in_pregnancy(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    mother = await person(client, app, date(1996, 4, 4), "Kari Nordmann")
    application = await client.post(
        "/child-coordinator-applications",
        json={
            "applicant_person_id": mother,
            "expected_birth_on": "2027-03-01",
            "channel": "digital_form",
            "sender": "applicant",
            "received_on": "2026-11-20",
            "consent": {"form": "written", "given_by": "guardian", "scope": ["processing"]},
        },
        headers=auth(app),
    )
    assert application.status_code == 201, application.text

    body = (await recipients(client, app, application.json()["applicant_person_id"])).json()

    assert [(r["person_id"], r["receives_as"], r["name"]) for r in body["recipients"]] == [
        (mother, "self", "Kari Nordmann")
    ]


async def test_on_the_18th_birthday_the_letters_go_to_the_person_and_no_longer_to_the_parents(
    app: FastAPI, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    """The birthday is judged on the Norwegian date: 23:30 UTC on 23 November is 24 November in Norway."""
    teen = await person(client, app, date(2008, 11, 24), "Tor Ung")
    mother = await person(client, app, date(1980, 1, 1), "Kari Nordmann")
    await put_guardians(client, app, teen, [(mother, "parent")])

    clock.set(datetime(2026, 11, 23, 22, 59, tzinfo=UTC))  # 23:59 in Norway, the eve
    eve = (await recipients(client, app, teen)).json()
    clock.set(datetime(2026, 11, 23, 23, 0, tzinfo=UTC))  # midnight in Norway
    birthday = (await recipients(client, app, teen)).json()
    guardians = (await client.get(f"/persons/{teen}/guardians", headers=auth(app))).json()

    assert [r["receives_as"] for r in eve["recipients"]] == ["parent"]
    assert [(r["person_id"], r["receives_as"]) for r in birthday["recipients"]] == [(teen, "self")]
    assert (birthday["on"], birthday["person_is_child"]) == ("2026-11-24", False)
    assert [(g["person_id"], g["in_force"]) for g in guardians["guardians"]] == [(mother, False)]


@pytest.mark.parametrize(
    ("roles", "unit"),
    [(("leader",), None), (("unit",), "home_care"), (("coordinator",), None)],
    ids=["leader", "unit", "coordinator"],
)
async def test_roles_that_may_not_see_names_and_addresses_get_403_and_nothing_is_logged(
    app: FastAPI, client: httpx.AsyncClient, roles: tuple[str, ...], unit: str | None
) -> None:
    adult = await person(client, app, date(1950, 6, 1), "Anna Eldre")

    response = await recipients(client, app, adult, roles=roles, unit=unit)

    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    assert "Anna Eldre" not in response.text
    assert await count(app, intake_db.person_access) == 0


async def test_an_unknown_person_or_another_municipalitys_is_404_and_nothing_is_logged(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    adult = await person(client, app, date(1950, 6, 1), "Anna Eldre")

    unknown = await recipients(client, app, str(uuid.uuid4()))
    elsewhere = await recipients(client, app, adult, roles=("service",), municipality=SELBU)

    assert (unknown.status_code, elsewhere.status_code) == (404, 404)
    assert unknown.json()["field"] == "person_id"
    assert "Anna Eldre" not in elsewhere.text
    assert await count(app, intake_db.person_access) == 0


@pytest.mark.parametrize("purpose", [None, "", "  \t "], ids=["missing", "empty", "blank"])
async def test_reading_recipients_without_a_purpose_is_422_and_logs_nothing(
    app: FastAPI, client: httpx.AsyncClient, purpose: str | None
) -> None:
    adult = await person(client, app, date(1950, 6, 1), "Anna Eldre")

    response = await recipients(client, app, adult, purpose=purpose)

    assert response.status_code == 422
    assert "query.purpose" in fields_named(response.json())
    assert await count(app, intake_db.person_access) == 0


# --- recording guardians ------------------------------------------------------------------------


async def test_recording_guardians_returns_the_list_and_journals_who_and_when_without_any_event(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    child, mother, father = await family(client, app)

    response = await put_guardians(client, app, child, [(mother, "parent"), (father, "parent")], subject="ola")

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["person_id"], body["person_is_child"]) == (child, True)
    assert {(g["person_id"], g["relation"], g["in_force"], g["recorded_by"]) for g in body["guardians"]} == {
        (mother, "parent", True, "ola"),
        (father, "parent", True, "ola"),
    }
    assert {(c["guardian_person_id"], c["change"], c["changed_by"]) for c in body["history"]} == {
        (mother, "added", "ola"),
        (father, "added", "ola"),
    }
    assert all(datetime.fromisoformat(c["changed_at"]) == NOW for c in body["history"])
    assert await count(app, OUTBOX) == 0
    assert national_id(date(2016, 5, 17)) not in response.text


async def test_recording_the_list_again_removes_and_changes_and_the_journal_keeps_every_step(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    child, mother, father = await family(client, app)
    await put_guardians(client, app, child, [(mother, "parent"), (father, "parent")])

    changed = await put_guardians(client, app, child, [(father, "guardian")], subject="ola")
    cleared = await put_guardians(client, app, child, [])
    read = await client.get(f"/persons/{child}/guardians", headers=auth(app, roles=("leader",)))

    assert changed.status_code == 200
    assert [(g["person_id"], g["relation"]) for g in changed.json()["guardians"]] == [(father, "guardian")]
    assert cleared.json()["guardians"] == []
    assert read.status_code == 200
    steps = [
        (c["guardian_person_id"], c["change"], c["relation"], c["previous_relation"]) for c in read.json()["history"]
    ]
    assert steps[2:] == [
        (mother, "removed", "parent", None),
        (father, "relation_changed", "guardian", "parent"),
        (father, "removed", "guardian", None),
    ]
    assert await count(app, intake_db.person_guardian) == 0


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("self", "guardians.0.person_id"),
        ("duplicate", "guardians.1.person_id"),
        ("unknown", "guardians.0.person_id"),
        ("other-municipality", "guardians.0.person_id"),
        ("parent-of-adult", "guardians.0.relation"),
        ("too-many", "guardians"),
        ("unknown-relation", "guardians.0.relation"),
    ],
)
async def test_a_guardian_list_that_breaks_a_rule_is_422_naming_the_entry_and_nothing_is_written(
    app: FastAPI, client: httpx.AsyncClient, case: str, field: str
) -> None:
    child, mother, _ = await family(client, app)
    adult = await person(client, app, date(1950, 6, 1), "Anna Eldre")
    selbu = await person(client, app, date(1986, 2, 1), municipality=SELBU)
    of, guardians = {
        "self": (child, [(child, "parent")]),
        "duplicate": (child, [(mother, "parent"), (mother, "guardian")]),
        "unknown": (child, [(str(uuid.uuid4()), "parent")]),
        "other-municipality": (child, [(selbu, "parent")]),
        "parent-of-adult": (adult, [(mother, "parent")]),
        "too-many": (adult, [(str(uuid.uuid4()), "guardian") for _ in range(5)]),
        "unknown-relation": (child, [(mother, "stepparent")]),
    }[case]

    response = await put_guardians(client, app, of, guardians)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert field in fields_named(response.json())
    assert await count(app, intake_db.person_guardian) == 0
    assert await count(app, intake_db.person_guardian_change) == 0


@pytest.mark.parametrize(
    ("roles", "unit"),
    [(("service",), None), (("leader",), None), (("unit",), "home_care")],
    ids=["service", "leader", "unit"],
)
async def test_only_caseworkers_record_guardians(
    app: FastAPI, client: httpx.AsyncClient, roles: tuple[str, ...], unit: str | None
) -> None:
    child, mother, _ = await family(client, app)

    response = await put_guardians(client, app, child, [(mother, "parent")], roles=roles, unit=unit)

    assert response.status_code == 403
    assert await count(app, intake_db.person_guardian) == 0


async def test_another_municipality_gets_404_for_the_guardians_and_writes_nothing(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    child, mother, _ = await family(client, app)
    await put_guardians(client, app, child, [(mother, "parent")])

    put = await put_guardians(client, app, child, [], municipality=SELBU)
    get = await client.get(f"/persons/{child}/guardians", headers=auth(app, SELBU))

    assert (put.status_code, get.status_code) == (404, 404)
    assert await count(app, intake_db.person_guardian) == 1


async def test_the_routes_are_documented_with_summaries_and_response_models(app: FastAPI) -> None:
    paths = app.openapi()["paths"]

    for path, method in [
        ("/persons/{person_id}/guardians", "put"),
        ("/persons/{person_id}/guardians", "get"),
        ("/persons/{person_id}/letter-recipients", "get"),
    ]:
        operation = paths[path][method]
        assert operation["summary"]
        assert operation["description"]
        assert {"403", "404"} <= set(operation["responses"])
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
            "LetterRecipientsOut" if "letter" in path else "GuardiansOut"
        )
