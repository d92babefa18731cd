"""Intake rules: what a valid application is, and how journal numbers read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contracts.intake import Channel, Consent, ConsentScope, Sender
from servicekit.errors import Conflict, DomainError
from servicekit.tenants import Tenant


@dataclass(frozen=True)
class RegisterApplication:
    municipality: str
    person_id: str
    channel: Channel
    sender: Sender
    service_code: str
    received_on: date
    consent: Consent


def check_application(cmd: RegisterApplication, tenant: Tenant, today: date) -> None:
    """Raise a DomainError naming the field and rule an application breaks."""
    if tenant.service(cmd.service_code) is None:
        known = ", ".join(s.code for s in tenant.services)
        raise DomainError(
            f"service_code '{cmd.service_code}' is not in {tenant.name}'s service catalogue (known: {known})",
            field="service_code",
        )
    if cmd.received_on > today:
        raise DomainError("received_on cannot be in the future", field="received_on")
    if ConsentScope.PROCESSING not in cmd.consent.scope:
        raise DomainError("consent.scope must include 'processing' to register a case", field="consent.scope")


def journal_number(year: int, sequence: int) -> str:
    """The journal number as caseworkers write it: year/sequence, unique per municipality and year."""
    return f"{year}/{sequence:06d}"


def withdraw(status: str, withdrawn_on: date, received_on: date) -> None:
    """A registered application may be withdrawn once, not before it was received."""
    if status == "withdrawn":
        raise Conflict("the application is already withdrawn", field="status")
    if withdrawn_on < received_on:
        raise DomainError("withdrawn_on cannot be before received_on", field="withdrawn_on")
