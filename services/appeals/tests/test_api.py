"""Appeals through its routes and its consumer: a decision learned with its letter's delivery, an appeal
registered, examined and forwarded, the appeal body's outcome through the integration topic (twice, harmlessly),
the office's reversal, another municipality's decision refused, complaints and deviations."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pypdf import PdfReader

from contracts.appeals import (
    AppealForwarded,
    AppealOutcomeRecorded,
    AppealRegistered,
    AppealReversedByOffice,
    BodyOutcome,
    DecisionDeliveryRecorded,
    DeviationRegistered,
)
from contracts.deadlines import DeadlineCancelled, DeadlineScheduled
from servicekit.consumer import Outcome as Delivery
from servicekit.testing import Deliveries, emitted
from services.appeals.tests.support import (
    HOLTALEN,
    SELBU,
    TOLGA,
    auth,
    body_outcome,
    decision_made,
    deliver,
    letter_delivered,
)

APPEAL = {
    "appellant": "person",
    "appealed": "Jeg trenger hjemmesykepleie hver dag.",
    "received_on": "2026-11-20",
    "received_by": "allocation_office",
    "channel": "letter",
    "helped_by_office": True,
}
FORWARD = {
    "result": "not_justified",
    "comments": "Kontoret finner ikke grunn til å endre vedtaket.",
    "documents": ["decision", "letter", "assessment_summary", "appeal", "office_comments"],
    "examined_on": "2026-11-30",
}


async def _decided(app: FastAPI, municipality: str = TOLGA, **overrides: Any) -> str:
    event = decision_made(municipality, **overrides)
    assert await deliver(app, event) is Delivery.PROCESSED
    decision_id: str = event.data.decision_id
    return decision_id


async def _appealed(app: FastAPI, client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    decision_id = await _decided(app)
    body = {**APPEAL, "decision_id": decision_id, **overrides}
    made = await client.post("/appeals", json=body, headers=auth(app))
    assert made.status_code == 201, made.text
    found: dict[str, Any] = made.json()
    return found


async def test_a_decision_shows_when_its_letter_reached_the_person_and_the_deadline_that_gives(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    decision_id = await _decided(app)
    assumed = (await client.get(f"/decisions/{decision_id}", headers=auth(app))).json()
    assert await deliver(app, letter_delivered(delivered_on=date(2026, 11, 3))) is Delivery.PROCESSED
    reported = (await client.get(f"/decisions/{decision_id}", headers=auth(app))).json()

    assert (assumed["delivery_basis"], assumed["delivered_on"], assumed["appeal_deadline_on"]) == (
        "postal_assumption",
        "2026-11-05",
        "2026-12-03",
    )
    assert (reported["delivery_basis"], reported["delivered_on"], reported["appeal_deadline_on"]) == (
        "digital_receipt",
        "2026-11-03",
        "2026-12-01",
    )
    assert [e.basis.value for e in await emitted(app, DecisionDeliveryRecorded)] == [
        "postal_assumption",
        "digital_receipt",
    ]


async def test_a_mailbox_receipt_that_comes_before_its_decision_is_kept_and_applied(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    assert await deliver(app, letter_delivered(delivered_on=date(2026, 11, 2))) is Delivery.PROCESSED
    decision_id = await _decided(app)
    found = (await client.get(f"/decisions/{decision_id}", headers=auth(app))).json()
    assert (found["delivery_basis"], found["delivered_on"]) == ("digital_receipt", "2026-11-02")


async def test_a_caseworker_records_a_letter_handed_over(app: FastAPI, client: httpx.AsyncClient) -> None:
    decision_id = await _decided(app)
    body = {"delivered_on": "2026-11-02", "basis": "handed_over"}
    recorded = await client.put(f"/decisions/{decision_id}/delivery", json=body, headers=auth(app))
    future = await client.put(
        f"/decisions/{decision_id}/delivery", json={**body, "delivered_on": "2026-12-24"}, headers=auth(app)
    )
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["appeal_deadline_on"] == "2026-11-30"
    assert future.status_code == 422
    assert future.json()["field"] == "delivered_on"


async def test_an_appeal_is_forwarded_and_the_bodys_outcome_arrives_once_through_the_integration_topic(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    appeal = await _appealed(app, client)
    assert (appeal["status"], appeal["late"], appeal["deadline_on"]) == ("received", False, "2026-12-03")
    forwarded = await client.post(f"/appeals/{appeal['id']}/examination", json=FORWARD, headers=auth(app))
    assert forwarded.status_code == 200, forwarded.text
    forwarding = forwarded.json()["forwarding"]
    assert forwarding["appeal_body"] == "Statsforvalteren"

    outcome = body_outcome(forwarding["forwarding_id"], outcome=BodyOutcome.QUASHED)
    assert await deliver(app, outcome) is Delivery.PROCESSED
    # The adapter retries with a new message: the same outcome id changes nothing.
    assert await deliver(app, body_outcome(forwarding["forwarding_id"])) is Delivery.PROCESSED
    read = (await client.get(f"/appeals/{appeal['id']}", headers=auth(app))).json()

    assert read["status"] == "decided"
    assert read["body_outcome"] == {"outcome_id": "outcome-1", "outcome": "quashed", "decided_on": "2026-11-30"}
    [recorded] = await emitted(app, AppealOutcomeRecorded)
    assert (recorded.outcome, recorded.appeal_id) == (BodyOutcome.QUASHED, appeal["id"])
    [registered] = await emitted(app, AppealRegistered)
    [clock] = await emitted(app, DeadlineScheduled)
    [stopped] = await emitted(app, DeadlineCancelled)
    assert clock.deadline_id == stopped.deadline_id
    assert registered.handling_due_on == clock.due_on
    [sent] = await emitted(app, AppealForwarded)
    assert sent.forwarding_id == forwarding["forwarding_id"]


async def test_the_office_records_the_bodys_outcome_by_hand_and_a_repeated_post_is_harmless(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    appeal = await _appealed(app, client)
    await client.post(f"/appeals/{appeal['id']}/examination", json=FORWARD, headers=auth(app))
    body = {"outcome": "upheld", "decided_on": "2026-11-30"}
    first = await client.post(f"/appeals/{appeal['id']}/outcome", json=body, headers=auth(app))
    again = await client.post(f"/appeals/{appeal['id']}/outcome", json=body, headers=auth(app))
    other = await client.post(
        f"/appeals/{appeal['id']}/outcome", json={**body, "outcome": "reversed"}, headers=auth(app)
    )
    assert (first.status_code, again.status_code, other.status_code) == (200, 200, 409)
    assert len(await emitted(app, AppealOutcomeRecorded)) == 1


async def test_an_outcome_for_an_unknown_forwarding_is_dead_lettered_with_its_reason(app: FastAPI) -> None:
    deliveries = Deliveries(app, max_attempts=1)
    assert await deliveries.deliver(body_outcome("no-such-forwarding")) is Delivery.DEAD_LETTERED
    [letter] = deliveries.dead_letters
    assert "forwarding_id" in letter.reason


async def test_the_office_reverses_a_justified_appeal(app: FastAPI, client: httpx.AsyncClient) -> None:
    appeal = await _appealed(app, client)
    body = {"result": "justified", "comments": "Nye opplysninger fra fastlegen.", "examined_on": "2026-11-25"}
    reversed_ = await client.post(f"/appeals/{appeal['id']}/examination", json=body, headers=auth(app))
    assert reversed_.status_code == 200, reversed_.text
    assert (reversed_.json()["status"], reversed_.json()["ended"]) == ("closed", "reversed_by_office")
    [event] = await emitted(app, AppealReversedByOffice)
    assert event.decision_id == appeal["decision_id"]


async def test_a_late_appeal_is_flagged_and_taken_up_with_its_reason(app: FastAPI, client: httpx.AsyncClient) -> None:
    # Three weeks (forvaltningsloven § 29) from Thursday 5 November: the deadline is Thursday 26 November.
    decision_id = await _decided(app, case_id="case-2", letter_id="letter-2", weeks=3, rule="forvaltningsloven § 29")
    late = await client.post(
        "/appeals", json={**APPEAL, "decision_id": decision_id, "received_on": "2026-11-27"}, headers=auth(app)
    )
    assert late.status_code == 201, late.text
    assert (late.json()["late"], late.json()["deadline_on"]) == (True, "2026-11-26")
    early = await client.post(f"/appeals/{late.json()['id']}/examination", json=FORWARD, headers=auth(app))
    taken = await client.post(
        f"/appeals/{late.json()['id']}/late-decision",
        json={"take_up": True, "reason": "Klageren var innlagt.", "on": "2026-11-30"},
        headers=auth(app),
    )
    assert early.status_code == 409
    assert taken.status_code == 200, taken.text
    assert (taken.json()["taken_up_on"], taken.json()["late_reason"]) == ("2026-11-30", "Klageren var innlagt.")


async def test_an_appeal_against_another_municipalitys_decision_is_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    decision_id = await _decided(app, TOLGA)
    refused = await client.post("/appeals", json={**APPEAL, "decision_id": decision_id}, headers=auth(app, SELBU))
    read = await client.get(f"/decisions/{decision_id}", headers=auth(app, SELBU))
    assert refused.status_code == 404
    assert refused.json()["field"] == "decision_id"
    assert read.status_code == 404


async def test_holtalens_childrens_unit_receives_appeals(app: FastAPI, client: httpx.AsyncClient) -> None:
    decision_id = await _decided(app, HOLTALEN)
    body = {**APPEAL, "decision_id": decision_id, "received_by": "ke_children"}
    made = await client.post("/appeals", json=body, headers=auth(app, HOLTALEN))
    assert made.status_code == 201, made.text
    [clock] = await emitted(app, DeadlineScheduled)
    assert clock.responsible == "ke_children"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"appellant": "cousin"}, "appellant"),
        ({"received_on": "2026-13-01"}, "received_on"),
        ({"helped_by_office": "yes"}, "helped_by_office"),
        ({"appealed": ""}, "appealed"),
        ({"extra": 1}, "extra"),
    ],
)
async def test_a_bad_appeal_body_is_a_422_naming_the_field(
    app: FastAPI, client: httpx.AsyncClient, change: dict[str, Any], field: str
) -> None:
    decision_id = await _decided(app)
    refused = await client.post("/appeals", json={**APPEAL, "decision_id": decision_id, **change}, headers=auth(app))
    assert refused.status_code == 422
    assert field in refused.text


async def test_the_appeals_list_puts_the_soonest_handling_first(app: FastAPI, client: httpx.AsyncClient) -> None:
    first = await _appealed(app, client, received_on="2026-11-25")
    decision_id = await _decided(app, case_id="case-2", letter_id="letter-2")
    second = await client.post(
        "/appeals", json={**APPEAL, "decision_id": decision_id, "received_on": "2026-11-10"}, headers=auth(app)
    )
    listed = (await client.get("/appeals", headers=auth(app))).json()
    assert [a["id"] for a in listed["items"]] == [second.json()["id"], first["id"]]
    assert (await client.get("/appeals", headers=auth(app, SELBU))).json()["total"] == 0


async def test_a_complaint_reaches_the_unit_leader_who_answers_it(app: FastAPI, client: httpx.AsyncClient) -> None:
    body = {
        "case_id": "case-1",
        "person_id": "person-1",
        "unit": "home_care",
        "kind": "mismatch_with_decision",
        "description": "Jeg får ett besøk i uka, vedtaket sier tre.",
        "received_on": "2026-11-30",
    }
    made = await client.post("/complaints", json=body, headers=auth(app))
    assert made.status_code == 201, made.text
    cid = made.json()["id"]
    answer = {"answer": "Vi øker til tre besøk fra neste uke.", "answered_on": "2026-12-01"}
    by_caseworker = await client.post(f"/complaints/{cid}/answer", json=answer, headers=auth(app))
    by_other_unit = await client.get(f"/complaints/{cid}", headers=auth(app, roles=("unit",), unit="nursing_home"))
    leader = auth(app, roles=("leader",), unit="home_care")
    answered = await client.post(f"/complaints/{cid}/answer", json=answer, headers=leader)
    units_list = await client.get("/complaints", headers=auth(app, roles=("unit",), unit="home_care"))

    assert made.json()["response_due_on"] == "2026-12-14"
    assert by_caseworker.status_code == 403
    assert by_other_unit.status_code == 403
    assert answered.status_code == 200, answered.text
    assert answered.json()["answered_on"] == "2026-12-01"
    assert [c["id"] for c in units_list.json()["items"]] == [cid]


async def test_a_deviation_goes_on_the_feed_with_its_category_and_its_description_stays(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    body = {
        "category": "responsibility_split",
        "unit": "home_care",
        "description": "Tjenesten startet uten at kontoret ble varslet.",
        "occurred_on": "2026-11-27",
    }
    made = await client.post("/deviations", json=body, headers=auth(app, roles=("unit",), unit="home_care"))
    listed = await client.get("/deviations", headers=auth(app))
    unknown = await client.post("/deviations", json={**body, "unit": "school"}, headers=auth(app))

    assert made.status_code == 201, made.text
    assert listed.json()["items"][0]["description"] == body["description"]
    [event] = await emitted(app, DeviationRegistered)
    assert event.category.value == "responsibility_split"
    assert "Tjenesten" not in event.model_dump_json()
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "unit"


async def test_a_forwarded_appeal_has_its_forwarding_letter_for_the_appeal_body(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    appeal = await _appealed(app, client, appellant="guardian", appellant_name="Kari Nordmann")
    before = await client.get(f"/appeals/{appeal['id']}/forwarding-letter.pdf", headers=auth(app))
    await client.post(f"/appeals/{appeal['id']}/examination", json=FORWARD, headers=auth(app))
    letter = await client.get(f"/appeals/{appeal['id']}/forwarding-letter.pdf", headers=auth(app))

    assert before.status_code == 409
    assert letter.status_code == 200, letter.text
    assert letter.headers["content-type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.content)).pages).split())
    for expected in [
        "Oversendelse av klagesak",
        "Til: Statsforvalteren",
        "Fra: Forvaltningskontoret, Tolga kommune",
        "verge eller foresatte (Kari Nordmann)",
        "Klagefristen var 4 uker (pasient- og brukerrettighetsloven § 7-5), til og med 03.12.2026",
        "Kontoret hjalp til med å skrive klagen (forvaltningsloven § 32)",
        str(FORWARD["comments"]),
        "- Sammendrag av kartleggingen",
    ]:
        assert expected in text, expected


async def test_comments_the_letter_font_cannot_print_are_refused_naming_the_field(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    appeal = await _appealed(app, client)
    body = {**FORWARD, "comments": "Merknad med tegn \u4e2d som ikke kan skrives ut."}
    refused = await client.post(f"/appeals/{appeal['id']}/examination", json=body, headers=auth(app))
    assert refused.status_code == 422
    assert "comments" in refused.text
