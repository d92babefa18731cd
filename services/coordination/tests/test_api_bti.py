"""BTI, the relay log and the needs a coordinator raises through the ASGI client: Holtålen's routes, a municipality
without BTI refused with a 409 naming the setting, bad bodies as 422 problems naming the field, the relay log hidden
from other units, and a newborn's referral that arrives with its home visit planned."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI

from contracts.coordination import HomeVisitPlanned, NeedEscalated
from contracts.deadlines import DeadlineCancelled, DeadlineKind
from servicekit.consumer import Outcome as Delivery
from servicekit.testing import emitted, fields_named
from services.coordination.tests.support import ALESUND, HOLTALEN, SELBU, auth, decision_made, deliver, referral_event
from services.coordination.tests.test_api import JUDGEMENT, _opened

LEVEL_2 = {"level": 2, "reason": "more_services_involved", "note": "Skole og helsestasjon.", "set_on": "2026-11-20"}
TEACHER = {"name": "Lise Lærer", "role": "teacher", "from_on": "2026-11-20"}


def _ke(app: FastAPI, unit: str = "ke_children", roles: tuple[str, ...] = ("caseworker",)) -> dict[str, str]:
    return auth(app, HOLTALEN, roles, unit=unit)


async def test_holtalen_sets_and_reads_a_childs_bti_level(client: httpx.AsyncClient, app: FastAPI) -> None:
    r = await client.put("/children/child-1/bti", json=LEVEL_2, headers=_ke(app))
    assert r.status_code == 200, r.text

    found = (await client.get("/children/child-1/bti", headers=_ke(app, roles=("leader",)))).json()
    assert found["level"] == 2
    assert found["implies"] == {"rights": ["coordinator"], "relay_log": True, "specialist_services": False}
    assert [(h["level"], h["note"], h["set_by"]) for h in found["history"]] == [(2, LEVEL_2["note"], "kari")]
    again = await client.put("/children/child-1/bti", json=LEVEL_2, headers=_ke(app))
    assert again.status_code == 409


async def test_a_municipality_without_bti_answers_409_naming_the_setting(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    headers = auth(app, SELBU)
    for r in (
        await client.put("/children/person-1/bti", json=LEVEL_2, headers=headers),
        await client.get("/children/person-1/bti", headers=headers),
        await client.post("/children/person-1/relay-log", json={"holder": TEACHER}, headers=headers),
    ):
        assert r.status_code == 409, r.text
        assert fields_named(r.json()) == {"coordination.bti"}


async def test_bad_bodies_are_422_problems_naming_the_field(client: httpx.AsyncClient, app: FastAPI) -> None:
    r = await client.put("/children/child-1/bti", json={**LEVEL_2, "level": 4}, headers=_ke(app))
    assert r.status_code == 422
    assert "level" in str(fields_named(r.json()))
    r = await client.put("/children/child-1/bti", json={**LEVEL_2, "set_on": "2027-01-01"}, headers=_ke(app))
    assert (r.status_code, fields_named(r.json())) == (422, {"set_on"})
    await client.put("/children/child-1/bti", json=LEVEL_2, headers=_ke(app))
    nurse = {**TEACHER, "role": "public_health_nurse"}
    r = await client.post("/children/child-1/relay-log", json={"holder": nurse}, headers=_ke(app))
    assert (r.status_code, fields_named(r.json())) == (422, {"unit"})


async def test_the_relay_log_is_read_by_the_coordinating_unit_and_the_holders_unit_only(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await client.put("/children/child-1/bti", json=LEVEL_2, headers=_ke(app))
    r = await client.post("/children/child-1/relay-log", json={"holder": TEACHER}, headers=_ke(app))
    assert r.status_code == 201, r.text
    nurse = {"name": "Nina", "role": "public_health_nurse", "unit": "public_health_nurse", "from_on": "2026-11-23"}
    r = await client.put("/children/child-1/relay-log/holder", json=nurse, headers=_ke(app))
    assert r.status_code == 200, r.text

    entry = {"entry_on": "2026-11-23", "text": "Samtale med foreldrene."}
    r = await client.post("/children/child-1/relay-log/entries", json=entry, headers=_ke(app, "public_health_nurse"))
    assert r.status_code == 201, r.text
    log = r.json()
    assert [h["name"] for h in log["holders"]] == ["Lise Lærer", "Nina"]
    assert log["holder"]["until_on"] is None
    assert [e["text"] for e in log["entries"]] == [entry["text"]]
    assert (await client.get("/children/child-1/relay-log", headers=_ke(app, "home_care"))).status_code == 404


async def _with_coordinator(app: FastAPI, client: httpx.AsyncClient) -> dict[str, Any]:
    referral = await _opened(app, client, HOLTALEN, person_id="child-2", involves_child=True)
    headers = _ke(app)
    body = {"long_term_need": True, "services_from_different_providers": True, "judgement": JUDGEMENT}
    proposals = {"coordinator": {"result": "grant"}, "individual_plan": {"result": "grant"}}
    r = await client.put(
        f"/referrals/{referral['id']}/assessment", json={**body, "proposals": proposals}, headers=headers
    )
    assert r.status_code == 200, r.text
    r = await client.post(f"/referrals/{referral['id']}/decision-requests", headers=headers)
    assert r.status_code == 200, r.text
    made = decision_made(HOLTALEN, referral["case_id"], "child-2", "coordinator", "individual_plan")
    assert await deliver(app, made) is Delivery.PROCESSED
    appointment = {"role": "coordinator", "coordinator": "ola", "unit": "home_care"}
    r = await client.post(f"/referrals/{referral['id']}/coordinator", json=appointment, headers=headers)
    assert r.status_code in (200, 201), r.text
    return referral


async def test_the_coordinator_raises_a_need_and_the_unit_answers_it(client: httpx.AsyncClient, app: FastAPI) -> None:
    referral = await _with_coordinator(app, client)
    guidance = await client.get(f"/referrals/{referral['id']}/bti-guidance", headers=_ke(app))
    assert guidance.status_code == 404

    raised = await client.post(
        f"/referrals/{referral['id']}/escalations",
        json={"reason": "complex_needs", "text": "Behovene vokser."},
        headers=_ke(app, "home_care"),
    )
    assert raised.status_code == 201, raised.text
    escalation = raised.json()
    assert (escalation["due_on"], escalation["unit"]) == ("2026-12-07", "ke_children")
    [event] = await emitted(app, NeedEscalated)
    assert event.escalation_id == escalation["id"]

    answer = {"response": "meeting_called", "text": "Ansvarsgruppemøte innkalles.", "answered_on": "2026-11-23"}
    early = await client.put(f"/escalations/{escalation['id']}/response", json=answer, headers=_ke(app, "home_care"))
    assert early.status_code == 403
    r = await client.put(f"/escalations/{escalation['id']}/response", json=answer, headers=_ke(app))
    assert r.status_code == 200, r.text
    assert r.json()["response"] == "meeting_called"
    assert [c.kind for c in await emitted(app, DeadlineCancelled)] == [DeadlineKind.ESCALATION_RESPONSE]
    listed = await client.get(f"/referrals/{referral['id']}/escalations", headers=_ke(app, "home_care"))
    assert [e["id"] for e in listed.json()] == [escalation["id"]]
    again = await client.put(f"/escalations/{escalation['id']}/response", json=answer, headers=_ke(app))
    assert again.status_code == 409


async def test_a_bad_escalation_body_names_the_field(client: httpx.AsyncClient, app: FastAPI) -> None:
    referral = await _with_coordinator(app, client)

    r = await client.post(
        f"/referrals/{referral['id']}/escalations", json={"reason": "bored", "text": "x"}, headers=_ke(app)
    )

    assert (r.status_code, fields_named(r.json())) == (422, {"reason"})


async def test_a_newborns_referral_arrives_with_its_home_visit_planned(client: httpx.AsyncClient, app: FastAPI) -> None:
    event = referral_event(ALESUND, involves_child=True, person_birth_on=date(2026, 11, 10))
    assert await deliver(app, event) is Delivery.PROCESSED

    page = (await client.get("/referrals", params={"case_id": event.subject}, headers=auth(app, ALESUND))).json()
    [item] = page["items"]
    found = (await client.get(f"/referrals/{item['id']}", headers=auth(app, ALESUND))).json()
    [planned] = await emitted(app, HomeVisitPlanned)
    assert found["born_on"] == "2026-11-10"
    assert found["home_visit"]["due_on"] == planned.due_on.isoformat()
