"""Tracing setup: one call per service; exporters chosen by configuration."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy.engine import Engine

from servicekit.context import CASE_ID_ATTR, MUNICIPALITY_ATTR, current_case_id, current_municipality
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


class Telemetry:
    """A tracer provider of one service, with its exporter; the in-memory one is kept for tests."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.provider = TracerProvider(resource=Resource.create({"service.name": settings.service_name}))
        self.provider.add_span_processor(CaseAttributes())
        self.memory: InMemorySpanExporter | None = None
        exporter = _exporter(settings)
        if isinstance(exporter, InMemorySpanExporter):
            self.memory = exporter
            self.provider.add_span_processor(SimpleSpanProcessor(exporter))
        elif exporter is not None:
            self.provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=1000))
        self.tracer = self.provider.get_tracer("forvalt." + settings.service_name)

    def trace_engine(self, engine: Engine) -> None:
        """Trace the SQL of this engine with this service's provider (not a process-wide patch)."""
        meter = NoOpMeterProvider().get_meter("forvalt.sql")
        usage = meter.create_up_down_counter("db.client.connections.usage")
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
