"""Fixtures every test directory may use: real servers for tests marked `infra`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

import pytest

from tests.infra import Servers, start_servers
from tests.platform import create_databases, new_run_id


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    """Kafka, PostgreSQL and Zipkin: named by environment, else testcontainers, else deploy/local."""
    found = start_servers()
    try:
        yield found
    finally:
        found.close()


@pytest.fixture
async def postgres_url(servers: Servers) -> Callable[[str], Awaitable[str]]:
    """A factory of fresh, empty PostgreSQL databases: `url = await postgres_url("intake")`."""

    async def create(prefix: str) -> str:
        name = f"{prefix}_{new_run_id()}"
        await create_databases(servers.pg_url, [name])
        return f"{servers.pg_url}/{name}"

    return create
