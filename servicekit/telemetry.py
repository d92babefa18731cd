"""Tracing setup: one call per service; exporters chosen by configuration."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, MutableMapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode
from sqlalchemy import event
from sqlalchemy.engine import Engine, ExceptionContext

from servicekit.context import CASE_ID_ATTR, MUNICIPALITY_ATTR, current_case_id, current_municipality
from servicekit.redact import describe_error, is_database_error, redacted_traceback, sqlstate
from servicekit.settings import ServiceSettings

PREVIOUS_TRACE_ATTR = "forvalt.previous_trace_id"


class CaseAttributes(SpanProcessor):
    """Stamps every span with the municipality and case id of the work it belongs to."""

    def on_start(self, span: Span, parent_context: otel_context.Context | None = None) -> None:
        municipality = current_municipality.get()
        case_id = current_case_id.get()
        if municipality:
            span.set_attribute(MUNICIPALITY_ATTR, municipality)
        if case_id:
            span.set_attribute(CASE_ID_ATTR, case_id)

    def on_end(self, span: ReadableSpan) -> None:
        return None


SQL_SCOPE = "forvalt.sql"
ERROR_TYPE_ATTR = "error.type"
SQLSTATE_ATTR = "db.response.status_code"
URL_ATTRS = ("http.url", "url.full", "http.target")
QUERY_ATTRS = ("url.query",)
_DATABASE_ERROR_LINE = re.compile(r"^(sqlalchemy|sqlite3|asyncpg|aiosqlite|psycopg)[\w.]*(Error|Exception)\b", re.M)
_FRAME_LINE = re.compile(r'^(Traceback \(most recent call last\):|  File "[^"\n]*", line \d+, in [\w<>.]+)$')


def _sql_error_attributes(context: ExceptionContext) -> None:
    span = getattr(context.execution_context, "_otel_span", None)
    if span is None or not span.is_recording():
        return
    span.set_attribute(ERROR_TYPE_ATTR, type(context.original_exception).__name__)
    code = sqlstate(context.original_exception)
    if code:
        span.set_attribute(SQLSTATE_ATTR, code)


def scrub_url(value: str) -> str:
    """A URL or request target without its query string and fragment: they may hold what a caller searched for."""
    parts = urlsplit(value)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _is_database_error_event(attributes: Mapping[str, Any]) -> bool:
    told = f"{attributes.get('exception.type', '')}\n{attributes.get('exception.stacktrace', '')}"
    return bool(_DATABASE_ERROR_LINE.search(told))


def _frames_only(stacktrace: str, exception_type: str) -> str:
    kept = [line for line in stacktrace.splitlines() if _FRAME_LINE.match(line)]
    return "\n".join([*kept, f"{exception_type} (a database error: its message is withheld)"]) + "\n"


def redact_span(span: ReadableSpan) -> ReadableSpan:
    """The span as it may leave the process: a database error by its type only (its message holds the statement,
    parameters and the server's detail), and URLs without their query strings."""
    attributes = dict(span.attributes or {})
    for key in URL_ATTRS:
        if isinstance(attributes.get(key), str):
            attributes[key] = scrub_url(str(attributes[key]))
    for key in QUERY_ATTRS:
        attributes.pop(key, None)
    withheld: set[str] = set()
    events = []
    for found in span.events:
        event_attributes = dict(found.attributes or {})
        if found.name == "exception" and _is_database_error_event(event_attributes):
            exception_type = str(event_attributes.get("exception.type", ""))
            withheld.add(str(event_attributes.get("exception.message", "")))
            event_attributes["exception.message"] = f"{exception_type.rsplit('.', 1)[-1]} (a database error)"
            event_attributes["exception.stacktrace"] = _frames_only(
                str(event_attributes.get("exception.stacktrace", "")), exception_type
            )
        events.append(Event(found.name, event_attributes, found.timestamp))
    status = span.status
    description = status.description or ""
    if status.status_code is StatusCode.ERROR and description:
        if span.instrumentation_scope is not None and span.instrumentation_scope.name == SQL_SCOPE:
            status = Status(StatusCode.ERROR, str(attributes.get(ERROR_TYPE_ATTR, "database error")))
        elif any(m and m in description for m in withheld) or _DATABASE_ERROR_LINE.search(description):
            status = Status(StatusCode.ERROR, "database error")
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=attributes,
        events=events,
        links=span.links,
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class Redacting(SpanProcessor):
    """Hands the exporting processor each finished span as `redact_span` leaves it."""

    def __init__(self, exporting: SpanProcessor) -> None:
        self._exporting = exporting

    def on_start(self, span: Span, parent_context: otel_context.Context | None = None) -> None:
        self._exporting.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        self._exporting.on_end(redact_span(span))

    def shutdown(self) -> None:
        self._exporting.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._exporting.force_flush(timeout_millis)


def redact_log_records() -> None:
    """Make every log record tell a database error by its type and SQLSTATE, never by its message: in the
    traceback of `log.exception` and in an argument of the message. Once per process; a second call does nothing."""
    base = logging.getLogRecordFactory()
    if getattr(base, "redacts_database_errors", False):
        return

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = base(*args, **kwargs)
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and is_database_error(exc):
            record.exc_text = redacted_traceback(exc)
        if isinstance(record.args, tuple) and any(_told_by_type(a) for a in record.args):
            record.args = tuple(_told(a) for a in record.args)
        return record

    make.redacts_database_errors = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make)


