"""A database error's parameters and detail (identity numbers, names) reach no log, span or dead-letter header."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from contracts.envelope import CloudEvent
from contracts.intake import ApplicationRegistered
from contracts.tests.examples import registered_event
from servicekit.consumer import DeadLetter, EventConsumer, EventHandlers, IncomingMessage, Outcome, RetryPolicy
from servicekit.db import Database, UnitOfWork
from servicekit.redact import describe_error, is_database_error, redacted_traceback
from servicekit.telemetry import Telemetry, redact_log_records
from servicekit.tests.support import note

NIN = "01018512345"
NAME = "Kari Nordmann"


def postgres_like_error() -> IntegrityError:
    """What PostgreSQL tells of a duplicate key: the statement, the parameters, and the row in its detail."""
    orig = sqlite3.IntegrityError(f"duplicate key value violates unique constraint\nDETAIL:  Key (nin)=({NIN}) exists.")
    orig.sqlite_errorname = "SQLITE_CONSTRAINT_UNIQUE"
    try:
        try:
            raise orig
        except sqlite3.IntegrityError as driver_error:
            raise IntegrityError("INSERT INTO person (nin, name) VALUES (?, ?)", (NIN, NAME), driver_error) from None
    except IntegrityError as exc:
        return exc


def told_nowhere(text: str) -> None:
    assert NIN not in text
    assert NAME not in text


def spans_text(telemetry: Telemetry) -> str:
    assert telemetry.memory is not None
    told = []
    for span in telemetry.memory.get_finished_spans():
        told.append(f"{span.name} {span.status.description} {dict(span.attributes or {})}")
        told.extend(f"{e.name} {dict(e.attributes or {})}" for e in span.events)
    return "\n".join(told)


async def test_a_forced_database_error_leaks_its_parameters_to_no_log_span_or_dead_letter(
    db: Database, telemetry: Telemetry, caplog: pytest.LogCaptureFixture
) -> None:
    telemetry.trace_engine(db.engine.sync_engine)

    async def insert_twice(event: CloudEvent[Any], uow: UnitOfWork) -> None:
        await uow.session.execute(note.insert().values(id=NIN, text=NAME))
        await uow.session.execute(note.insert().values(id=NIN, text=NAME))

    handlers = EventHandlers()
    handlers.on(ApplicationRegistered)(insert_twice)
    letters: list[DeadLetter] = []

    async def keep(letter: DeadLetter) -> None:
        letters.append(letter)

    async def no_sleep(_: float) -> None:
        return None

    consumer = EventConsumer(
        name="test-consumer",
        handlers=handlers,
        db=db,
        policy=RetryPolicy(max_attempts=2),
        dead_letter=keep,
        tracer=telemetry.tracer,
        sleep=no_sleep,
    )
    message = IncomingMessage(
        topic="intake.events.v1", partition=0, offset=1, key="case-1", value=registered_event().to_json()
    )
    caplog.set_level(logging.DEBUG)

    assert await consumer.process(message) is Outcome.DEAD_LETTERED

    (letter,) = letters
    assert letter.error_type == "IntegrityError"
    assert letter.reason == "IntegrityError (sqlite3.IntegrityError, SQLSTATE SQLITE_CONSTRAINT_PRIMARYKEY)"
    told_nowhere(str(letter.headers()))
    assert "IntegrityError" in caplog.text
    told_nowhere(caplog.text)
    sql_errors = [s for s in telemetry.memory.get_finished_spans() if s.status.description] if telemetry.memory else []
    assert any(s.attributes and s.attributes.get("error.type") == "IntegrityError" for s in sql_errors)
    told_nowhere(spans_text(telemetry))


def test_a_database_error_is_described_by_its_type_and_sqlstate_only() -> None:
    exc = postgres_like_error()

    assert is_database_error(exc)
    assert describe_error(exc) == "IntegrityError (sqlite3.IntegrityError, SQLSTATE SQLITE_CONSTRAINT_UNIQUE)"


def test_an_error_raised_from_a_database_error_is_described_without_its_message() -> None:
    try:
        try:
            raise postgres_like_error()
        except IntegrityError as exc:
            raise RuntimeError(f"could not save: {exc}") from exc
    except RuntimeError as outer:
        told = describe_error(outer)

    told_nowhere(told)
    assert told.startswith("RuntimeError (sqlalchemy.exc.IntegrityError")


def test_another_error_is_described_by_its_message() -> None:
    assert describe_error(ValueError("offset must be at least 0")) == "ValueError: offset must be at least 0"
    assert not is_database_error(ValueError("x"))


def test_a_database_error_without_a_code_is_described_by_its_type() -> None:
    exc = OperationalError("SELECT 1", (NIN,), ConnectionRefusedError("refused"))

    assert describe_error(exc) == "OperationalError (ConnectionRefusedError)"


def test_a_redacted_traceback_keeps_where_the_error_happened_and_drops_what_it_said() -> None:
    exc = postgres_like_error()

    told = redacted_traceback(exc)

    told_nowhere(told)
    assert "postgres_like_error" in told
    assert "IntegrityError" in told


def test_a_span_tells_a_database_error_by_its_type_only(telemetry: Telemetry) -> None:
    with pytest.raises(IntegrityError), telemetry.tracer.start_as_current_span("POST /persons"):
        raise postgres_like_error()

    text = spans_text(telemetry)
    told_nowhere(text)
    assert "sqlalchemy.exc.IntegrityError" in text
    assert "postgres_like_error" in text  # where it happened is kept


def test_a_span_keeps_the_message_of_another_error(telemetry: Telemetry) -> None:
    with pytest.raises(ValueError, match="offset"), telemetry.tracer.start_as_current_span("POST /persons"):
        raise ValueError("offset must be at least 0")

    assert "offset must be at least 0" in spans_text(telemetry)


def test_a_logged_database_error_is_told_by_its_type(caplog: pytest.LogCaptureFixture) -> None:
    redact_log_records()
    log = logging.getLogger("servicekit.tests.redact")
    exc = postgres_like_error()

    with caplog.at_level(logging.INFO):
        try:
            raise exc
        except IntegrityError:
            log.exception("saving failed")
        log.warning("attempt failed (%s)", exc)

    told_nowhere(caplog.text)
    assert "IntegrityError" in caplog.text
    assert "saving failed" in caplog.text


async def test_the_database_keeps_parameters_out_of_its_errors(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(note.insert().values(id=NIN, text=NAME))
        with pytest.raises(IntegrityError) as raised:
            await conn.execute(note.insert().values(id=NIN, text=NAME))

    told_nowhere(str(raised.value))
