"""E-mail over SMTP: one message per claimed delivery, sent with the server the service's settings name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol

import aiosmtplib


class DeliveryError(Exception):
    """The server refused the message or could not be reached: the attempt failed and is tried again later."""


@dataclass(frozen=True)
class Mail:
    """One attempt's message: its delivery and attempt name it (Message-ID), `at` is the service's clock."""

    delivery_id: str
    attempt: int
    to: str
    subject: str
    body: str
    at: datetime


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None:
        """Hand the message to the server; DeliveryError when it is refused or the server cannot be reached."""


@dataclass(frozen=True)
class SmtpMailer:
    """Sends through one SMTP server: STARTTLS when `starttls`, logging in when credentials are given."""

    host: str
    port: int
    from_address: str
    starttls: bool = True
    username: str | None = None
    password: str | None = None
    timeout_s: float = 30.0

    def message(self, mail: Mail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.from_address
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Date"] = format_datetime(mail.at)
        domain = self.from_address.rpartition("@")[2]
        message["Message-ID"] = f"<{mail.delivery_id}.{mail.attempt}@{domain}>"
        message.set_content(mail.body)
        return message

    async def send(self, mail: Mail) -> None:
        try:
            await aiosmtplib.send(
                self.message(mail),
                hostname=self.host,
                port=self.port,
                start_tls=self.starttls,
                username=self.username,
                password=self.password,
                timeout=self.timeout_s,
            )
        except aiosmtplib.SMTPResponseException as exc:  # the server answered, and refused
            raise DeliveryError(f"{type(exc).__name__}: {exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:  # no answer: unreachable, timed out, TLS failed
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
