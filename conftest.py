"""Fixtures every test directory may use: real servers for tests marked `infra`, each started on demand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

import pytest
from hypothesis import settings

from tests import infra
from tests.platform import create_databases, new_run_id

# Property tests judge correctness, not speed: a busy 2-core CI machine must not fail them on time.
settings.register_profile("forvalt", deadline=None)
settings.load_profile("forvalt")


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    bootstrap, cleanup = infra.kafka()
    yield bootstrap
    cleanup()


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    url, cleanup = infra.postgres()
    yield url
    cleanup()


@pytest.fixture(scope="session")
def zipkin_url() -> Iterator[str]:
    url, cleanup = infra.zipkin()
    yield url
    cleanup()


@pytest.fixture(scope="session")
def servers(kafka_bootstrap: str, pg_server_url: str, zipkin_url: str) -> infra.Servers:
    """Kafka, PostgreSQL and Zipkin: named by environment, else testcontainers, else deploy/local."""
    return infra.Servers(kafka_bootstrap=kafka_bootstrap, pg_url=pg_server_url, zipkin_url=zipkin_url)


@pytest.fixture
def postgres_url(pg_server_url: str) -> Callable[[str], Awaitable[str]]:
    """A factory of fresh, empty PostgreSQL databases: `url = await postgres_url("intake")`."""

    async def create(prefix: str) -> str:
        name = f"{prefix}_{new_run_id()}"
        await create_databases(pg_server_url, [name])
        return f"{pg_server_url}/{name}"

    return create