def _told_by_type(value: object) -> bool:
    return isinstance(value, BaseException) and is_database_error(value)


def _told(value: object) -> object:
    return describe_error(value) if isinstance(value, BaseException) and is_database_error(value) else value


class Telemetry:
    """A tracer provider of one service, with its exporter; the in-memory one is kept for tests."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.provider = TracerProvider(resource=Resource.create({"service.name": settings.service_name}))
        self.provider.add_span_processor(CaseAttributes())
        self.memory: InMemorySpanExporter | None = None
        exporter = _exporter(settings)
        # Every span is redacted on its way to the exporter, whichever exporter it is.
        if isinstance(exporter, InMemorySpanExporter):
            self.memory = exporter
            self.provider.add_span_processor(Redacting(SimpleSpanProcessor(exporter)))
        elif exporter is not None:
            self.provider.add_span_processor(Redacting(BatchSpanProcessor(exporter, schedule_delay_millis=1000)))
        self.tracer = self.provider.get_tracer("forvalt." + settings.service_name)
        redact_log_records()

    def trace_engine(self, engine: Engine) -> None:
        """Trace the SQL of this engine with this service's provider (not a process-wide patch)."""
        meter = NoOpMeterProvider().get_meter("forvalt.sql")
        usage = meter.create_up_down_counter("db.client.connections.usage")
        # Before the tracer's own error listener ends the span: it then holds the error's type and SQLSTATE.
        if not event.contains(engine, "handle_error", _sql_error_attributes):
            event.listen(engine, "handle_error", _sql_error_attributes, insert=True)
        EngineTracer(self.provider.get_tracer("forvalt.sql"), engine, usage)  # type: ignore[no-untyped-call]

    def shutdown(self) -> None:
        self.provider.shutdown()


def _exporter(settings: ServiceSettings) -> SpanExporter | None:
    match settings.telemetry_exporter:
        case "none":
            return None
        case "console":
            return ConsoleSpanExporter()
        case "memory":
            return InMemorySpanExporter()
        case "zipkin":
            from opentelemetry.exporter.zipkin.json import ZipkinExporter  # noqa: PLC0415

            return ZipkinExporter(endpoint=settings.zipkin_url.rstrip("/") + "/api/v2/spans")
        case "otlp":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
                OTLPSpanExporter,
            )

            return OTLPSpanExporter(endpoint=settings.otlp_endpoint.rstrip("/") + "/v1/traces")


def current_trace_headers() -> dict[str, str]:
    """W3C trace context of the current span, to store with an outbox row or send in Kafka headers."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def context_from_headers(headers: Mapping[str, str]) -> otel_context.Context:
    return propagate.extract(dict(headers))


def inject(headers: MutableMapping[str, str]) -> None:
    propagate.inject(headers)


def linked_span_context(headers: Mapping[str, str]) -> trace.SpanContext | None:
    """The span a message was sent from, to link a new trace to it."""
    span_context = trace.get_current_span(context_from_headers(headers)).get_span_context()
    return span_context if span_context.is_valid else None
