"""The skeleton journey on real Kafka and PostgreSQL: intake registers, notification receipts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers import application, wait_for
from tests.platform import Platform

pytestmark = pytest.mark.infra

TOLGA = "3426"
SELBU = "5032"


def _receipts(platform: Platform, case_id: str, municipality: str = TOLGA) -> list[dict[str, Any]]:
    notification = platform.services["notification"]
    response = httpx.get(
        f"{notification.url}/notifications",
        params={"case_id": case_id},
        headers=platform.token(municipality),
        timeout=5,
    )
    response.raise_for_status()
    return [n for n in response.json() if n["kind"] == "receipt"]


def test_registered_application_gets_receipt_and_preliminary_reply_deadline(
    running: Platform, tolga_person: str
) -> None:
    intake = running.services["intake"]
    response = httpx.post(
        f"{intake.url}/applications", json=application(person=tolga_person), headers=running.token(TOLGA), timeout=10
    )
    assert response.status_code == 201, response.text
    case = response.json()
    assert case["journal_number"].startswith("2026/")

    receipts = wait_for(lambda: _receipts(running, case["case_id"]), timeout_s=15, what="the receipt")
    assert len(receipts) == 1
    assert case["journal_number"] in receipts[0]["text"]

    notification = running.services["notification"]
    deadlines = httpx.get(
        f"{notification.url}/deadlines", params={"case_id": case["case_id"]}, headers=running.token(TOLGA), timeout=5
    ).json()
    # Received Monday 2 November 2026: a month later is Wednesday 2 December, a working day.
    assert [(d["kind"], d["due_on"]) for d in deadlines] == [("preliminary_reply", "2026-12-02")]


def test_notification_trace_is_linked_to_the_intake_trace_in_the_dashboard(
    running: Platform, tolga_person: str
) -> None:
    intake = running.services["intake"]
    case = httpx.post(
        f"{intake.url}/applications", json=application(person=tolga_person), headers=running.token(TOLGA), timeout=10
    ).json()
    case_id = case["case_id"]
    wait_for(lambda: _receipts(running, case_id), timeout_s=15, what="the receipt")

    zipkin = running.servers.zipkin_url

    def traces() -> list[list[dict[str, Any]]] | None:
        found = httpx.get(
            f"{zipkin}/api/v2/traces", params={"annotationQuery": f"case.id={case_id}", "limit": 50}, timeout=5
        ).json()
        services = {span.get("localEndpoint", {}).get("serviceName") for trace in found for span in trace}
        return found if {"intake", "notification"} <= services else None

    found = wait_for(traces, timeout_s=30, interval_s=1, what="intake and notification spans in the dashboard")
    by_service: dict[str, set[str]] = {}
    consumer_spans = []
    for trace in found:
        for span in trace:
            by_service.setdefault(span["localEndpoint"]["serviceName"], set()).add(span["traceId"])
            consumed_intake = span.get("tags", {}).get("messaging.destination.name") == "intake.events.v1"
            if span["localEndpoint"]["serviceName"] == "notification" and consumed_intake:
                consumer_spans.append(span)
    assert consumer_spans, "the notification's consume span is in the dashboard"
    previous = consumer_spans[0]["tags"]["forvalt.previous_trace_id"]
    # Each step is its own trace, and the notification's one points at intake's.
    assert previous in by_service["intake"]
    assert consumer_spans[0]["traceId"] not in by_service["intake"]
    assert consumer_spans[0]["tags"]["municipality"] == TOLGA


def test_a_municipality_cannot_read_or_write_another_municipalitys_case(running: Platform, tolga_person: str) -> None:
    intake = running.services["intake"]
    case = httpx.post(
        f"{intake.url}/applications", json=application(person=tolga_person), headers=running.token(TOLGA), timeout=10
    ).json()
    case_id = case["case_id"]
    wait_for(lambda: _receipts(running, case_id), timeout_s=15, what="the receipt")

    other = running.token(SELBU)
    read = httpx.get(f"{intake.url}/applications/{case_id}", headers=other, timeout=5)
    assert read.status_code == 404
    assert case["journal_number"] not in read.text
    assert case["person_id"] not in read.text
    listed = httpx.get(f"{intake.url}/applications", params={"limit": 500}, headers=other, timeout=5).json()
    assert case_id not in {item["case_id"] for item in listed["items"]}
    write = httpx.post(
        f"{intake.url}/applications/{case_id}/withdrawal", json={"withdrawn_on": "2026-11-10"}, headers=other, timeout=5
    )
    assert write.status_code == 404
    assert _receipts(running, case_id, municipality=SELBU) == []

    mine = httpx.get(f"{intake.url}/applications/{case_id}", headers=running.token(TOLGA), timeout=5)
    assert mine.status_code == 200
    assert mine.json()["status"] == "registered"
