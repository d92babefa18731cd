"""Cases of every kind over HTTP: registered persons, routing of children, referrals, child coordinators,
emergency measures by units, withdrawal; nothing is written when a request is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from contracts.intake import (
    ApplicationRegistered,
    ApplicationWithdrawn,
    Channel,
    ChildCoordinatorApplicationRegistered,
    CoordinationReferralRegistered,
    EmergencyMeasureRegistered,
    Sender,
)
from servicekit.testing import fields_named, outbox_events
from services.intake.tests.support import (
    CONSENT,
    HOLTALEN,
    NOTHING,
    NOW,
    PROBLEM,
    SELBU,
    TODAY,
    TOLGA,
    application_body,
    auth,
    case_rows,
    outbox_rows,
    referral_body,
    register_person,
)

ADULT = date(1950, 6, 1)
CHILD = date(2015, 5, 5)  # 10 on 2 March 2026


async def events(app: FastAPI) -> list[Any]:
    return [event.data for _, event in await outbox_events(app)]


async def post(
    client: httpx.AsyncClient, app: FastAPI, path: str, body: dict[str, Any], municipality: str = TOLGA, **kw: Any
) -> httpx.Response:
    return await client.post(path, json=body, headers=auth(app, municipality, **kw))


def assert_refused(response: httpx.Response, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    problem: dict[str, Any] = response.json()
    if field is not None:
        assert field in fields_named(problem), problem
        assert field in problem["detail"], problem
    return problem


# --- service applications -----------------------------------------------------------------------


async def test_an_application_for_an_unregistered_person_is_422_naming_person_id_and_writes_nothing(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    response = await post(client, app, "/applications", application_body("p-1"))

    problem = assert_refused(response, 422, "person_id")
    assert "POST /persons" in problem["detail"]
    assert await case_rows(app) == NOTHING


async def test_a_person_registered_in_another_municipality_is_unknown_here(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    selbu_person = await register_person(client, app, municipality=SELBU)

    response = await post(client, app, "/applications", application_body(selbu_person))

    assert_refused(response, 422, "person_id")
    assert await case_rows(app) == NOTHING


async def test_an_adults_application_goes_to_the_allocation_office_and_involves_no_child(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    person = await register_person(client, app, ADULT, municipality=HOLTALEN)

    response = await post(client, app, "/applications", application_body(person), HOLTALEN)

    assert response.status_code == 201
    case = response.json()
    assert (case["kind"], case["route"], case["involves_child"]) == ("service_application", "allocation_office", False)
    assert (case["emergency_measure"], case["decide_at_first_meeting"]) == (False, False)
    [event] = await events(app)
    assert (event.route, event.involves_child, event.emergency_measure) == ("allocation_office", False, False)


async def test_a_childs_application_goes_to_the_childrens_unit_where_there_is_one(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    child = await register_person(client, app, CHILD, municipality=HOLTALEN)

    response = await post(client, app, "/applications", application_body(child, service_code="respite"), HOLTALEN)

    assert response.status_code == 201
    assert (response.json()["route"], response.json()["involves_child"]) == ("children_unit", True)
    [event] = await events(app)
    assert isinstance(event, ApplicationRegistered)
    assert (event.route, event.involves_child) == ("children_unit", True)


async def test_a_childs_application_stays_with_the_allocation_office_where_there_is_no_childrens_unit(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    child = await register_person(client, app, CHILD)

    response = await post(client, app, "/applications", application_body(child))

    assert (response.json()["route"], response.json()["involves_child"]) == ("allocation_office", True)


@pytest.mark.parametrize(
    ("born", "route", "child"),
    [(date(2008, 3, 3), "children_unit", True), (date(2008, 3, 2), "allocation_office", False)],
    ids=["17-on-receipt", "18-on-receipt"],
)
async def test_a_person_is_a_child_until_the_18th_birthday_on_the_receipt_date(
    app: FastAPI, client: httpx.AsyncClient, born: date, route: str, child: bool
) -> None:
    person = await register_person(client, app, born, municipality=HOLTALEN)

    response = await post(client, app, "/applications", application_body(person, received_on="2026-03-02"), HOLTALEN)

    assert (response.json()["route"], response.json()["involves_child"]) == (route, child)


async def test_children_as_next_of_kin_make_an_adults_case_involve_a_child(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    person = await register_person(client, app, ADULT, municipality=HOLTALEN)

    response = await post(client, app, "/applications", application_body(person, children_involved=True), HOLTALEN)

    assert (response.json()["route"], response.json()["involves_child"]) == ("allocation_office", True)
    [event] = await events(app)
    assert event.involves_child is True


async def test_an_application_received_before_the_person_was_born_is_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    baby = await register_person(client, app, date(2026, 5, 1))

    response = await post(client, app, "/applications", application_body(baby, received_on="2026-03-02"))

    assert_refused(response, 422, "received_on")
    assert await case_rows(app) == NOTHING


@pytest.mark.parametrize("channel", list(Channel))
async def test_every_channel_is_accepted(app: FastAPI, client: httpx.AsyncClient, channel: Channel) -> None:
    person = await register_person(client, app)

    response = await post(client, app, "/applications", application_body(person, channel=channel.value))

    assert response.status_code == 201
    assert response.json()["channel"] == channel.value


@pytest.mark.parametrize("sender", list(Sender))
async def test_every_sender_is_accepted(app: FastAPI, client: httpx.AsyncClient, sender: Sender) -> None:
    person = await register_person(client, app)

    response = await post(client, app, "/applications", application_body(person, sender=sender.value))

    assert response.status_code == 201
    assert response.json()["sender"] == sender.value


@pytest.mark.parametrize(
    ("consent", "field"),
    [
        ({"form": "oral", "given_by": "guardian", "scope": ["processing", "sharing"]}, "consent.share_with"),
        (
            {"form": "oral", "given_by": "parents", "scope": ["processing", "sharing"], "share_with": ["nasa"]},
            "consent.share_with",
        ),
        (
            {"form": "oral", "given_by": "person", "scope": ["processing"], "share_with": ["home_care"]},
            "consent.share_with",
        ),
        ({"form": "telepathic", "given_by": "person", "scope": ["processing"]}, "consent.form"),
        ({"form": "oral", "given_by": "neighbour", "scope": ["processing"]}, "consent.given_by"),
    ],
    ids=["sharing-with-nobody", "unknown-code", "codes-without-sharing", "unknown-form", "unknown-giver"],
)
async def test_invalid_consent_is_422_naming_the_field_and_writes_nothing(
    app: FastAPI, client: httpx.AsyncClient, consent: dict[str, Any], field: str
) -> None:
    person = await register_person(client, app)

    response = await post(client, app, "/applications", application_body(person, consent=consent))

    assert_refused(response, 422, field)
    assert await case_rows(app) == NOTHING


async def test_consent_sharing_with_services_and_units_of_the_municipality_is_registered(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    person = await register_person(client, app)
    consent = {
        "form": "written",
        "given_by": "guardian",
        "scope": ["processing", "sharing", "fetch_from_gp", "fetch_from_hospital"],
        "share_with": ["home_care", "practical_assistance"],
    }

    response = await post(client, app, "/applications", application_body(person, consent=consent))

    assert response.status_code == 201
    assert response.json()["consent"] == consent


# --- coordination referrals ---------------------------------------------------------------------


async def test_a_referral_is_journaled_for_the_coordinating_unit_and_recorded_as_an_event(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    person = await register_person(client, app)
    await post(client, app, "/applications", application_body(person))

    response = await post(client, app, "/referrals", referral_body(person))

    assert response.status_code == 201, response.text
    case = response.json()
    assert case["journal_number"] == "2026/000002", "referrals share the municipality's journal"
    assert (case["kind"], case["route"], case["requested"]) == (
        "coordination_referral",
        "coordinating_unit",
        ["coordinator", "individual_plan"],
    )
    assert case["service_code"] is None
    event = (await events(app))[-1]
    assert event == CoordinationReferralRegistered(
        case_id=case["case_id"],
        journal_number="2026/000002",
        person_id=person,
        channel=Channel.HOSPITAL_MESSAGE,
        sender=Sender.HOSPITAL,
        requested=["coordinator", "individual_plan"],  # type: ignore[list-item]
        received_on=date(2026, 3, 2),
        consent={"form": "oral", "given_by": "person", "scope": ["processing"]},  # type: ignore[arg-type]
        route="coordinating_unit",  # type: ignore[arg-type]
        involves_child=False,
    )


async def test_a_childs_referral_goes_to_the_childrens_unit_where_there_is_one(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    child = await register_person(client, app, CHILD, municipality=HOLTALEN)

    response = await post(client, app, "/referrals", referral_body(child, requested=["individual_plan"]), HOLTALEN)

    assert (response.json()["route"], response.json()["involves_child"]) == ("children_unit", True)
    [event] = await events(app)
    assert (event.route, event.involves_child) == ("children_unit", True)
    assert event.person_birth_on == CHILD, "the coordinating unit plans a small child's home visit from it"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"requested": []}, "requested"),
        ({"requested": ["respite"]}, "requested.0"),
        ({"requested": ["coordinator", "coordinator"]}, "requested"),
        ({"person_id": "p-unknown"}, "person_id"),
        ({"sender": "stranger"}, "sender"),
        ({"consent": {"form": "oral", "given_by": "person", "scope": ["sharing"]}}, "consent.scope"),
    ],
    ids=["nothing-requested", "unknown-need", "twice", "unregistered-person", "unknown-sender", "no-processing"],
)
async def test_an_invalid_referral_is_422_naming_the_field_and_writes_nothing(
    app: FastAPI, client: httpx.AsyncClient, overrides: dict[str, Any], field: str
) -> None:
    person = await register_person(client, app)

    response = await post(client, app, "/referrals", {**referral_body(person), **overrides})

    assert_refused(response, 422, field)
    assert await case_rows(app) == NOTHING


# --- child coordinator applications -------------------------------------------------------------


def child_coordinator_body(applicant: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "applicant_person_id": applicant,
        "channel": "digital_form",
        "sender": "applicant",
        "received_on": "2026-11-02",
        "consent": {"form": "written", "given_by": "parents", "scope": ["processing", "fetch_from_hospital"]},
    }
    body.update(overrides)
    return body


async def test_parents_apply_for_a_child_coordinator_for_their_child(app: FastAPI, client: httpx.AsyncClient) -> None:
    parent = await register_person(client, app, date(1988, 2, 2), municipality=HOLTALEN)
    child = await register_person(client, app, CHILD, municipality=HOLTALEN)

    response = await post(
        client, app, "/child-coordinator-applications", child_coordinator_body(parent, child_person_id=child), HOLTALEN
    )

    assert response.status_code == 201, response.text
    case = response.json()
    assert (case["kind"], case["person_id"], case["applicant_person_id"], case["expected_birth_on"]) == (
        "child_coordinator_application",
        child,
        parent,
        None,
    )
    assert (case["route"], case["involves_child"]) == ("children_unit", True)
    [event] = await events(app)
    assert isinstance(event, ChildCoordinatorApplicationRegistered)
    assert (event.child_person_id, event.applicant_person_id, event.route) == (child, parent, "children_unit")


async def test_a_child_coordinator_may_be_applied_for_in_pregnancy(app: FastAPI, client: httpx.AsyncClient) -> None:
    parent = await register_person(client, app, date(1990, 9, 9))

    response = await post(
        client, app, "/child-coordinator-applications", child_coordinator_body(parent, expected_birth_on="2027-04-15")
    )

    assert response.status_code == 201, response.text
    case = response.json()
    assert (case["person_id"], case["expected_birth_on"], case["route"]) == (None, "2027-04-15", "coordinating_unit")
    [event] = await events(app)
    assert (event.child_person_id, event.expected_birth_on) == (None, date(2027, 4, 15))


async def test_expecting_parents_apply_together_in_pregnancy_and_both_are_on_the_case_and_the_event(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    mother = await register_person(client, app, date(1990, 9, 9))
    father = await register_person(client, app, date(1989, 1, 3))
    body = child_coordinator_body(mother, expected_birth_on="2027-04-15", co_applicant_person_id=father)

    response = await post(client, app, "/child-coordinator-applications", body)

    assert response.status_code == 201, response.text
    case = response.json()
    assert (case["applicant_person_id"], case["co_applicant_person_id"]) == (mother, father)
    [event] = await events(app)
    assert (event.applicant_person_id, event.co_applicant_person_id) == (mother, father)
    listed = await client.get("/applications", params={"person_id": father}, headers=auth(app))
    assert [c["case_id"] for c in listed.json()["items"]] == [case["case_id"]]


@pytest.mark.parametrize(
    ("child_fields", "field", "word"),
    [
        ({"child_person_id": "CHILD", "expected_birth_on": "2027-04-15"}, "child_person_id", "not both"),
        (
            {"child_person_id": "CHILD", "co_applicant_person_id": "OTHER"},
            "co_applicant_person_id",
            "only in pregnancy",
        ),
        (
            {"expected_birth_on": "2027-04-15", "co_applicant_person_id": "PARENT"},
            "co_applicant_person_id",
            "not the applicant",
        ),
        (
            {"expected_birth_on": "2027-04-15", "co_applicant_person_id": "p-unknown"},
            "co_applicant_person_id",
            "POST /persons",
        ),
        ({}, "child_person_id", "not neither"),
        ({"expected_birth_on": "2026-11-02"}, "expected_birth_on", "after received_on"),
        ({"expected_birth_on": "2027-09-03"}, "expected_birth_on", "10 months"),
        ({"child_person_id": "ADULT"}, "child_person_id", "under 18"),
        ({"child_person_id": "p-unknown"}, "child_person_id", "POST /persons"),
        ({"child_person_id": "PARENT"}, "applicant_person_id", "not the child"),
    ],
    ids=[
        "both",
        "co-applicant-of-a-born-child",
        "co-applicant-is-the-applicant",
        "co-applicant-unregistered",
        "neither",
        "birth-not-after-receipt",
        "birth-too-far-ahead",
        "adult",
        "unregistered",
        "self",
    ],
)
async def test_an_invalid_child_coordinator_application_is_422_with_a_clear_rule_and_writes_nothing(
    app: FastAPI, client: httpx.AsyncClient, child_fields: dict[str, str], field: str, word: str
) -> None:
    parent = await register_person(client, app, date(1988, 2, 2))
    child = await register_person(client, app, CHILD)
    adult = await register_person(client, app, date(2008, 11, 2))  # 18 on the receipt date
    other = await register_person(client, app, date(1987, 3, 3))
    ids = {"CHILD": child, "ADULT": adult, "PARENT": parent, "OTHER": other}
    body = child_coordinator_body(parent, **{k: ids.get(v, v) for k, v in child_fields.items()})

    response = await post(client, app, "/child-coordinator-applications", body)

    problem = assert_refused(response, 422, field)
    assert word in problem["detail"]
    assert await case_rows(app) == NOTHING


async def test_an_unregistered_applicant_is_refused(app: FastAPI, client: httpx.AsyncClient) -> None:
    child = await register_person(client, app, CHILD)

    response = await post(
        client, app, "/child-coordinator-applications", child_coordinator_body("p-unknown", child_person_id=child)
    )

    assert_refused(response, 422, "applicant_person_id")
    assert await case_rows(app) == NOTHING


# --- emergency measures -------------------------------------------------------------------------


def emergency_body(person: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "person_id": person,
        "service_code": "home_nursing",
        "started_at": (NOW - timedelta(days=1)).isoformat(),
        "what": "Evening visit to help with insulin",
        "why": "Discharged from hospital on a Saturday night",
        "consent": {"form": "oral", "given_by": "person", "scope": ["processing"]},
    }
    body.update(overrides)
    return body


async def register_emergency(client: httpx.AsyncClient, app: FastAPI, person: str, **overrides: Any) -> httpx.Response:
    return await post(
        client, app, "/emergency-measures", emergency_body(person, **overrides), roles=("unit",), unit="home_care"
    )


async def test_a_unit_registers_an_emergency_measure_for_the_first_allocation_meeting(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    person = await register_person(client, app)
    started_at = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)  # Sunday 00:30 in Norway

    response = await register_emergency(client, app, person, started_at=started_at.isoformat())

    assert response.status_code == 201, response.text
    case = response.json()
    assert (case["kind"], case["status"], case["journal_number"]) == ("emergency_measure", "registered", "2026/000001")
    assert (case["emergency_measure"], case["decide_at_first_meeting"]) == (True, True)
    assert (case["channel"], case["sender"], case["service_code"]) == ("other_unit", "unit", "home_nursing")
    assert case["received_on"] == "2026-11-22", "the Norwegian date the service started"
    assert case["emergency_details"]["unit"] == "home_care"
    assert case["emergency_details"]["what"] == "Evening visit to help with insulin"


async def test_an_emergency_measure_emits_its_own_event_and_an_application_for_the_journey_downstream(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    person = await register_person(client, app)
    started_at = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)

    case = (await register_emergency(client, app, person, started_at=started_at.isoformat())).json()

    measure, application = await events(app)
    assert measure == EmergencyMeasureRegistered(
        case_id=case["case_id"],
        journal_number=case["journal_number"],
        person_id=person,
        unit="home_care",
        service_code="home_nursing",
        started_at=started_at,
        registered_at=datetime.fromisoformat(case["created_at"]),
    )
    assert application == ApplicationRegistered(
        case_id=case["case_id"],
        journal_number=case["journal_number"],
        person_id=person,
        channel=Channel.OTHER_UNIT,
        sender=Sender.UNIT,
        service_code="home_nursing",
        received_on=date(2026, 11, 22),
        consent={"form": "oral", "given_by": "person", "scope": ["processing"]},  # type: ignore[arg-type]
        route="allocation_office",  # type: ignore[arg-type]
        involves_child=False,
        emergency_measure=True,
    )
    payloads = " ".join(row.payload for row in await outbox_rows(app))
    assert "insulin" not in payloads, "free text stays in intake"
    assert "Saturday" not in payloads, "free text stays in intake"


async def test_what_and_why_are_read_back_on_the_case_but_not_in_the_worklist(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    person = await register_person(client, app)
    case = (await register_emergency(client, app, person)).json()

    single = (await client.get(f"/applications/{case['case_id']}", headers=auth(app))).json()
    listing = (await client.get("/applications", headers=auth(app))).json()

    assert single["emergency_details"]["why"] == "Discharged from hospital on a Saturday night"
    assert single["decide_at_first_meeting"] is True
    [item] = listing["items"]
    assert item["decide_at_first_meeting"] is True
    assert item["emergency_details"] is None


async def test_a_childs_emergency_measure_goes_to_the_childrens_unit(app: FastAPI, client: httpx.AsyncClient) -> None:
    child = await register_person(client, app, CHILD, municipality=HOLTALEN)

    response = await post(
        client,
        app,
        "/emergency-measures",
        emergency_body(child, service_code="respite"),
        HOLTALEN,
        roles=("unit",),
        unit="respite_service",
    )

    assert response.status_code == 201
    assert (response.json()["route"], response.json()["involves_child"]) == ("children_unit", True)


@pytest.mark.parametrize(
    ("roles", "unit"),
    [
        (("caseworker",), None),
        (("caseworker",), "home_care"),
        (("unit",), None),
        (("unit",), "respite_service"),
        (("leader",), "home_care"),
    ],
    ids=["caseworker", "caseworker-with-unit", "unit-without-claim", "unit-of-another-municipality", "leader"],
)
async def test_only_a_unit_of_the_municipality_registers_emergency_measures_and_nothing_is_written_otherwise(
    app: FastAPI, client: httpx.AsyncClient, roles: tuple[str, ...], unit: str | None
) -> None:
    person = await register_person(client, app)

    response = await post(client, app, "/emergency-measures", emergency_body(person), roles=roles, unit=unit)

    assert_refused(response, 403)
    assert await case_rows(app) == NOTHING


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"started_at": (NOW + timedelta(hours=1)).isoformat()}, "started_at"),
        ({"started_at": "2026-11-21T22:15:00"}, "started_at"),
        ({"service_code": "space_travel"}, "service_code"),
        ({"person_id": "p-unknown"}, "person_id"),
        ({"what": ""}, "what"),
        ({"why": "   "}, "why"),
        ({"consent": None}, "consent"),
        ({"municipality": SELBU}, "municipality"),
    ],
    ids=["future", "naive", "unknown-service", "unregistered", "no-what", "blank-why", "no-consent", "municipality"],
)
async def test_an_invalid_emergency_measure_is_422_naming_the_field_and_writes_nothing(
    app: FastAPI, client: httpx.AsyncClient, overrides: dict[str, Any], field: str
) -> None:
    person = await register_person(client, app)

    response = await register_emergency(client, app, person, **overrides)

    assert_refused(response, 422, field)
    assert await case_rows(app) == NOTHING


# --- every kind can be withdrawn ----------------------------------------------------------------


async def register_each_kind(client: httpx.AsyncClient, app: FastAPI) -> dict[str, dict[str, Any]]:
    parent = await register_person(client, app)
    child = await register_person(client, app, CHILD)
    responses = {
        "service_application": await post(client, app, "/applications", application_body(parent)),
        "coordination_referral": await post(client, app, "/referrals", referral_body(parent)),
        "child_coordinator_application": await post(
            client, app, "/child-coordinator-applications", child_coordinator_body(parent, child_person_id=child)
        ),
        "emergency_measure": await register_emergency(client, app, parent),
    }
    assert {kind: r.status_code for kind, r in responses.items()} == dict.fromkeys(responses, 201)
    return {kind: r.json() for kind, r in responses.items()}


async def test_every_kind_of_case_can_be_withdrawn_once_and_the_withdrawal_is_an_event(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    cases = await register_each_kind(client, app)
    withdrawn_on = TODAY.isoformat()

    for kind, case in cases.items():
        path = f"/applications/{case['case_id']}/withdrawal"
        response = await client.post(path, json={"withdrawn_on": withdrawn_on}, headers=auth(app))
        again = await client.post(path, json={"withdrawn_on": withdrawn_on}, headers=auth(app))

        assert response.status_code == 200, (kind, response.text)
        assert (response.json()["status"], response.json()["kind"]) == ("withdrawn", kind)
        assert again.status_code == 409
    withdrawals = [e for e in await events(app) if isinstance(e, ApplicationWithdrawn)]
    assert sorted(e.case_id for e in withdrawals) == sorted(c["case_id"] for c in cases.values())


async def test_a_withdrawal_dated_in_the_future_is_refused(app: FastAPI, client: httpx.AsyncClient) -> None:
    person = await register_person(client, app)
    case = (await post(client, app, "/applications", application_body(person))).json()
    before = len(await outbox_rows(app))

    response = await client.post(
        f"/applications/{case['case_id']}/withdrawal",
        json={"withdrawn_on": (TODAY + timedelta(days=2)).isoformat()},
        headers=auth(app),
    )

    assert_refused(response, 422, "withdrawn_on")
    assert len(await outbox_rows(app)) == before


async def test_only_caseworkers_register_referrals_and_child_coordinator_applications(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    person = await register_person(client, app)
    child = await register_person(client, app, CHILD)

    referral = await post(client, app, "/referrals", referral_body(person), roles=("unit",), unit="home_care")
    child_coordinator = await post(
        client,
        app,
        "/child-coordinator-applications",
        child_coordinator_body(person, child_person_id=child),
        roles=("coordinator",),
    )

    assert (referral.status_code, child_coordinator.status_code) == (403, 403)
    assert await case_rows(app) == NOTHING


async def test_consent_without_processing_is_refused_for_every_kind(app: FastAPI, client: httpx.AsyncClient) -> None:
    person = await register_person(client, app)
    child = await register_person(client, app, CHILD)
    no_processing = {**CONSENT, "scope": ["fetch_from_gp"]}

    responses = [
        await post(client, app, "/applications", application_body(person, consent=no_processing)),
        await post(client, app, "/referrals", referral_body(person, consent=no_processing)),
        await post(
            client,
            app,
            "/child-coordinator-applications",
            child_coordinator_body(person, child_person_id=child, consent=no_processing),
        ),
        await register_emergency(client, app, person, consent=no_processing),
    ]

    for response in responses:
        assert_refused(response, 422, "consent.scope")
    assert await case_rows(app) == NOTHING
