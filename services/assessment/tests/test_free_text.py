"""Free-text health information (visit notes, reasons, the best-interests assessment) stays in this
service's database: it is kept and readable here, and never written into any event."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from contracts.assessment import AssessmentCompleted
from servicekit.db import OUTBOX
from servicekit.testing import emitted, runtime_of
from services.assessment.tests.support import HOLTALEN, NOW, TODAY, auth, open_assessment

NOTES = "Mor forteller om søvnløse netter; gutten har epilepsi og våkner 4 ganger per natt"
REASONS = "Omsorgsbyrden er dokumentert langt over normal foreldrerolle; søsken trenger avlastning"
BEST_INTERESTS = "Storesøster (12) tar mye ansvar hjemme; hennes behov for fritid er vektlagt"


async def test_a_full_flow_keeps_every_free_text_in_the_database_and_out_of_every_event(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    headers = auth(app, HOLTALEN)
    opened = await open_assessment(app, client, HOLTALEN, service_code="respite", involves_child=True)
    base = f"/assessments/{opened['id']}"
    today = TODAY
    held_at = (NOW - timedelta(hours=2)).isoformat()

    steps: list[tuple[str, str, dict[str, Any] | None]] = [
        ("post", f"{base}/assignment", {"assignee_kind": "unit", "assignee": "respite_service"}),
        ("post", f"{base}/visits", {"kind": "home_visit", "scheduled_at": held_at}),
    ]
    for method, path, body in steps:
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code in (200, 201), response.text
    visit_id = (await client.get(base, headers=headers)).json()["visits"][0]["id"]
    request = await client.post(
        f"{base}/information-requests",
        json={"source": "gp", "due_on": (today + timedelta(days=14)).isoformat()},
        headers=headers,
    )
    assert request.status_code == 201, request.text
    more: list[tuple[str, str, dict[str, Any] | None]] = [
        ("post", f"{base}/visits/{visit_id}/record", {"held_at": held_at, "notes": NOTES}),
        (
            "post",
            f"{base}/information-requests/{request.json()['id']}/received",
            {"received_on": today.isoformat()},
        ),
        ("put", f"{base}/functional-scores", {"assessed_on": today.isoformat(), "scores": {"daily_activities": 4}}),
        (
            "put",
            f"{base}/criteria",
            {"care_ladder_step": 3, "care_ladder_grounds": ["systematic_respite_needed"], "bti_level": 2},
        ),
        ("post", f"{base}/child-best-interests", {"children_considered": 2, "assessment": BEST_INTERESTS}),
        (
            "put",
            f"{base}/recommendation",
            {
                "services": [{"service_code": "respite", "hours_per_week": 6, "start_on": "2026-12-01"}],
                "reasons": REASONS,
                "proposed_outcome": "partly",
            },
        ),
        ("post", f"{base}/complete", None),
    ]
    for method, path, body in more:
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code in (200, 201), f"{path}: {response.text}"

    state = (await client.get(base, headers=headers)).json()
    assert state["status"] == "completed"
    assert state["visits"][0]["notes"] == NOTES
    assert state["recommendation"]["reasons"] == REASONS
    assert state["child_best_interests"][0]["assessment"] == BEST_INTERESTS
    [completed] = await emitted(app, AssessmentCompleted)
    assert completed.care_ladder_step == 3

    async with runtime_of(app).db.engine.connect() as conn:
        rows = (await conn.execute(select(OUTBOX.c.payload, OUTBOX.c.headers))).all()
    assert len(rows) >= 10
    for payload, headers_stored in rows:
        text = payload + repr(headers_stored)
        for secret in (NOTES, REASONS, BEST_INTERESTS):
            assert secret not in text
            # Not even a telling fragment of it.
            for fragment in secret.split("; "):
                assert fragment not in text
