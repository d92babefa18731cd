"""Real servers for cross-service tests: named by environment variables, else testcontainers when a
Docker engine answers, else started with the scripts in deploy/local/."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOCAL = REPO / "deploy" / "local"


def docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    with suppress(Exception):
        return subprocess.run(["docker", "info"], check=False, capture_output=True, timeout=10).returncode == 0
    return False


@dataclass
class Servers:
    kafka_bootstrap: str
    pg_url: str
    zipkin_url: str
    _cleanups: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for cleanup in reversed(self._cleanups):
            with suppress(Exception):
                cleanup()


def _script(name: str, action: str) -> None:
    done = subprocess.run(
        ["bash", str(LOCAL / f"{name}.sh"), action], capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"deploy/local/{name}.sh {action} failed:\n{done.stderr[-4000:]}")


def start_servers() -> Servers:
    cleanups: list[Callable[[], None]] = []
    kafka = os.environ.get("FORVALT_KAFKA_BOOTSTRAP")
    pg = os.environ.get("FORVALT_PG_URL")
    zipkin = os.environ.get("FORVALT_ZIPKIN_URL")
    use_docker = (not kafka or not pg) and docker_answers()
    if not kafka:
        if use_docker:
            from testcontainers.kafka import KafkaContainer

            container = KafkaContainer().with_kraft()
            container.start()
            cleanups.append(container.stop)
            kafka = container.get_bootstrap_server()
        else:
            _script("kafka", "start")
            cleanups.append(lambda: _script("kafka", "stop"))
            kafka = "127.0.0.1:19092"
    if not pg:
        if use_docker:
            from testcontainers.postgres import PostgresContainer

            pg_container = PostgresContainer("postgres:16", driver="asyncpg")
            pg_container.start()
            cleanups.append(pg_container.stop)
            url = pg_container.get_connection_url()
            pg = url.rsplit("/", 1)[0]
        else:
            _script("postgres", "start")
            cleanups.append(lambda: _script("postgres", "stop"))
            pg = "postgresql+asyncpg://forvalt:forvalt@127.0.0.1:55432"
    if not zipkin:
        _script("zipkin", "start")
        cleanups.append(lambda: _script("zipkin", "stop"))
        zipkin = "http://127.0.0.1:9411"
    return Servers(kafka_bootstrap=kafka, pg_url=pg, zipkin_url=zipkin, _cleanups=cleanups)
