"""Appeals across intake, assessment, decision, appeals and notification on real Kafka and PostgreSQL:

(a) a decision → the digital mailbox reports its letter delivered (integration topic) → the person appeals → the
    office finds no reason to change it and forwards it to Statsforvalteren → Statsforvalteren quashes it (its
    adapter writes the outcome, twice) → a new assessment is opened for the case;
(b) a decision → an appeal → the office finds it justified → a new decision supersedes the first, and the
    case's history shows both.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from contracts.appeals import AppealBodyOutcome, BodyOutcome, LetterDelivered
from contracts.envelope import CloudEvent, EventModel
from contracts.topics import Topic
from tests.helpers import E2E_NOW, application, eventually, register_person
from tests.platform import Platform
from tests.test_decision_journey import _assess

pytestmark = pytest.mark.infra

SELBU = "5032"  # the office decides alone there
TODAY = E2E_NOW.date()  # Wednesday 11 November 2026 on the platform's clock
SERVICES = [{"service_code": "home_nursing", "hours_per_week": 4, "start_on": "2026-12-01"}]


async def _adapter_writes(running: Platform, topic: str, data: EventModel, case_id: str) -> None:
    """What an outside system's adapter does: one CloudEvent on an integration topic, keyed by the case."""
    event = CloudEvent.wrap(data, source="/adapters/test", subject=case_id, municipality=SELBU, time=E2E_NOW)
    producer = AIOKafkaProducer(bootstrap_servers=running.servers.kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(topic, event.to_json(), key=case_id.encode())
    finally:
        await producer.stop()


async def _decided(running: Platform, client: httpx.AsyncClient, birth: date, individual: int) -> dict[str, Any]:
    """An application assessed and decided by Selbu's office: the decision as the decision service shows it."""
    intake, decision = running.services["intake"].url, running.services["decision"].url
    person_id = await asyncio.to_thread(register_person, intake, running.token(SELBU), birth, individual)
    created = await client.post(f"{intake}/applications", json=application(person=person_id))
    assert created.status_code == 201, created.text
    case_id = created.json()["case_id"]
    await _assess(client, running.services["assessment"].url, case_id)

    async def awaiting() -> bool:
        response = await client.get(f"{decision}/cases/{case_id}")
        return response.status_code == 200 and response.json()["status"] == "awaiting_decision"

    await eventually(awaiting, timeout_s=30, what="the case awaiting its decision")
    made = await client.post(
        f"{decision}/decisions", json={"case_id": case_id, "outcome": "granted", "services": SERVICES}
    )
    assert made.status_code == 201, made.text
    found: dict[str, Any] = made.json()
    return found


async def _known_to_appeals(client: httpx.AsyncClient, url: str, decision_id: str) -> dict[str, Any]:
    async def known() -> dict[str, Any] | None:
        response = await client.get(f"{url}/decisions/{decision_id}")
        return response.json() if response.status_code == 200 else None

    return await eventually(known, timeout_s=30, what=f"the appeals service to learn decision {decision_id}")


def _appeal_body(decision_id: str) -> dict[str, Any]:
    return {
        "decision_id": decision_id,
        "appellant": "person",
        "appealed": "Jeg trenger hjemmesykepleie hver dag, ikke fire timer i uka.",
        "received_on": TODAY.isoformat(),
        "received_by": "allocation_office",
        "channel": "letter",
        "helped_by_office": True,
    }


async def test_an_appeal_forwarded_to_statsforvalteren_and_quashed_opens_a_new_assessment(running: Platform) -> None:
    appeals, assessment = running.services["appeals"].url, running.services["assessment"].url
    async with httpx.AsyncClient(timeout=10, headers=running.token(SELBU)) as client:
        made = await _decided(running, client, date(1944, 3, 8), 301)
        case_id, decision_id = made["case_id"], made["id"]
        assumed = await _known_to_appeals(client, appeals, decision_id)
        assert assumed["delivery_basis"] == "postal_assumption"

        # The digital mailbox reports the letter delivered today: the deadline runs from today.
        delivered = LetterDelivered(
            receipt_id=f"receipt-{decision_id}", letter_id=made["letter_id"], case_id=case_id, delivered_on=TODAY
        )
        await _adapter_writes(running, Topic.LETTER_DELIVERIES, delivered, case_id)

        async def reported() -> dict[str, Any] | None:
            found = (await client.get(f"{appeals}/decisions/{decision_id}")).json()
            return found if found["delivery_basis"] == "digital_receipt" else None

        decision_seen = await eventually(reported, timeout_s=30, what="the mailbox's receipt to reach appeals")
        assert decision_seen["delivered_on"] == TODAY.isoformat()
        assert decision_seen["appeal_deadline_on"] == "2026-12-09"  # four weeks (pbrl § 7-5), a Wednesday

        registered = await client.post(f"{appeals}/appeals", json=_appeal_body(decision_id))
        assert registered.status_code == 201, registered.text
        appeal_id = registered.json()["id"]
        assert registered.json()["late"] is False
        examination = {
            "result": "not_justified",
            "comments": "Kartleggingen viser at fire timer i uka dekker behovet.",
            "documents": ["decision", "letter", "assessment_summary", "appeal", "office_comments"],
            "examined_on": TODAY.isoformat(),
        }
        forwarded = await client.post(f"{appeals}/appeals/{appeal_id}/examination", json=examination)
        assert forwarded.status_code == 200, forwarded.text
        forwarding = forwarded.json()["forwarding"]
        assert forwarding["appeal_body"] == "Statsforvalteren"

        # Statsforvalteren's adapter writes its outcome, and writes it again on a retry.
        outcome = AppealBodyOutcome(
            outcome_id=f"sf-{appeal_id}",
            forwarding_id=forwarding["forwarding_id"],
            case_id=case_id,
            outcome=BodyOutcome.QUASHED,
            decided_on=TODAY,
        )
        await _adapter_writes(running, Topic.APPEAL_OUTCOMES, outcome, case_id)
        await _adapter_writes(running, Topic.APPEAL_OUTCOMES, outcome, case_id)

        async def decided() -> dict[str, Any] | None:
            found: dict[str, Any] = (await client.get(f"{appeals}/appeals/{appeal_id}")).json()
            return found if found["status"] == "decided" else None

        appeal = await eventually(decided, timeout_s=30, what="the appeal body's outcome to be recorded")
        assert appeal["body_outcome"]["outcome"] == "quashed"

        async def reassessed() -> list[dict[str, Any]] | None:
            page = (await client.get(f"{assessment}/assessments", params={"case_id": case_id})).json()
            return page["items"] if len(page["items"]) == 2 else None

        assessments = await eventually(reassessed, timeout_s=30, what="a new assessment of the quashed case")
        assert {a["status"] for a in assessments} >= {"completed"}

        async def quashed() -> dict[str, Any] | None:
            case: dict[str, Any] = (await client.get(f"{running.services['decision'].url}/cases/{case_id}")).json()
            return case if case.get("quashed") else None

        case = await eventually(quashed, timeout_s=30, what="the decision service to show the quashed decision")
        assert case["quashed"]["decision_id"] == decision_id


async def test_a_justified_appeal_is_reversed_by_the_office_and_the_new_decision_supersedes_the_first(
    running: Platform,
) -> None:
    appeals, decision = running.services["appeals"].url, running.services["decision"].url
    async with httpx.AsyncClient(timeout=10, headers=running.token(SELBU)) as client:
        first = await _decided(running, client, date(1939, 10, 2), 302)
        case_id = first["case_id"]
        await _known_to_appeals(client, appeals, first["id"])

        registered = await client.post(f"{appeals}/appeals", json=_appeal_body(first["id"]))
        assert registered.status_code == 201, registered.text
        justified = {
            "result": "justified",
            "comments": "Fastlegens nye opplysninger viser større behov.",
            "examined_on": TODAY.isoformat(),
        }
        examined = await client.post(f"{appeals}/appeals/{registered.json()['id']}/examination", json=justified)
        assert examined.status_code == 200, examined.text
        assert examined.json()["ended"] == "reversed_by_office"

        async def awaiting_reversal() -> bool:
            case = (await client.get(f"{decision}/cases/{case_id}")).json()
            return bool(case.get("awaiting") == "reversal")

        await eventually(awaiting_reversal, timeout_s=30, what="the case awaiting the office's reversal")
        more = [{"service_code": "home_nursing", "hours_per_week": 10, "start_on": "2026-12-01"}]
        second = await client.post(
            f"{decision}/decisions", json={"case_id": case_id, "outcome": "granted", "services": more}
        )
        assert second.status_code == 201, second.text
        assert second.json()["supersedes"] == first["id"]

        case = (await client.get(f"{decision}/cases/{case_id}")).json()
        history = {d["id"]: d for d in case["decisions"]}
        assert set(history) == {first["id"], second.json()["id"]}
        assert history[first["id"]]["superseded_by"] == second.json()["id"]

        async def superseded_in_appeals() -> bool:
            found = (await client.get(f"{appeals}/decisions/{first['id']}")).json()
            return bool(found["superseded_by"] == second.json()["id"])

        await eventually(superseded_in_appeals, timeout_s=30, what="appeals to learn the superseding decision")
