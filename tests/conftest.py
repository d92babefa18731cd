"""Fixtures for cross-service tests on real Kafka, PostgreSQL and the trace dashboard."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.helpers import E2E_NOW, register_person
from tests.infra import Servers
from tests.platform import Platform, create_databases, new_run_id

SERVICES = ["intake", "assessment", "decision", "coordination", "appeals", "notification"]


@pytest.fixture(scope="session")
async def platform(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Platform:
    run_id = new_run_id()
    workdir: Path = tmp_path_factory.mktemp("platform")
    await create_databases(servers.pg_url, [f"{name}_{run_id}" for name in SERVICES])
    # Frozen, so that the dates these tests write out mean the same on every day they run (tests/helpers.py).
    return Platform(servers=servers, run_id=run_id, workdir=workdir, frozen_at=E2E_NOW)


@pytest.fixture(scope="session")
def running(platform: Platform) -> Iterator[Platform]:
    """Intake, assessment, decision and notification running as processes on a clock frozen at E2E_NOW, ready."""
    for name in SERVICES:
        platform.add(name).start()
    try:
        yield platform
    finally:
        platform.stop()
        for proc in platform.services.values():
            log = proc.log_path.read_text(errors="replace")[-3000:]
            print(f"--- last lines of {proc.name}'s log ---\n{log}")


@pytest.fixture(scope="session")
def tolga_person(running: Platform) -> str:
    """A person registered in Tolga's person register (3426), born 1941."""
    return register_person(running.services["intake"].url, running.token("3426"), date(1941, 5, 12))
