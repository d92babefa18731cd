"""From an application to a decision, a service order and a letter whose PDF states the appeal deadline,
across intake, assessment, decision and notification on real Kafka and PostgreSQL."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import date
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from pypdf import PdfReader

from contracts.topics import Topic
from servicekit.calendar import local_date
from tests.helpers import E2E_NOW, application, eventually, register_person, wait_for
from tests.platform import Platform

pytestmark = pytest.mark.infra

SELBU = "5032"  # the office decides alone there


async def _decision_events(bootstrap: str, case_id: str, wanted: set[str]) -> dict[str, dict[str, Any]]:
    consumer = AIOKafkaConsumer(
        Topic.DECISION,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: dict[str, dict[str, Any]] = {}
    try:
        async with asyncio.timeout(30):
            while not wanted <= set(found):
                batch = await consumer.getmany(timeout_ms=1000)
                for records in batch.values():
                    for record in records:
                        if record.key == case_id.encode():
                            event = json.loads(record.value)
                            found[event["type"]] = event
    finally:
        await consumer.stop()
    return found


async def _assess(client: httpx.AsyncClient, url: str, case_id: str) -> None:
    async def opened() -> str | None:
        page = (await client.get(f"{url}/assessments", params={"case_id": case_id})).json()
        return page["items"][0]["id"] if page["items"] else None

    assessment_id = await eventually(opened, timeout_s=30, what="the assessment opened from the application")
    base = f"{url}/assessments/{assessment_id}"
    for method, path, body in [
        ("put", "/functional-scores", {"assessed_on": "2026-11-10", "scores": {"daily_activities": 3}}),
        (
            "put",
            "/recommendation",
            {
                "services": [{"service_code": "home_nursing", "hours_per_week": 4, "start_on": "2026-12-01"}],
                "reasons": "Trenger hjelp til legemidler.",
                "proposed_outcome": "grant",
            },
        ),
        ("post", "/complete", None),
    ]:
        response = await client.request(method, base + path, json=body)
        assert response.status_code < 300, f"{path}: {response.status_code} {response.text}"


async def test_application_to_decision_service_order_and_letter_with_the_appeal_deadline(running: Platform) -> None:
    headers = running.token(SELBU)
    intake, assessment = running.services["intake"], running.services["assessment"]
    decision, notification = running.services["decision"], running.services["notification"]
    address = {"street": "Kirkevegen 7", "postcode": "7580", "city": "Selbu"}
    person_id = await asyncio.to_thread(
        register_person, intake.url, headers, date(1938, 2, 3), name="Ola Nordmann", address=address
    )

    async with httpx.AsyncClient(timeout=10, headers=headers) as client:
        created = await client.post(f"{intake.url}/applications", json=application(person=person_id))
        assert created.status_code == 201, created.text
        case_id = created.json()["case_id"]
        await _assess(client, assessment.url, case_id)

        async def awaiting_decision() -> bool:
            response = await client.get(f"{decision.url}/cases/{case_id}")
            return response.status_code == 200 and response.json()["status"] == "awaiting_decision"

        await eventually(awaiting_decision, timeout_s=30, what="the case awaiting a decision")
        made = await client.post(
            f"{decision.url}/decisions",
            json={
                "case_id": case_id,
                "outcome": "granted",
                "services": [{"service_code": "home_nursing", "hours_per_week": 4, "start_on": "2026-12-01"}],
            },
        )
        assert made.status_code in (200, 201), made.text
        letter_url = made.json()["letter_url"]

        events = await _decision_events(
            running.servers.kafka_bootstrap,
            case_id,
            {
                "no.forvalt.decision.made.v1",
                "no.forvalt.decision.service-ordered.v1",
                "no.forvalt.decision.letter-issued.v1",
            },
        )
        decided = events["no.forvalt.decision.made.v1"]["data"]
        order = events["no.forvalt.decision.service-ordered.v1"]["data"]
        assert decided["outcome"] == "granted"
        assert (order["unit"], order["service_code"], order["hours_per_week"], order["start_on"]) == (
            "home_care",
            "home_nursing",
            4,
            "2026-12-01",
        )
        deadline_on = date.fromisoformat(decided["appeal"]["deadline_on"])
        decided_on = date.fromisoformat(decided["decided_on"])
        assert decided_on == local_date(E2E_NOW), "decided today by the services' (frozen) clock"
        assert deadline_on > decided_on

        pdf = await client.get(f"{decision.url}{letter_url}")
        assert pdf.status_code == 200
        assert pdf.headers["content-type"] == "application/pdf"
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert deadline_on.strftime("%d.%m.%Y") in text
        assert "Statsforvalteren" in text
        # Addressed from intake's person register, which logged the read.
        assert "Ola Nordmann" in text
        assert "7580 Selbu" in text
        log = (await client.get(f"{intake.url}/persons/{person_id}/access-log")).json()
        assert "decision letter" in {entry["purpose"] for entry in log["items"]}

    # The decision answered the case: the preliminary-reply clock stops.
    def cancelled() -> bool:
        deadlines = httpx.get(
            f"{notification.url}/deadlines", params={"case_id": case_id}, headers=headers, timeout=5
        ).json()
        return any(d["kind"] == "preliminary_reply" and d["status"] == "cancelled" for d in deadlines)

    await asyncio.to_thread(wait_for, cancelled, timeout_s=20, what="the preliminary-reply deadline cancelled")
