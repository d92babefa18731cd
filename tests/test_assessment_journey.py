"""An application registered in intake opens an assessment, which is completed through the API, and
AssessmentCompleted with the recommendation reaches the topic: real Kafka and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from contracts.topics import Topic
from tests.helpers import application, wait_for
from tests.platform import Platform

pytestmark = pytest.mark.infra

TOLGA = "3426"


async def _completed_events(bootstrap: str, case_id: str) -> list[dict[str, Any]]:
    consumer = AIOKafkaConsumer(
        Topic.ASSESSMENT,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[dict[str, Any]] = []
    try:
        async with asyncio.timeout(20):
            while not any(e["type"] == "no.forvalt.assessment.completed.v1" for e in found):
                batch = await consumer.getmany(timeout_ms=1000)
                for records in batch.values():
                    found += [json.loads(r.value) for r in records if r.key == case_id.encode()]
    finally:
        await consumer.stop()
    return found


async def test_registered_application_is_assessed_and_the_recommendation_reaches_the_topic(
    running: Platform, tolga_person: str
) -> None:
    intake = running.services["intake"]
    assessment = running.services["assessment"]
    headers = running.token(TOLGA)
    person_id = tolga_person
    async with httpx.AsyncClient(timeout=10) as client:
        created = await client.post(f"{intake.url}/applications", json=application(person=person_id), headers=headers)
    assert created.status_code == 201, created.text
    case_id = created.json()["case_id"]

    def opened() -> list[dict[str, Any]]:
        page = httpx.get(f"{assessment.url}/assessments", params={"case_id": case_id}, headers=headers, timeout=5)
        items: list[dict[str, Any]] = page.json()["items"]
        return items

    [found] = await asyncio.to_thread(wait_for, opened, timeout_s=20, what="the assessment opened from the application")
    base = f"{assessment.url}/assessments/{found['id']}"
    steps = [
        ("post", "/assignment", {"assignee_kind": "unit", "assignee": "home_care"}),
        (
            "put",
            "/functional-scores",
            {"assessed_on": "2026-11-10", "scores": {"daily_activities": 3, "own_health": 4}},
        ),
        (
            "put",
            "/recommendation",
            {
                "services": [{"service_code": "home_nursing", "hours_per_week": 3.5, "start_on": "2026-11-16"}],
                "reasons": "Behov for hjelp med legemidler morgen og kveld.",
                "proposed_outcome": "grant",
            },
        ),
        ("post", "/complete", None),
    ]
    async with httpx.AsyncClient(timeout=10) as client:
        for method, path, body in steps:
            response = await client.request(method, base + path, json=body, headers=headers)
            assert response.status_code < 300, f"{path}: {response.status_code} {response.text}"

    events = await _completed_events(running.servers.kafka_bootstrap, case_id)
    types = [e["type"] for e in events]
    assert types[0] == "no.forvalt.assessment.opened.v1"
    [completed] = [e for e in events if e["type"] == "no.forvalt.assessment.completed.v1"]
    assert completed["municipality"] == TOLGA
    recommendation = completed["data"]["recommendation"]
    assert recommendation["proposed_outcome"] == "grant"
    assert recommendation["services"] == [
        {"service_code": "home_nursing", "hours_per_week": 3.5, "start_on": "2026-11-16", "end_on": None}
    ]
    assert any("3-2" in basis for basis in recommendation["legal_basis"])
    # Free-text health information never travels on a topic.
    assert not any("legemidler" in json.dumps(e) for e in events)
