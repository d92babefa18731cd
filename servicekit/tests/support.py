"""Helpers shared by servicekit tests."""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry.trace import SpanContext
from sqlalchemy import Column, String, Table, func, select

from servicekit.db import Database, new_metadata

metadata = new_metadata()

# A table for test handlers to write to, so tests can see what a transaction kept.
note = Table(
    "note",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("text", String(200), nullable=False),
)


async def count_rows(db: Database, table: Table) -> int:
    async with db.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


def traceparent_of(context: SpanContext) -> str:
    """A W3C traceparent header naming a sampled span."""
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-01"


def trace_id_in(headers: Mapping[str, str]) -> str:
    """The trace id (32 hex digits) of a W3C traceparent header."""
    version, trace_id, span_id, flags = headers["traceparent"].split("-")
    assert (version, len(trace_id), len(span_id), len(flags)) == ("00", 32, 16, 2)
    return trace_id
