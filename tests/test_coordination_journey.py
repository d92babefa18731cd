"""The coordinating unit's routine across intake, coordination and decision on real Kafka and PostgreSQL:

(a) Ålesund: a hospital refers a newborn, with the parents' oral consent → a home visit is planned → the
    criteria are met → the office decides the rights → a coordinator is appointed with a unit → the parents
    decline the individual plan and the coordinator stays;
(b) Selbu: a service area reports a need to ToK, which links in the services and chooses a responsibility
    group; the coordinator is chosen after that and the group meets;
(c) the annual report of each counts exactly what (a) and (b) did.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from tests.helpers import E2E_NOW, register_person, wait_for
from tests.platform import Platform

pytestmark = pytest.mark.infra

ALESUND, SELBU = "1508", "5032"
TODAY = E2E_NOW.date()  # Wednesday 11 November 2026 on the platform's clock


def _referral(running: Platform, municipality: str, person: str, *, sender: str, channel: str, given_by: str) -> str:
    body = {
        "person_id": person,
        "channel": channel,
        "sender": sender,
        "requested": ["coordinator", "individual_plan"],
        "received_on": "2026-11-09",
        "consent": {"form": "oral", "given_by": given_by, "scope": ["processing"]},
    }
    response = httpx.post(
        f"{running.services['intake'].url}/referrals", json=body, headers=running.token(municipality), timeout=10
    )
    assert response.status_code == 201, response.text
    case_id: str = response.json()["case_id"]
    return case_id


def _opened(running: Platform, municipality: str, case_id: str) -> dict[str, Any]:
    url, headers = running.services["coordination"].url, running.token(municipality)

    def found() -> dict[str, Any] | None:
        page = httpx.get(f"{url}/referrals", params={"case_id": case_id}, headers=headers, timeout=5).json()
        if not page.get("items"):
            return None
        referral: dict[str, Any] = httpx.get(
            f"{url}/referrals/{page['items'][0]['id']}", headers=headers, timeout=5
        ).json()
        return referral

    return wait_for(found, timeout_s=30, what=f"coordination to open the referral of case {case_id}")


def _send(running: Platform, municipality: str, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.request(
        method,
        f"{running.services['coordination'].url}{path}",
        json=body,
        headers=running.token(municipality),
        timeout=10,
    )
    assert response.status_code in (200, 201), f"{method} {path}: {response.status_code} {response.text}"
    answer: dict[str, Any] = response.json()
    return answer


def _grant_both(running: Platform, municipality: str, referral_id: str, case_id: str) -> None:
    """The unit assesses the criteria, asks the office for the decision, and the office grants both rights."""
    assessment = {
        "long_term_need": True,
        "services_from_different_providers": True,
        "judgement": "Langvarige og sammensatte behov; flere tjenester må samordnes.",
        "proposals": {"coordinator": {"result": "grant"}, "individual_plan": {"result": "grant"}},
    }
    assessed = _send(running, municipality, "PUT", f"/referrals/{referral_id}/assessment", assessment)
    assert assessed["assessment"]["criteria_met"] is True
    _send(running, municipality, "POST", f"/referrals/{referral_id}/decision-requests", {})

    decision_url, headers = running.services["decision"].url, running.token(municipality)

    def awaiting() -> dict[str, Any] | None:
        case = httpx.get(f"{decision_url}/cases/{case_id}", headers=headers, timeout=5)
        if case.status_code != 200 or case.json()["awaiting"] != "requested":
            return None
        # one DecisionRequested per right: the case is ready once both have arrived
        if {r["right"] for r in case.json()["requests"]} != {"coordinator", "individual_plan"}:
            return None
        found: dict[str, Any] = case.json()
        return found

    case = wait_for(awaiting, timeout_s=30, what="the decision service to hold the requested rights")
    assert case["decided_by"] == "office"
    body = {
        "case_id": case_id,
        "outcome": "granted",
        "services": [
            {"service_code": "coordinator", "start_on": TODAY.isoformat()},
            {"service_code": "individual_plan", "start_on": TODAY.isoformat()},
        ],
    }
    made = httpx.post(f"{decision_url}/decisions", json=body, headers=headers, timeout=10)
    assert made.status_code == 201, made.text

    def granted() -> dict[str, Any] | None:
        referral: dict[str, Any] = httpx.get(
            f"{running.services['coordination'].url}/referrals/{referral_id}", headers=headers, timeout=5
        ).json()
        return referral if referral.get("outcomes", {}).get("coordinator") == "granted" else None

    wait_for(granted, timeout_s=30, what="coordination to learn that the rights were granted")


def _report(running: Platform, municipality: str) -> dict[str, dict[str, Any]]:
    response = httpx.get(
        f"{running.services['coordination'].url}/annual-reports/2026",
        headers=running.token(municipality, "leader"),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return {unit["unit"]: unit for unit in response.json()["units"]}


def test_a_newborn_referred_by_the_hospital_gets_a_coordinator_who_stays_when_the_parents_decline_the_plan(
    running: Platform,
) -> None:
    intake = running.services["intake"].url
    newborn = register_person(intake, running.token(ALESUND), date(2026, 11, 3), individual=500)
    case_id = _referral(running, ALESUND, newborn, sender="hospital", channel="hospital_message", given_by="parents")

    referral = _opened(running, ALESUND, case_id)
    assert referral["unit"] == "ke_habilitation"
    assert referral["home_visit"] is not None, "a newborn's referral plans a home visit when it arrives"
    assert date.fromisoformat(referral["home_visit"]["due_on"]) <= date(2026, 11, 23)

    _grant_both(running, ALESUND, referral["id"], case_id)
    appointed = _send(
        running,
        ALESUND,
        "POST",
        f"/referrals/{referral['id']}/coordinator",
        {
            "role": "coordinator",
            "coordinator": "ingrid",
            "unit": "home_care",
            "wishes": "Foreldrene ønsker en koordinator fra hjemmetjenesten.",
            "wishes_met": True,
        },
    )
    assert appointed["coordinator"]["coordinator"] == "ingrid"
    declined = _send(
        running,
        ALESUND,
        "POST",
        f"/referrals/{referral['id']}/change-notices",
        {"declined": "individual_plan", "declined_on": TODAY.isoformat()},
    )

    assert declined["plan_declined_on"] == TODAY.isoformat()
    assert declined["coordinator"]["coordinator"] == "ingrid", "the right to a coordinator does not need a plan"
    report = _report(running, ALESUND)["ke_habilitation"]
    assert (report["coordinators_active"], report["coordinators_appointed"]) == (1, 1)
    assert (report["individual_plans_created"], report["meetings_held"]) == (0, 0)


def test_a_selbu_service_area_reports_a_need_and_tok_links_the_services_in_a_responsibility_group(
    running: Platform,
) -> None:
    intake = running.services["intake"].url
    person = register_person(intake, running.token(SELBU), date(1961, 4, 20), individual=210)
    case_id = _referral(running, SELBU, person, sender="unit", channel="other_unit", given_by="person")
    referral = _opened(running, SELBU, case_id)
    assert referral["unit"] == "tok"
    _grant_both(running, SELBU, referral["id"], case_id)
    coordinator = {"role": "coordinator", "coordinator": "per", "unit": "home_care"}

    early = httpx.post(
        f"{running.services['coordination'].url}/referrals/{referral['id']}/coordinator",
        json=coordinator,
        headers=running.token(SELBU),
        timeout=10,
    )
    assert early.status_code == 409, "in Selbu the coordinator is chosen after the arrangement"
    arranged = _send(
        running,
        SELBU,
        "PUT",
        f"/referrals/{referral['id']}/arrangement",
        {"form": "responsibility_group", "linked_units": ["home_care"], "consent_on": TODAY.isoformat()},
    )
    assert arranged["arrangement"]["form"] == "responsibility_group"
    _send(running, SELBU, "POST", f"/referrals/{referral['id']}/coordinator", coordinator)
    meeting = _send(
        running,
        SELBU,
        "POST",
        f"/referrals/{referral['id']}/meetings",
        {"kind": "responsibility_group", "planned_on": TODAY.isoformat(), "invited": ["home_care"]},
    )
    _send(
        running,
        SELBU,
        "PUT",
        f"/meetings/{meeting['id']}/held",
        {"held_on": TODAY.isoformat(), "participants": ["coordinator", "person", "home_care"]},
    )

    report = _report(running, SELBU)["tok"]
    assert (report["coordinators_active"], report["coordinators_appointed"]) == (1, 1)
    assert report["meetings_held"] == 1
    assert report["meetings_by_kind"].get("responsibility_group") == 1
    assert report["meetings_per_coordinator"] == {"per": 1}
