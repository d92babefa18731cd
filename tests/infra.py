"""Real servers for cross-service tests: named by environment variables, else testcontainers when a
Docker engine answers, else started with the scripts in deploy/local/ (and stopped only if started here)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOCAL = REPO / "deploy" / "local"

Cleanup = Callable[[], None]


def _nothing() -> None:
    return None


def docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    with suppress(Exception):
        return subprocess.run(["docker", "info"], check=False, capture_output=True, timeout=10).returncode == 0
    return False


def _script(name: str, action: str) -> bool:
    done = subprocess.run(
        ["bash", str(LOCAL / f"{name}.sh"), action], capture_output=True, text=True, timeout=600, check=False
    )
    if action == "status":
        return done.returncode == 0
    if done.returncode != 0:
        raise RuntimeError(f"deploy/local/{name}.sh {action} failed:\n{done.stderr[-4000:]}")
    return True


def _local(name: str) -> Cleanup:
    """Start a local server unless it runs already; the cleanup stops it only if we started it."""
    if _script(name, "status"):
        return _nothing
    _script(name, "start")

    def stop() -> None:
        _script(name, "stop")

    return stop


def kafka() -> tuple[str, Cleanup]:
    if bootstrap := os.environ.get("FORVALT_KAFKA_BOOTSTRAP"):
        return bootstrap, _nothing
    if docker_answers():
        from testcontainers.kafka import KafkaContainer

        container = KafkaContainer().with_kraft()
        container.start()
        return container.get_bootstrap_server(), container.stop
    return f"127.0.0.1:{os.environ.get('KAFKA_PORT', '19092')}", _local("kafka")


def postgres() -> tuple[str, Cleanup]:
    """A server URL without a database name; tests create their own databases."""
    if url := os.environ.get("FORVALT_PG_URL"):
        return url.rstrip("/"), _nothing
    if docker_answers():
        from testcontainers.postgres import PostgresContainer

        container = PostgresContainer("postgres:16", driver="asyncpg")
        container.start()
        return container.get_connection_url().rsplit("/", 1)[0], container.stop
    return f"postgresql+asyncpg://forvalt:forvalt@127.0.0.1:{os.environ.get('PG_PORT', '55432')}", _local("postgres")


def zipkin() -> tuple[str, Cleanup]:
    if url := os.environ.get("FORVALT_ZIPKIN_URL"):
        return url, _nothing
    return f"http://127.0.0.1:{os.environ.get('ZIPKIN_PORT', '9411')}", _local("zipkin")


@dataclass
class Servers:
    kafka_bootstrap: str
    pg_url: str
    zipkin_url: str
