"""Helpers for intake's tests: valid national identity numbers, Tolga's tokens, bodies, the tables a case writes.

What every service's tests share (apps, tokens, the outbox, row counts, problems) is in `servicekit.testing`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from servicekit import testing
from servicekit.db import OUTBOX
from servicekit.testing import count, runtime_of
from services.intake import db as intake_db

PROBLEM = "application/problem+json"
# When the tests' requests arrive: Monday 23 November 2026, 10:30 in Norway. The app's clock stands here.
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
TODAY = date(2026, 11, 23)
TOLGA, SELBU, HOLTALEN = "3426", "5032", "5026"

# Written out from the rules rather than imported, so the tests do not check the code against itself.
_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check(digits: str, weights: tuple[int, ...]) -> int | None:
    k = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return {11: 0, 10: None}.get(k, k)


def with_check_digits(nine: str) -> str | None:
    """The 11-digit number that starts with these nine digits, or None when no check digit exists."""
    k1 = _check(nine, _K1)
    if k1 is None:
        return None
    k2 = _check(nine + str(k1), _K2)
    return None if k2 is None else f"{nine}{k1}{k2}"


def individual_numbers(year: int) -> range:
    """The individual numbers that place a birth in `year`'s century."""
    if 1854 <= year <= 1899:
        return range(500, 750)
    if 1900 <= year <= 1999:
        return range(0, 500)
    if 2000 <= year <= 2039:
        return range(500, 1000)
    raise ValueError(f"no individual numbers for {year}")


def national_id(birth: date, *, dnr: bool = False, start: int = 0) -> str:
    """A valid fødselsnummer (or D-number) for someone born on `birth`."""
    day = birth.day + (40 if dnr else 0)
    numbers = list(individual_numbers(birth.year))
    for individual in numbers[start:] + numbers[:start]:
        number = with_check_digits(f"{day:02d}{birth.month:02d}{birth.year % 100:02d}{individual:03d}")
        if number is not None:
            return number
    raise AssertionError("unreachable: every birth date has individual numbers with check digits")


def auth(
    app: FastAPI,
    municipality: str = TOLGA,
    roles: Sequence[str] = ("caseworker",),
    *,
    unit: str | None = None,
    subject: str = "kari",
) -> dict[str, str]:
    """`servicekit.testing.auth`, for Tolga unless told otherwise."""
    return testing.auth(app, municipality, roles, unit=unit, subject=subject)


async def register_person(
    client: httpx.AsyncClient, app: FastAPI, birth: date = date(1950, 6, 1), municipality: str = TOLGA, **kw: Any
) -> str:
    response = await client.post(
        "/persons", json={"national_id": national_id(birth, **kw)}, headers=auth(app, municipality)
    )
    assert response.status_code in (200, 201), response.text
    person_id: str = response.json()["person_id"]
    return person_id


CONSENT = {"form": "written", "given_by": "person", "scope": ["processing"]}


def application_body(person_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "person_id": person_id,
        "channel": "digital_form",
        "sender": "applicant",
        "service_code": "home_nursing",
        "received_on": "2026-03-02",
        "consent": CONSENT,
    }
    body.update(overrides)
    return body


def referral_body(person_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "person_id": person_id,
        "channel": "hospital_message",
        "sender": "hospital",
        "requested": ["coordinator", "individual_plan"],
        "received_on": "2026-03-02",
        "consent": {"form": "oral", "given_by": "person", "scope": ["processing"]},
    }
    body.update(overrides)
    return body


async def outbox_rows(app: FastAPI) -> list[Any]:
    """The raw outbox rows (topic, key, headers, payload text), for what no parsed event shows: leaks."""
    async with runtime_of(app).db.engine.connect() as conn:
        return list((await conn.execute(select(OUTBOX).order_by(OUTBOX.c.id))).all())


CASE_TABLES = (
    intake_db.application,
    intake_db.journal_counter,
    intake_db.consent_event,
    intake_db.emergency_measure,
    OUTBOX,
)


async def case_rows(app: FastAPI) -> dict[str, int]:
    """Rows of every table a case registration writes: all zero means nothing was written."""
    return {table.name: await count(app, table) for table in CASE_TABLES}


NOTHING = {table.name: 0 for table in CASE_TABLES}
