"""Per-service settings from the environment: `FORVALT_<SERVICE>_X` overrides the shared `FORVALT_X`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import AwareDatetime, Field, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

DEV_JWT_SECRET = "development-only-secret-change-me-0123456789"
REPO_ROOT = Path(__file__).resolve().parent.parent


class ServiceSettings(BaseSettings):
    """Settings every service shares. A service subclasses it and sets `env_prefix`."""

    model_config = SettingsConfigDict(env_prefix="FORVALT_", extra="ignore")

    service_name: str = "service"
    environment: Literal["development", "test", "production"] = "development"

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)

    database_url: str = ""
    migrate_on_start: bool = True

    kafka_bootstrap: str = "127.0.0.1:19092"
    consumer_group: str = ""
    topic_partitions: int = Field(default=3, ge=1, le=1000)
    topic_replication_factor: int = Field(default=1, ge=1, le=10)
    consumer_max_attempts: int = Field(default=5, ge=1, le=50)
    consumer_backoff_initial_s: float = Field(default=0.2, gt=0)
    consumer_backoff_max_s: float = Field(default=5.0, gt=0)
    # Deliveries of one message that fails for a transient cause (the database away) before it is dead-lettered
    # with an alert: generous, so a database restart dead-letters nothing.
    consumer_max_redeliveries: int = Field(default=50, ge=1, le=100_000)
    relay_poll_interval_s: float = Field(default=0.5, gt=0)
    relay_batch_size: int = Field(default=100, ge=1, le=10_000)
    # An event whose message would exceed this is refused when emitted: below the broker's 1 MiB request size.
    outbox_max_event_bytes: int = Field(default=900 * 1024, ge=1024, le=100 * 1024 * 1024)
    # Sent outbox rows, inbox records and idempotency keys older than these are pruned every `prune_interval_s`.
    outbox_retention: timedelta = Field(default=timedelta(days=7), gt=timedelta(0))
    inbox_retention: timedelta = Field(default=timedelta(days=30), gt=timedelta(0))
    idempotency_retention: timedelta = Field(default=timedelta(hours=24), gt=timedelta(0))
    prune_interval_s: float = Field(default=3600.0, gt=0)

    # The largest request body a route reads; a larger one is answered 413 before it is read.
    max_request_body_bytes: int = Field(default=256 * 1024, ge=1024, le=64 * 1024 * 1024)

    jwt_secret: str = DEV_JWT_SECRET
    jwt_issuer: str = "forvalt"
    jwt_audience: str = "forvalt"

    telemetry_exporter: Literal["none", "console", "zipkin", "otlp", "memory"] = "none"
    zipkin_url: str = "http://127.0.0.1:9411"
    otlp_endpoint: str = "http://127.0.0.1:4318"

    # Test servers only: the service's clock stands at this instant (ISO 8601 with a zone), so an end-to-end
    # test means the same on every day it runs. Refused outside environment=test.
    clock_frozen_at: AwareDatetime | None = None

    tenants_dir: Path = REPO_ROOT / "deploy" / "tenants"
    data_dir: Path = REPO_ROOT / ".run" / "data"

    @model_validator(mode="after")
    def _check(self) -> ServiceSettings:
        if self.environment == "production" and self.jwt_secret == DEV_JWT_SECRET:
            raise ValueError("jwt_secret: the development secret is refused in production; set a real one")
        if self.clock_frozen_at is not None and self.environment != "test":
            raise ValueError(
                f"clock_frozen_at: a frozen clock is for test servers only; refused with environment={self.environment}"
            )
        if len(self.jwt_secret) < 32:
            raise ValueError("jwt_secret: must be at least 32 characters")
        if not self.consumer_group:
            self.consumer_group = self.service_name
        return self

    @property
    def effective_database_url(self) -> str:
        """The configured database, else the embedded SQLite file of this service."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / (self.service_name + '.db')}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The service's own prefix wins; the shared FORVALT_ prefix fills in the rest.
        shared = EnvSettingsSource(settings_cls, env_prefix="FORVALT_")
        return (init_settings, env_settings, shared, file_secret_settings)
