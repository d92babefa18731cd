"""The municipality and case a piece of work belongs to, carried in context variables and onto spans."""

from __future__ import annotations

from contextvars import ContextVar

from opentelemetry import trace

current_municipality: ContextVar[str | None] = ContextVar("current_municipality", default=None)
current_case_id: ContextVar[str | None] = ContextVar("current_case_id", default=None)

MUNICIPALITY_ATTR = "municipality"
CASE_ID_ATTR = "case.id"


def bind(*, municipality: str | None = None, case_id: str | None = None) -> None:
    """Record who the current work is for, on the context and on the span in progress."""
    span = trace.get_current_span()
    if municipality is not None:
        current_municipality.set(municipality)
        span.set_attribute(MUNICIPALITY_ATTR, municipality)
    if case_id is not None:
        current_case_id.set(case_id)
        span.set_attribute(CASE_ID_ATTR, case_id)
