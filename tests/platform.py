"""Runs Forvalt services as real processes against real Kafka and PostgreSQL, for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import asyncpg
import httpx

from servicekit.auth import TokenVerifier
from servicekit.settings import DEV_JWT_SECRET
from tests.infra import REPO, Servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait_s: float = 90.0) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"services.{self.name}.main"],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} not ready after {wait_s}s; see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing; what was not committed is lost."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Platform:
    """Services as processes on real servers. With `frozen_at`, every service's clock stands at that instant
    (the test-only setting FORVALT_CLOCK_FROZEN_AT, refused outside environment=test); without it, they run on
    the machine's clock and a test must compute its dates from the run's own today."""

    servers: Servers
    run_id: str
    workdir: Path
    frozen_at: datetime | None = None
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    verifier: TokenVerifier = field(
        default_factory=lambda: TokenVerifier(DEV_JWT_SECRET, issuer="forvalt", audience="forvalt")
    )

    def token(self, municipality: str, *roles: str) -> dict[str, str]:
        token = self.verifier.issue(municipality=municipality, roles=list(roles or ("caseworker",)))
        return {"Authorization": f"Bearer {token}"}

    def database_url(self, service: str) -> str:
        return f"{self.servers.pg_url}/{service}_{self.run_id}"

    def add(self, name: str) -> ServiceProcess:
        env = {
            **os.environ,
            "FORVALT_ENVIRONMENT": "test",
            "FORVALT_KAFKA_BOOTSTRAP": self.servers.kafka_bootstrap,
            "FORVALT_TELEMETRY_EXPORTER": "zipkin",
            "FORVALT_ZIPKIN_URL": self.servers.zipkin_url,
            f"FORVALT_{name.upper()}_DATABASE_URL": self.database_url(name),
            "FORVALT_CONSUMER_BACKOFF_INITIAL_S": "0.05",
        }
        env.pop("FORVALT_CLOCK_FROZEN_AT", None)
        if self.frozen_at is not None:
            env["FORVALT_CLOCK_FROZEN_AT"] = self.frozen_at.isoformat()
        if "intake" in self.services:
            # Services that address letters ask intake's person register.
            env["FORVALT_DECISION_INTAKE_URL"] = self.services["intake"].url
        port = free_port()
        env[f"FORVALT_{name.upper()}_HTTP_PORT"] = str(port)
        proc = ServiceProcess(name=name, port=port, env=env, log_path=self.workdir / f"{name}.log")
        self.services[name] = proc
        return proc

    def stop(self) -> None:
        for proc in self.services.values():
            proc.stop()


async def create_databases(pg_url: str, names: list[str]) -> None:
    dsn = pg_url.replace("postgresql+asyncpg://", "postgresql://") + "/postgres"
    conn = await asyncpg.connect(dsn)
    try:
        for name in names:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def new_run_id() -> str:
    return uuid.uuid4().hex[:10]
