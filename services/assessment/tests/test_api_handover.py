"""Hand-over to a partner office (Holtålen's private respite, BPA and short-term respite in municipal
housing go to the office in 5025): an explicit, recorded grant that opens that one case to the partner."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from contracts.assessment import AssessmentCompleted, CaseHandedOver
from servicekit.testing import count, emitted, outbox_events
from services.assessment import db as assessment_db
from services.assessment.tests.support import (
    HOLTALEN,
    NOW,
    PARTNER,
    PROBLEM,
    TODAY,
    auth,
    consent,
    deliver,
    open_assessment,
    snapshot,
    unit_auth,
    withdrawal_event,
)


async def handed_over(app: FastAPI, client: httpx.AsyncClient, service_code: str = "private_respite") -> dict[str, Any]:
    opened = await open_assessment(app, client, HOLTALEN, service_code=service_code, involves_child=True)
    response = await client.post(f"/assessments/{opened['id']}/handover", json={}, headers=auth(app, HOLTALEN))
    assert response.status_code == 200, response.text
    return opened


@pytest.mark.parametrize("service_code", ["private_respite", "bpa", "short_term_respite_housing"])
async def test_a_case_of_a_partner_service_is_handed_over_and_the_grant_recorded(
    app: FastAPI, client: httpx.AsyncClient, service_code: str
) -> None:
    opened = await open_assessment(app, client, HOLTALEN, service_code=service_code)

    response = await client.post(f"/assessments/{opened['id']}/handover", json={}, headers=auth(app, HOLTALEN))

    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["handed_over_to"]) == ("handed_over", [PARTNER])
    assert await count(app, assessment_db.case_access) == 1
    assert await emitted(app, CaseHandedOver) == [
        CaseHandedOver(
            assessment_id=opened["id"],
            case_id=opened["case_id"],
            from_municipality=HOLTALEN,
            to_municipality=PARTNER,
            service_code=service_code,
        )
    ]


async def test_the_handover_body_may_be_left_out(app: FastAPI, client: httpx.AsyncClient) -> None:
    opened = await open_assessment(app, client, HOLTALEN, service_code="bpa")

    response = await client.post(f"/assessments/{opened['id']}/handover", headers=auth(app, HOLTALEN))

    assert response.status_code == 200, response.text


async def test_a_service_without_a_partner_office_is_not_handed_over(app: FastAPI, client: httpx.AsyncClient) -> None:
    opened = await open_assessment(app, client, HOLTALEN, service_code="respite")
    tolga = await open_assessment(app, client, service_code="bpa")
    before = await snapshot(app)

    response = await client.post(f"/assessments/{opened['id']}/handover", json={}, headers=auth(app, HOLTALEN))
    in_tolga = await client.post(f"/assessments/{tolga['id']}/handover", json={}, headers=auth(app))

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["field"] == "service_code"
    assert "'respite'" in response.json()["detail"]
    assert in_tolga.status_code == 422
    assert await snapshot(app) == before


async def test_a_hand_over_without_consent_to_share_is_409_naming_the_consent_and_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await open_assessment(
        app, client, HOLTALEN, service_code="private_respite", consent=consent("fetch_from_gp")
    )
    before = await snapshot(app)

    response = await client.post(f"/assessments/{opened['id']}/handover", json={}, headers=auth(app, HOLTALEN))

    assert response.status_code == 409
    assert response.json()["field"] == "consent.scope"
    assert "consent" in response.json()["detail"]
    assert "'sharing'" in response.json()["detail"]
    assert await snapshot(app) == before


async def test_once_sharing_is_withdrawn_the_case_can_no_longer_be_handed_over(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await open_assessment(app, client, HOLTALEN, service_code="bpa")
    await deliver(
        app, withdrawal_event(opened["case_id"], HOLTALEN, withdrawn=("sharing",), remaining=consent("fetch_from_gp"))
    )
    before = await snapshot(app)

    response = await client.post(f"/assessments/{opened['id']}/handover", json={}, headers=auth(app, HOLTALEN))

    assert response.status_code == 409
    assert "'sharing'" in response.json()["detail"]
    assert await snapshot(app) == before


async def test_a_case_is_handed_over_once(app: FastAPI, client: httpx.AsyncClient) -> None:
    opened = await handed_over(app, client)
    before = await snapshot(app)

    again = await client.post(f"/assessments/{opened['id']}/handover", json={}, headers=auth(app, HOLTALEN))

    assert again.status_code == 409
    assert await snapshot(app) == before


async def test_before_the_hand_over_the_partner_office_sees_nothing(app: FastAPI, client: httpx.AsyncClient) -> None:
    opened = await open_assessment(app, client, HOLTALEN, service_code="private_respite")
    partner = auth(app, PARTNER)

    assert (await client.get(f"/assessments/{opened['id']}", headers=partner)).status_code == 404
    assert (await client.get("/assessments", headers=partner)).json()["total"] == 0


async def test_the_partner_office_sees_and_works_on_the_handed_over_case_only(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    other = await open_assessment(app, client, HOLTALEN, service_code="private_respite")
    opened = await handed_over(app, client)
    partner = auth(app, PARTNER)
    now = NOW - timedelta(hours=1)

    listing = (await client.get("/assessments", headers=partner)).json()
    single = await client.get(f"/assessments/{opened['id']}", headers=partner)
    visit = await client.post(
        f"/assessments/{opened['id']}/visits",
        json={"kind": "home_visit", "scheduled_at": now.isoformat()},
        headers=partner,
    )
    request = await client.post(
        f"/assessments/{opened['id']}/information-requests",
        json={"source": "gp", "due_on": (TODAY + timedelta(days=10)).isoformat()},
        headers=partner,
    )
    before = await snapshot(app)
    other_read = await client.get(f"/assessments/{other['id']}", headers=partner)
    other_write = await client.post(
        f"/assessments/{other['id']}/visits",
        json={"kind": "home_visit", "scheduled_at": now.isoformat()},
        headers=partner,
    )

    assert [i["id"] for i in listing["items"]] == [opened["id"]]
    assert listing["total"] == 1
    assert single.status_code == 200
    assert single.json()["municipality"] == HOLTALEN
    assert (visit.status_code, request.status_code) == (201, 201)
    assert (other_read.status_code, other_write.status_code) == (404, 404)
    assert await snapshot(app) == before


async def test_the_partner_office_completes_the_case_and_the_home_municipality_keeps_access(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await handed_over(app, client)
    partner = auth(app, PARTNER)
    base = f"/assessments/{opened['id']}"
    steps: list[tuple[str, str, dict[str, Any] | None]] = [
        ("put", "/functional-scores", {"assessed_on": TODAY.isoformat(), "scores": {"daily_activities": 3}}),
        (
            "put",
            "/criteria",
            {"care_ladder_step": 3, "care_ladder_grounds": ["documented_parent_rest_need"], "bti_level": 2},
        ),
        ("post", "/child-best-interests", {"children_considered": 2, "assessment": "Barnets beste vurdert"}),
        (
            "put",
            "/recommendation",
            {
                "services": [{"service_code": "private_respite", "hours_per_week": 10, "start_on": "2027-01-04"}],
                "proposed_outcome": "grant",
            },
        ),
        ("post", "/complete", None),
    ]

    for method, tail, body in steps:
        response = await client.request(method, base + tail, json=body, headers=partner)
        assert response.status_code in (200, 201), f"{tail}: {response.text}"

    home = await client.get(base, headers=auth(app, HOLTALEN))
    assert home.status_code == 200
    assert (home.json()["status"], home.json()["completed_by"]) == ("completed", f"partner_office:{PARTNER}")
    [completed] = await emitted(app, AssessmentCompleted)
    assert (completed.completed_by, completed.care_ladder_step, completed.bti_level) == (
        f"partner_office:{PARTNER}",
        3,
        2,
    )


async def test_the_home_office_keeps_working_on_a_handed_over_case(app: FastAPI, client: httpx.AsyncClient) -> None:
    opened = await handed_over(app, client)

    response = await client.put(
        f"/assessments/{opened['id']}/functional-scores",
        json={"assessed_on": TODAY.isoformat(), "scores": {"eating": 2}},
        headers=auth(app, HOLTALEN),
    )

    assert response.status_code == 200
    assert response.json()["status"] == "handed_over"


async def test_a_partner_municipalitys_unit_does_not_see_the_case_through_the_hand_over(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await open_assessment(app, client, HOLTALEN, service_code="bpa")
    await client.post(
        f"/assessments/{opened['id']}/assignment",
        json={"assignee_kind": "unit", "assignee": "respite_service"},
        headers=auth(app, HOLTALEN),
    )
    await client.post(f"/assessments/{opened['id']}/handover", json={}, headers=auth(app, HOLTALEN))
    namesake = unit_auth(app, "respite_service", municipality=PARTNER)

    listing = (await client.get("/assessments", headers=namesake)).json()
    single = await client.get(f"/assessments/{opened['id']}", headers=namesake)
    home_unit = (await client.get("/assessments", headers=unit_auth(app, "respite_service", HOLTALEN))).json()

    assert listing["total"] == 0
    assert single.status_code == 403
    assert [i["id"] for i in home_unit["items"]] == [opened["id"]]


async def test_the_partner_office_does_not_hand_the_case_on(app: FastAPI, client: httpx.AsyncClient) -> None:
    opened = await handed_over(app, client)
    before = await snapshot(app)

    response = await client.post(f"/assessments/{opened['id']}/handover", json={}, headers=auth(app, PARTNER))

    assert response.status_code == 403
    assert await snapshot(app) == before


async def test_events_of_the_partners_work_belong_to_the_home_municipality(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await handed_over(app, client)

    await client.put(
        f"/assessments/{opened['id']}/functional-scores",
        json={"assessed_on": TODAY.isoformat(), "scores": {"eating": 2}},
        headers=auth(app, PARTNER),
    )

    assert {e.municipality for _, e in await outbox_events(app)} == {HOLTALEN}


async def test_a_hand_over_needs_a_consent_that_names_the_partner_municipality(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await open_assessment(
        app, client, HOLTALEN, service_code="bpa", consent=consent("sharing", share_with=("respite_service",))
    )
    before = await snapshot(app)

    response = await client.post(f"/assessments/{opened['id']}/handover", json={}, headers=auth(app, HOLTALEN))

    assert response.status_code == 409
    assert response.json()["field"] == "consent.share_with"
    assert PARTNER in response.json()["detail"]
    assert await snapshot(app) == before


@pytest.mark.parametrize(
    ("withdrawn", "remaining"),
    [
        (("sharing",), consent("fetch_from_gp")),  # sharing withdrawn altogether
        (("sharing",), consent("sharing", share_with=("respite_service",))),  # no longer with the partner
        (("processing",), None),  # everything withdrawn
    ],
    ids=["sharing", "sharing-with-the-partner", "processing"],
)
async def test_withdrawing_the_consent_to_share_revokes_the_partners_grant(
    app: FastAPI, client: httpx.AsyncClient, withdrawn: tuple[str, ...], remaining: Any
) -> None:
    opened = await open_assessment(
        app, client, HOLTALEN, service_code="bpa", consent=consent("sharing", share_with=("respite_service", PARTNER))
    )
    assert (await client.post(f"/assessments/{opened['id']}/handover", headers=auth(app, HOLTALEN))).status_code == 200
    partner = auth(app, PARTNER)
    assert (await client.get(f"/assessments/{opened['id']}", headers=partner)).status_code == 200

    await deliver(app, withdrawal_event(opened["case_id"], HOLTALEN, withdrawn=withdrawn, remaining=remaining))

    read = await client.get(f"/assessments/{opened['id']}", headers=partner)
    listing = (await client.get("/assessments", headers=partner)).json()
    write = await client.put(
        f"/assessments/{opened['id']}/functional-scores",
        json={"assessed_on": TODAY.isoformat(), "scores": {"eating": 2}},
        headers=partner,
    )
    home = await client.get(f"/assessments/{opened['id']}", headers=auth(app, HOLTALEN))
    assert (read.status_code, write.status_code, listing["total"]) == (404, 404, 0)
    assert home.status_code == 200
    assert home.json()["handed_over_to"] == []
    assert await count(app, assessment_db.case_access) == 1  # the grant stays on record, revoked


async def test_withdrawing_sharing_with_another_code_keeps_the_partners_grant(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await open_assessment(
        app, client, HOLTALEN, service_code="bpa", consent=consent("sharing", share_with=("respite_service", PARTNER))
    )
    await client.post(f"/assessments/{opened['id']}/handover", headers=auth(app, HOLTALEN))

    await deliver(
        app,
        withdrawal_event(
            opened["case_id"], HOLTALEN, withdrawn=("sharing",), remaining=consent("sharing", share_with=(PARTNER,))
        ),
    )

    assert (await client.get(f"/assessments/{opened['id']}", headers=auth(app, PARTNER))).status_code == 200
