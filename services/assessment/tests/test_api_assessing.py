"""Assessment's HTTP API from IPLOS scores to completion: criteria as the municipality configures them,
the best interests of the child, the recommendation, and the unit that writes its own assessment."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from contracts.assessment import (
    AssessmentCompleted,
    AssessmentOpened,
    ChildBestInterestsAssessed,
    CriteriaEvaluated,
    FunctionalScoresRecorded,
    Recommendation,
    RecommendedService,
)
from contracts.deadlines import DeadlineCancelled
from servicekit.testing import emitted, fields_named, outbox_events
from services.assessment.domain import CHILD_BEST_INTERESTS_MISSING
from services.assessment.tests.support import (
    HOLTALEN,
    MENTAL_HEALTH,
    NOW,
    TODAY,
    TOLGA,
    auth,
    open_assessment,
    snapshot,
    unit_auth,
)

SCORES = {"personal_hygiene": 3, "dressing": 2, "moving_outdoors": 4, "hearing": 9}
RECOMMENDATION: dict[str, Any] = {
    "services": [{"service_code": "home_nursing", "hours_per_week": 3.5, "start_on": "2026-12-01"}],
    "reasons": "",
    "proposed_outcome": "grant",
}


def path(opened: dict[str, Any], tail: str = "") -> str:
    return f"/assessments/{opened['id']}{tail}"


async def put_scores(
    client: httpx.AsyncClient, app: FastAPI, opened: dict[str, Any], scores: Any = None, **headers_for: Any
) -> httpx.Response:
    return await client.put(
        path(opened, "/functional-scores"),
        json={"assessed_on": TODAY.isoformat(), "scores": SCORES if scores is None else scores},
        headers=headers_for.get("headers") or auth(app, opened["municipality"]),
    )


async def put_recommendation(
    client: httpx.AsyncClient, app: FastAPI, opened: dict[str, Any], headers: dict[str, str] | None = None, **body: Any
) -> httpx.Response:
    return await client.put(
        path(opened, "/recommendation"),
        json={**RECOMMENDATION, **body},
        headers=headers or auth(app, opened["municipality"]),
    )


# --- IPLOS functional scores ---------------------------------------------------------------------


async def test_functional_scores_are_recorded_and_emitted(app: FastAPI, client: httpx.AsyncClient) -> None:
    opened = await open_assessment(app, client)

    response = await put_scores(client, app, opened)

    assert response.status_code == 200, response.text
    assert response.json()["functional_scores"] == {
        "assessed_on": TODAY.isoformat(),
        "scores": SCORES,
        "recorded_by": "allocation_office",
    }
    assert response.json()["status"] == "in_progress"
    assert await emitted(app, FunctionalScoresRecorded) == [
        FunctionalScoresRecorded(
            assessment_id=opened["id"], case_id=opened["case_id"], scores=SCORES, assessed_on=TODAY
        )
    ]


async def test_recording_scores_again_replaces_them(app: FastAPI, client: httpx.AsyncClient) -> None:
    opened = await open_assessment(app, client)
    await put_scores(client, app, opened)

    response = await put_scores(client, app, opened, {"memory": 5})

    assert response.json()["functional_scores"]["scores"] == {"memory": 5}
    assert len(await emitted(app, FunctionalScoresRecorded)) == 2


@pytest.mark.parametrize(
    ("scores", "field", "words"),
    [
        ({"personal_hygiene": 6}, "scores.personal_hygiene", "allowed: 1, 2, 3, 4, 5, 9"),
        ({"memory": 3, "toilet": 0}, "scores.toilet", "allowed: 1, 2, 3, 4, 5, 9"),
        ({"memory": 3, "juggling": 2}, "scores.juggling", "not an IPLOS functional variable"),
        ({}, "scores", "at least one"),
        ({"memory": "3"}, "scores.memory", "integer"),
        ({"memory": True}, "scores.memory", "integer"),
    ],
    ids=["above-5", "zero", "unknown-variable", "empty", "text-score", "boolean-score"],
)
async def test_invalid_scores_are_422_naming_the_variable_and_the_rule_and_change_nothing(
    app: FastAPI, client: httpx.AsyncClient, scores: dict[str, Any], field: str, words: str
) -> None:
    opened = await open_assessment(app, client)
    before = await snapshot(app)

    response = await put_scores(client, app, opened, scores)

    assert response.status_code == 422
    problem = response.json()
    assert field in fields_named(problem)
    assert words in problem["detail"]
    assert await snapshot(app) == before


# --- criteria ------------------------------------------------------------------------------------


async def test_holtalens_care_ladder_bti_level_and_coordinated_criteria_are_evaluated(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await open_assessment(app, client, HOLTALEN, service_code="respite", involves_child=True)

    response = await client.put(
        path(opened, "/criteria"),
        json={
            "care_ladder_step": 2,
            "care_ladder_grounds": ["burden_beyond_normal_parenting", "siblings_and_exhaustion"],
            "bti_level": 1,
            "coordinated_criteria_met": ["long_term_need"],
        },
        headers=auth(app, HOLTALEN),
    )

    assert response.status_code == 200, response.text
    criteria = response.json()["criteria"]
    assert (criteria["care_ladder_step"], criteria["bti_level"]) == (2, 1)
    assert criteria["care_ladder_grounds"] == ["burden_beyond_normal_parenting", "siblings_and_exhaustion"]
    assert await emitted(app, CriteriaEvaluated) == [
        CriteriaEvaluated(
            assessment_id=opened["id"],
            case_id=opened["case_id"],
            care_ladder_step=2,
            care_ladder_grounds=["burden_beyond_normal_parenting", "siblings_and_exhaustion"],
            bti_level=1,
            coordinated_criteria_met=["long_term_need"],
        )
    ]


@pytest.mark.parametrize(
    ("municipality", "body", "field", "words"),
    [
        (TOLGA, {"care_ladder_step": 2, "care_ladder_grounds": ["siblings_wellbeing"]}, "care_ladder_step", "Tolga"),
        (TOLGA, {"bti_level": 1}, "bti_level", "Tolga has no BTI levels"),
        (HOLTALEN, {"care_ladder_step": 7, "care_ladder_grounds": ["x"]}, "care_ladder_step", "steps: 1, 2, 3, 4"),
        (HOLTALEN, {"care_ladder_step": 3}, "care_ladder_grounds", "at least one"),
        (
            HOLTALEN,
            {"care_ladder_step": 1, "care_ladder_grounds": ["risk_of_care_failure"]},
            "care_ladder_grounds",
            "risk_of_care_failure",
        ),
        (HOLTALEN, {"bti_level": 5}, "bti_level", "BTI levels (0, 1, 2, 3)"),
        (HOLTALEN, {"coordinated_criteria_met": ["rich_family"]}, "coordinated_criteria_met", "rich_family"),
        (HOLTALEN, {}, "criteria", "at least one"),
    ],
    ids=[
        "step-without-care-ladder",
        "bti-without-levels",
        "unknown-step",
        "step-without-grounds",
        "ground-of-another-step",
        "unknown-bti-level",
        "unknown-coordinated-criterion",
        "nothing",
    ],
)
async def test_criteria_outside_the_configuration_are_422_naming_them_and_change_nothing(
    app: FastAPI, client: httpx.AsyncClient, municipality: str, body: dict[str, Any], field: str, words: str
) -> None:
    opened = await open_assessment(app, client, municipality)
    before = await snapshot(app)

    response = await client.put(path(opened, "/criteria"), json=body, headers=auth(app, municipality))

    assert response.status_code == 422
    assert field in fields_named(response.json())
    assert words in response.json()["detail"]
    assert await snapshot(app) == before


# --- best interests of the child -----------------------------------------------------------------


async def test_the_best_interests_assessment_counts_the_children_and_keeps_its_text_here(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await open_assessment(app, client, HOLTALEN, involves_child=True)

    response = await client.post(
        path(opened, "/child-best-interests"),
        json={"children_considered": 3, "assessment": "Barnet, to søsken; søsken trenger fritid"},
        headers=auth(app, HOLTALEN),
    )

    assert response.status_code == 201, response.text
    [recorded] = response.json()["child_best_interests"]
    assert (recorded["children_considered"], recorded["assessment"]) == (3, "Barnet, to søsken; søsken trenger fritid")
    assert await emitted(app, ChildBestInterestsAssessed) == [
        ChildBestInterestsAssessed(assessment_id=opened["id"], case_id=opened["case_id"], children_considered=3)
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"children_considered": 0, "assessment": "ingen"}, "children_considered"),
        ({"children_considered": 1, "assessment": ""}, "assessment"),
        ({"children_considered": 1}, "assessment"),
    ],
    ids=["no-children", "empty-text", "missing-text"],
)
async def test_an_invalid_best_interests_assessment_is_422_and_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    opened = await open_assessment(app, client, involves_child=True)
    before = await snapshot(app)

    response = await client.post(path(opened, "/child-best-interests"), json=body, headers=auth(app))

    assert response.status_code == 422
    assert field in fields_named(response.json())
    assert await snapshot(app) == before


# --- recommendation ------------------------------------------------------------------------------


async def test_a_recommendation_defaults_to_the_catalogues_legal_basis_and_emits_nothing_yet(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await open_assessment(app, client)

    response = await put_recommendation(client, app, opened)

    assert response.status_code == 200, response.text
    assert response.json()["recommendation"] == {
        "services": [{"service_code": "home_nursing", "hours_per_week": 3.5, "start_on": "2026-12-01", "end_on": None}],
        "legal_basis": [
            "helse- og omsorgstjenesteloven § 3-2 første ledd nr. 6 bokstav a",
            "pasient- og brukerrettighetsloven § 2-1 a",
        ],
        "proposed_outcome": "grant",
        "reasons": "",
        "recommended_by": "allocation_office",
    }
    assert [e.type for _, e in await outbox_events(app)] == [AssessmentOpened.event_type]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (
            {"services": [{"service_code": "space_travel", "start_on": "2026-12-01"}]},
            "services.0.service_code",
            "space_travel",
        ),
        (
            {"services": [{"service_code": "home_nursing", "start_on": "2026-12-01", "end_on": "2026-11-01"}]},
            "services.0.end_on",
            "after start_on",
        ),
        ({"legal_basis": ["straffeloven § 1"]}, "legal_basis", "straffeloven § 1"),
        ({"proposed_outcome": "refuse"}, "reasons", "must give its reasons"),
        ({"proposed_outcome": "partly", "reasons": "  "}, "reasons", "must give its reasons"),
        ({"services": []}, "services", "at least 1"),
        (
            {"services": [{"service_code": "home_nursing", "hours_per_week": 200, "start_on": "2026-12-01"}]},
            "services.0.hours_per_week",
            "168",
        ),
        ({"proposed_outcome": "maybe"}, "proposed_outcome", "grant"),
    ],
    ids=[
        "unknown-service",
        "ends-before-start",
        "foreign-legal-basis",
        "refusal-without-reasons",
        "partly-with-blank-reasons",
        "no-services",
        "more-hours-than-a-week",
        "unknown-outcome",
    ],
)
async def test_an_invalid_recommendation_is_422_naming_the_problem_and_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient, body: dict[str, Any], field: str, words: str
) -> None:
    opened = await open_assessment(app, client)
    before = await snapshot(app)

    response = await put_recommendation(client, app, opened, **body)

    assert response.status_code == 422
    assert field in fields_named(response.json())
    assert words in response.json()["detail"]
    assert await snapshot(app) == before


# --- completion ----------------------------------------------------------------------------------


async def test_completing_emits_the_recommendation_care_ladder_step_bti_level_and_emergency_flag(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await open_assessment(
        app, client, HOLTALEN, service_code="respite", involves_child=True, emergency_measure=True
    )
    headers = auth(app, HOLTALEN)
    await put_scores(client, app, opened)
    await client.put(
        path(opened, "/criteria"),
        json={"care_ladder_step": 4, "care_ladder_grounds": ["parents_health_threatened"], "bti_level": 3},
        headers=headers,
    )
    await client.post(
        path(opened, "/child-best-interests"), json={"children_considered": 2, "assessment": "vurdert"}, headers=headers
    )
    await put_recommendation(
        client,
        app,
        opened,
        services=[{"service_code": "respite", "hours_per_week": 8, "start_on": "2026-12-01", "end_on": "2027-06-30"}],
        legal_basis=["helse- og omsorgstjenesteloven § 3-6"],
        proposed_outcome="partly",
        reasons="Delvis innvilget: 8 av 12 timer",
    )

    response = await client.post(path(opened, "/complete"), headers=headers)

    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["completed_by"]) == ("completed", "allocation_office")
    assert await emitted(app, AssessmentCompleted) == [
        AssessmentCompleted(
            assessment_id=opened["id"],
            case_id=opened["case_id"],
            person_id="person-1",
            completed_by="allocation_office",
            recommendation=Recommendation(
                services=[
                    RecommendedService(
                        service_code="respite", hours_per_week=8, start_on=date(2026, 12, 1), end_on=date(2027, 6, 30)
                    )
                ],
                legal_basis=["helse- og omsorgstjenesteloven § 3-6"],
                proposed_outcome="partly",  # type: ignore[arg-type]
            ),
            care_ladder_step=4,
            bti_level=3,
            emergency_measure=True,
        )
    ]


async def test_completing_without_a_recommendation_is_refused(app: FastAPI, client: httpx.AsyncClient) -> None:
    opened = await open_assessment(app, client)
    await put_scores(client, app, opened)
    before = await snapshot(app)

    response = await client.post(path(opened, "/complete"), headers=auth(app))

    assert response.status_code == 422
    assert response.json()["field"] == "recommendation"
    assert await snapshot(app) == before


async def test_a_case_involving_children_is_not_completed_without_the_best_interests_assessment(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await open_assessment(app, client, involves_child=True)
    await put_scores(client, app, opened)
    await put_recommendation(client, app, opened)
    before = await snapshot(app)

    response = await client.post(path(opened, "/complete"), headers=auth(app))

    assert response.status_code == 422
    assert response.json()["detail"] == CHILD_BEST_INTERESTS_MISSING
    assert await snapshot(app) == before


async def test_a_service_application_is_not_completed_without_iplos_scores_but_a_coordinator_is(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    service = await open_assessment(app, client)
    await put_recommendation(client, app, service)
    coordinator = await open_assessment(app, client, service_code="coordinator")
    await put_recommendation(
        client, app, coordinator, services=[{"service_code": "coordinator", "start_on": "2026-12-01"}]
    )
    before = await snapshot(app)

    refused = await client.post(path(service, "/complete"), headers=auth(app))
    assert await snapshot(app) == before
    completed = await client.post(path(coordinator, "/complete"), headers=auth(app))

    assert refused.status_code == 422
    assert refused.json()["field"] == "functional_scores"
    assert "IPLOS" in refused.json()["detail"]
    assert completed.status_code == 200, completed.text


async def test_completion_closes_open_information_requests_and_stops_their_clocks(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await open_assessment(app, client)
    request = await client.post(
        path(opened, "/information-requests"),
        json={"source": "hospital", "due_on": (TODAY + timedelta(days=10)).isoformat()},
        headers=auth(app),
    )
    await put_scores(client, app, opened)
    await put_recommendation(client, app, opened)

    response = await client.post(path(opened, "/complete"), headers=auth(app))

    [closed] = response.json()["information_requests"]
    assert (closed["status"], closed["overdue"]) == ("cancelled_assessment_completed", False)
    [cancelled] = await emitted(app, DeadlineCancelled)
    assert (cancelled.reason, cancelled.case_id) == ("assessment_completed", opened["case_id"])
    assert request.status_code == 201


async def completed_assessment(app: FastAPI, client: httpx.AsyncClient) -> dict[str, Any]:
    opened = await open_assessment(app, client)
    await put_scores(client, app, opened)
    await put_recommendation(client, app, opened)
    done = await client.post(path(opened, "/complete"), headers=auth(app))
    assert done.status_code == 200, done.text
    return opened


CHANGES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("post", "/assignment", {"assignee_kind": "unit", "assignee": "home_care"}),
    ("post", "/visits", {"kind": "interview", "scheduled_at": "2026-12-01T10:00:00+01:00"}),
    ("post", "/information-requests", {"source": "gp", "due_on": (TODAY + timedelta(days=9)).isoformat()}),
    ("put", "/functional-scores", {"assessed_on": TODAY.isoformat(), "scores": {"memory": 2}}),
    ("put", "/criteria", {"coordinated_criteria_met": ["long_term_need"]}),
    ("post", "/child-best-interests", {"children_considered": 1, "assessment": "sent"}),
    ("put", "/recommendation", RECOMMENDATION),
    ("post", "/complete", None),
    ("post", "/handover", {}),
]


@pytest.mark.parametrize(("method", "tail", "body"), CHANGES, ids=[c[1].strip("/") for c in CHANGES])
async def test_nothing_changes_after_completion(
    app: FastAPI, client: httpx.AsyncClient, method: str, tail: str, body: dict[str, Any] | None
) -> None:
    opened = await completed_assessment(app, client)
    before = await snapshot(app)

    response = await client.request(method, path(opened, tail), json=body, headers=auth(app))

    assert response.status_code == 409, response.text
    assert "completed" in response.json()["detail"]
    assert await snapshot(app) == before


# --- the mental health and substance abuse service writes its own assessment ----------------------


async def assigned_to(app: FastAPI, client: httpx.AsyncClient, unit: str) -> dict[str, Any]:
    opened = await open_assessment(app, client)
    response = await client.post(
        path(opened, "/assignment"), json={"assignee_kind": "unit", "assignee": unit}, headers=auth(app)
    )
    assert response.status_code == 200
    return opened


async def test_the_mental_health_unit_records_and_completes_its_own_assessment(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await assigned_to(app, client, MENTAL_HEALTH)
    unit = unit_auth(app)
    held_at = (NOW - timedelta(hours=1)).isoformat()

    visit = await client.post(
        path(opened, "/visits"), json={"kind": "interview", "scheduled_at": held_at}, headers=unit
    )
    record = await client.post(
        path(opened, f"/visits/{visit.json()['id']}/record"),
        json={"held_at": held_at, "notes": "samtale"},
        headers=unit,
    )
    scores = await put_scores(client, app, opened, headers=unit)
    recommendation = await put_recommendation(client, app, opened, headers=unit)
    done = await client.post(path(opened, "/complete"), headers=unit)

    assert [r.status_code for r in (visit, record, scores, recommendation, done)] == [201, 200, 200, 200, 200]
    assert record.json()["recorded_by"] == MENTAL_HEALTH
    state = done.json()
    assert (state["completed_by"], state["functional_scores"]["recorded_by"]) == (MENTAL_HEALTH, MENTAL_HEALTH)
    assert state["recommendation"]["recommended_by"] == MENTAL_HEALTH
    [completed] = await emitted(app, AssessmentCompleted)
    assert completed.completed_by == MENTAL_HEALTH


@pytest.mark.parametrize(
    ("method", "tail", "body"),
    [c for c in CHANGES if c[1] != "/handover"],
    ids=[c[1].strip("/") for c in CHANGES if c[1] != "/handover"],
)
async def test_another_unit_may_not_work_on_the_mental_health_units_assessment(
    app: FastAPI, client: httpx.AsyncClient, method: str, tail: str, body: dict[str, Any] | None
) -> None:
    opened = await assigned_to(app, client, MENTAL_HEALTH)
    before = await snapshot(app)

    response = await client.request(method, path(opened, tail), json=body, headers=unit_auth(app, "home_care"))

    assert response.status_code == 403
    assert "not assigned to unit home_care" in response.json()["detail"]
    assert await snapshot(app) == before


async def test_a_unit_that_does_not_write_its_own_assessments_may_not_record_them(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await assigned_to(app, client, "home_care")
    before = await snapshot(app)

    response = await put_scores(client, app, opened, headers=unit_auth(app, "home_care"))

    assert response.status_code == 403
    assert "does not write its own assessments" in response.json()["detail"]
    assert await snapshot(app) == before


@pytest.mark.parametrize(
    ("method", "tail", "body"),
    [
        c
        for c in CHANGES
        if c[1] in {"/assignment", "/information-requests", "/criteria", "/child-best-interests", "/handover"}
    ],
    ids=["assignment", "information-requests", "criteria", "child-best-interests", "handover"],
)
async def test_the_unit_leaves_the_offices_actions_to_the_office(
    app: FastAPI, client: httpx.AsyncClient, method: str, tail: str, body: dict[str, Any] | None
) -> None:
    opened = await assigned_to(app, client, MENTAL_HEALTH)
    before = await snapshot(app)

    response = await client.request(method, path(opened, tail), json=body, headers=unit_auth(app))

    assert response.status_code == 403
    assert await snapshot(app) == before


async def test_the_office_may_still_act_on_a_case_the_unit_writes(app: FastAPI, client: httpx.AsyncClient) -> None:
    opened = await assigned_to(app, client, MENTAL_HEALTH)

    await put_scores(client, app, opened)
    await put_recommendation(client, app, opened)
    done = await client.post(path(opened, "/complete"), headers=auth(app))

    assert done.status_code == 200
    assert done.json()["completed_by"] == "allocation_office"
