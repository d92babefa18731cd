"""Composition root of the notification service: python -m services.notification.main"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from pydantic import EmailStr, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from contracts.topics import Topic
from servicekit.clock import clock_from
from servicekit.runtime import Parts, ServiceSpec, serve
from servicekit.settings import ServiceSettings
from services.notification.api import router
from services.notification.delivery import deliver
from services.notification.domain import MAX_DELIVERY_ATTEMPTS
from services.notification.handlers import handlers
from services.notification.mailer import SmtpMailer
from services.notification.sweeper import sweep


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FORVALT_NOTIFICATION_", extra="ignore")

    service_name: str = "notification"
    http_port: int = 8006
    sweep_interval_s: float = Field(default=60.0, gt=0, le=3600, description="how often deadlines are swept")
    # E-mail to staff (the addresses are the municipalities' configuration): off while no SMTP host is set.
    smtp_host: str | None = Field(default=None, min_length=1, description="SMTP server; none: e-mail delivery off")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_from: EmailStr | None = Field(default=None, description="the sender address of staff e-mail")
    smtp_starttls: bool = Field(default=True, description="upgrade the connection with STARTTLS")
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_s: float = Field(default=30.0, gt=0, le=300)
    delivery_interval_s: float = Field(default=30.0, gt=0, le=3600, description="how often e-mail is sent")
    delivery_max_attempts: int = Field(default=MAX_DELIVERY_ATTEMPTS, ge=1, le=20)

    @model_validator(mode="after")
    def _smtp_complete(self) -> Settings:
        if self.smtp_host is not None and self.smtp_from is None:
            raise ValueError("smtp_from: a sender address is needed when smtp_host is set")
        if (self.smtp_username is None) != (self.smtp_password is None):
            raise ValueError("smtp_username, smtp_password: give both or neither")
        return self

    def mailer(self) -> SmtpMailer | None:
        """The SMTP client of these settings; None when no server is configured (e-mail delivery off)."""
        if self.smtp_host is None or self.smtp_from is None:
            return None
        return SmtpMailer(
            host=self.smtp_host,
            port=self.smtp_port,
            from_address=self.smtp_from,
            starttls=self.smtp_starttls,
            username=self.smtp_username,
            password=None if self.smtp_password is None else self.smtp_password.get_secret_value(),
            timeout_s=self.smtp_timeout_s,
        )


async def sweep_deadlines(parts: Parts) -> int:
    """The periodic sweep: the sweeper depends on the database, the bus and the tracer only."""
    return await sweep(parts.db, parts.bus, parts.tracer)


def deliveries_job(settings: Settings) -> Callable[[Parts], Awaitable[int]]:
    """The periodic delivery of staff e-mail, with the SMTP server of `settings` (none: recorded as off)."""
    mailer = settings.mailer()

    async def deliver_pending(parts: Parts) -> int:
        return await deliver(parts.db, parts.bus, parts.tracer, mailer, max_attempts=settings.delivery_max_attempts)

    return deliver_pending


def spec(settings: Settings | None = None) -> ServiceSpec:
    """The notification service. Who must act on a case's deadlines comes from the acting municipality's
    configuration (deploy/tenants/*.yaml), which the runtime loads and each unit of work carries."""
    settings = settings or Settings()
    return ServiceSpec(
        name="notification",
        title="Forvalt notification",
        description="Receipts, deadlines and reminders for each municipality.",
        produces=[Topic.NOTIFICATION, Topic.DEADLINES],
        feeds=True,
        migrations_dir=Path(__file__).parent / "migrations",
        routers=[router],
        handlers=handlers,
        periodic=[
            (settings.sweep_interval_s, sweep_deadlines),
            (settings.delivery_interval_s, deliveries_job(settings)),
        ],
    )


def main() -> None:
    settings = Settings()
    serve(spec(settings), settings, clock=clock_from(settings))


if __name__ == "__main__":
    main()
