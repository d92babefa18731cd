"""Services on the machine's clock: the same skeleton journey, its dates computed from the run's own today.

Every other end-to-end test runs on the shared platform, frozen at a fixed instant; this one proves that the
composition root gives a service the machine's clock when nothing freezes it, and that the law's dates follow
the day the suite actually runs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.notification.domain import preliminary_reply_due
from tests.helpers import application, register_person, today_in_norway, wait_for
from tests.infra import Servers
from tests.platform import Platform, create_databases, new_run_id

pytestmark = pytest.mark.infra

TOLGA = "3426"
SERVICES = ("intake", "notification")


@pytest.fixture(scope="module")
async def on_real_clock(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    platform = Platform(servers=servers, run_id=new_run_id(), workdir=Path(tmp_path_factory.mktemp("real-clock")))
    assert platform.frozen_at is None
    await create_databases(servers.pg_url, [f"{name}_{platform.run_id}" for name in SERVICES])
    for name in SERVICES:
        service = platform.add(name)
        # A consumer group of its own: in the shared group, the frozen platform's replicas would take some of
        # the partitions, and with them this platform's events.
        service.env[f"FORVALT_{name.upper()}_CONSUMER_GROUP"] = f"{name}-{platform.run_id}"
        # Its traces are not what this test is about; the backlog it works through would flood the dashboard.
        service.env[f"FORVALT_{name.upper()}_TELEMETRY_EXPORTER"] = "none"
        service.start()
    try:
        yield platform
    finally:
        platform.stop()


def _notes(platform: Platform, case_id: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{platform.services['notification'].url}/notifications",
        params={"case_id": case_id},
        headers=platform.token(TOLGA),
        timeout=5,
    )
    response.raise_for_status()
    notes: list[dict[str, Any]] = response.json()
    return notes


def test_an_application_received_yesterday_is_journaled_this_year_and_owes_its_reply_a_month_on(
    on_real_clock: Platform,
) -> None:
    yesterday = today_in_norway() - timedelta(days=1)
    intake = on_real_clock.services["intake"]
    headers = on_real_clock.token(TOLGA)
    person = register_person(intake.url, headers, yesterday.replace(year=yesterday.year - 80, day=1))
    before = datetime.now(UTC)

    response = httpx.post(
        f"{intake.url}/applications",
        json=application(person=person, received_on=yesterday),
        headers=headers,
        timeout=10,
    )

    assert response.status_code == 201, response.text
    case = response.json()
    assert case["journal_number"].startswith(f"{yesterday.year}/")
    # Its own consumer group starts at the topic's beginning: the receipt comes after every earlier test's events.
    # Its own consumer group starts at the topics' beginning: it works through every event the suite has written
    # before this case's, so the wait is long (bounded).
    [receipt] = wait_for(lambda: _notes(on_real_clock, case["case_id"]), timeout_s=360, what="the receipt")
    assert receipt["kind"] == "receipt"
    # Recorded on the machine's clock: no frozen instant, no clock of its own.
    recorded = datetime.fromisoformat(receipt["created_at"])
    assert before - timedelta(minutes=1) <= recorded <= datetime.now(UTC) + timedelta(minutes=1)
    deadlines = httpx.get(
        f"{on_real_clock.services['notification'].url}/deadlines",
        params={"case_id": case["case_id"]},
        headers=headers,
        timeout=5,
    ).json()
    # The frozen platform's notification sees this case on the shared topics too and announces a clock of its own
    # on deadlines.v1, which this one keeps as well: however many arrive, each is this preliminary reply.
    assert deadlines, "the preliminary-reply clock"
    assert {(d["kind"], d["due_on"]) for d in deadlines} == {
        ("preliminary_reply", preliminary_reply_due(yesterday).isoformat())
    }


def test_an_application_received_tomorrow_is_refused_by_the_run_s_own_today(on_real_clock: Platform) -> None:
    intake = on_real_clock.services["intake"]
    headers = on_real_clock.token(TOLGA)
    person = register_person(intake.url, headers, today_in_norway().replace(year=1950, day=2), individual=200)

    response = httpx.post(
        f"{intake.url}/applications",
        json=application(person=person, received_on=today_in_norway() + timedelta(days=1)),
        headers=headers,
        timeout=10,
    )

    assert response.status_code == 422, response.text
    assert response.json()["field"] == "received_on"
