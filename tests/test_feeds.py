"""Each municipality's other systems follow its cases on tenant.<N>.events.v1, and see no other municipality's."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from contracts.topics import tenant_topic
from tests.helpers import application, register_person
from tests.platform import Platform

pytestmark = pytest.mark.infra

TOLGA, SELBU = "3426", "5032"


async def _feed(bootstrap: str, municipality: str, until: set[str], case_id: str) -> list[dict[str, Any]]:
    consumer = AIOKafkaConsumer(
        tenant_topic(municipality),
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[dict[str, Any]] = []
    try:
        async with asyncio.timeout(30):
            while not until <= {e["type"] for e in found if e["subject"] == case_id}:
                batch = await consumer.getmany(timeout_ms=1000)
                for records in batch.values():
                    found += [json.loads(r.value) for r in records]
    finally:
        await consumer.stop()
    return found


async def test_a_case_appears_on_its_municipalitys_feed_and_not_on_anothers(
    running: Platform, tolga_person: str
) -> None:
    intake = running.services["intake"]
    selbu_person = await asyncio.to_thread(register_person, intake.url, running.token(SELBU), date(1950, 1, 2))
    async with httpx.AsyncClient(timeout=10) as client:
        tolga_case = (
            await client.post(
                f"{intake.url}/applications", json=application(person=tolga_person), headers=running.token(TOLGA)
            )
        ).json()["case_id"]
        selbu_case = (
            await client.post(
                f"{intake.url}/applications", json=application(person=selbu_person), headers=running.token(SELBU)
            )
        ).json()["case_id"]

    wanted = {
        "no.forvalt.intake.application-registered.v1",
        "no.forvalt.assessment.opened.v1",
        "no.forvalt.deadline.scheduled.v1",
    }
    tolga_feed = await _feed(running.servers.kafka_bootstrap, TOLGA, wanted, tolga_case)
    selbu_feed = await _feed(running.servers.kafka_bootstrap, SELBU, wanted, selbu_case)

    assert {e["municipality"] for e in tolga_feed} == {TOLGA}
    assert {e["municipality"] for e in selbu_feed} == {SELBU}
    assert selbu_case not in {e["subject"] for e in tolga_feed}
    registered = [e for e in tolga_feed if e["subject"] == tolga_case and e["type"] in wanted]
    assert {e["type"] for e in registered} == wanted
