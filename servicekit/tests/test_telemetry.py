"""Spans leave the process without what a caller searched for: URLs lose their query strings."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from servicekit.telemetry import Telemetry, scrub_url


def test_a_url_loses_its_query_and_fragment_and_keeps_its_path() -> None:
    assert scrub_url("http://test/applications?person_id=p-1&q=Kari#top") == "http://test/applications"
    assert scrub_url("/applications?journal_number=2026/000001") == "/applications"
    assert scrub_url("/applications/case-1") == "/applications/case-1"


async def test_a_request_span_carries_no_query_string(telemetry: Telemetry) -> None:
    app = FastAPI()

    @app.get("/applications")
    async def applications() -> dict[str, str]:
        return {}

    FastAPIInstrumentor.instrument_app(app, tracer_provider=telemetry.provider, exclude_spans=["receive", "send"])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/applications", params={"purpose": "Kari Nordmann har demens"})
    assert response.status_code == 200

    assert telemetry.memory is not None
    [span] = telemetry.memory.get_finished_spans()
    attributes = dict(span.attributes or {})
    told = repr(attributes) + span.name
    assert "Kari" not in told
    assert "purpose" not in told
    assert attributes.get("url.path", attributes.get("http.target")) == "/applications"
