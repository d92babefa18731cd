"""Poison messages on intake.events.v1 end in the dead-letter topic, and the partition moves on."""

from __future__ import annotations

import asyncio
import importlib
import json
import uuid
from datetime import date

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

from contracts.envelope import CloudEvent
from contracts.intake import ApplicationRegistered, Channel, Consent, ConsentForm, ConsentGiver, ConsentScope, Sender
from contracts.tests.examples import EXAMPLE_TIME
from contracts.topics import Topic, dead_letter_topic
from tests.helpers import wait_for
from tests.platform import Platform

pytestmark = pytest.mark.infra

TOLGA = "3426"


def _valid_event(case_id: str) -> bytes:
    data = ApplicationRegistered(
        case_id=case_id,
        journal_number="2026/999999",
        person_id="p-poison",
        channel=Channel.LETTER,
        sender=Sender.RELATIVE,
        service_code="home_nursing",
        received_on=date(2026, 11, 2),
        consent=Consent(form=ConsentForm.ORAL, given_by=ConsentGiver.PERSON, scope=[ConsentScope.PROCESSING]),
    )
    return CloudEvent.wrap(data, source="/tests", subject=case_id, municipality=TOLGA, time=EXAMPLE_TIME).to_json()


async def test_malformed_and_schema_invalid_messages_are_dead_lettered_and_the_next_is_processed(
    running: Platform,
) -> None:
    # One key for all three, so they share a partition and the valid one comes after the poison.
    case_id = str(uuid.uuid4())
    schema_invalid = json.loads(_valid_event(case_id))
    schema_invalid["id"] = str(uuid.uuid4())
    del schema_invalid["data"]["person_id"]
    schema_invalid["data"]["channel"] = "carrier_pigeon"

    producer = AIOKafkaProducer(bootstrap_servers=running.servers.kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        key = case_id.encode()
        await producer.send_and_wait(Topic.INTAKE, b"{this is not json", key=key)
        await producer.send_and_wait(Topic.INTAKE, json.dumps(schema_invalid).encode(), key=key)
        await producer.send_and_wait(Topic.INTAKE, _valid_event(case_id), key=key)
    finally:
        await producer.stop()

    notification = running.services["notification"]

    def receipt() -> list[dict[str, object]]:
        found: list[dict[str, object]] = httpx.get(
            f"{notification.url}/notifications", params={"case_id": case_id}, headers=running.token(TOLGA), timeout=5
        ).json()
        return found

    await asyncio.to_thread(wait_for, receipt, timeout_s=20, what="the valid message after the poison")

    consumer = AIOKafkaConsumer(
        dead_letter_topic(Topic.INTAKE),
        bootstrap_servers=running.servers.kafka_bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    # Every running consumer of the event's type dead-letters the poison for itself (a consumer of other types
    # on the topic dead-letters only what is not an event at all).
    consumers = {
        name
        for name in running.services
        if ApplicationRegistered.event_type in importlib.import_module(f"services.{name}.main").spec().handlers.types
    }
    assert {"notification", "assessment"} <= consumers
    letters: dict[str, list[ConsumerRecord[bytes, bytes]]] = {name: [] for name in consumers}
    try:
        async with asyncio.timeout(20):
            while any(len(found) < 2 for found in letters.values()):
                batch = await consumer.getmany(timeout_ms=1000)
                for records in batch.values():
                    for record in records:
                        consumer_name = dict(record.headers)["x-dlq-consumer"].decode()
                        if record.key == key and consumer_name in letters:
                            letters[consumer_name].append(record)
    finally:
        await consumer.stop()

    for name in consumers:
        malformed, invalid = letters[name]
        assert malformed.value == b"{this is not json"
        malformed_reason = dict(malformed.headers)["x-dlq-reason"].decode()
        invalid_reason = dict(invalid.headers)["x-dlq-reason"].decode()
        assert "invalid envelope" in malformed_reason
        assert "person_id" in invalid_reason
        assert "channel" in invalid_reason
        assert dict(malformed.headers)["x-dlq-original-topic"] == Topic.INTAKE.encode()
