"""The grounds of a child coordinator (helse- og omsorgstjenesteloven § 7-2 a) on the referral: a child expected in
pregnancy, a born child, an adopted child allocated or a child in child welfare's care; no child coordinator
starts before the day of the allocation or the takeover of care."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from contracts.coordination import CoordinatorRole, ReferralKind, RequestedRight
from contracts.intake import ChildCoordinatorGrounds
from servicekit.actor import Actor
from servicekit.clock import FixedClock
from servicekit.consumer import Outcome as Delivery
from servicekit.errors import Conflict
from servicekit.tenants import CoordinatingUnit, CoordinationSettings, Serves
from servicekit.testing import fields_named, runtime_of
from services.coordination import commands
from services.coordination.db import Referrals
from services.coordination.domain import Referral, RightOutcome, check_child_coordinator_start
from services.coordination.tests.support import HOLTALEN, auth, child_application_event, decision_made, deliver

G = ChildCoordinatorGrounds
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TAKEN_OVER = date(2026, 11, 30)
SETTINGS = CoordinationSettings(units=[CoordinatingUnit(code="ke_children", name="KE", serves=Serves.ALL)])
KE = Actor("kari", HOLTALEN, frozenset({"caseworker"}))
JUDGEMENT = "Barnevernet har overtatt omsorgen; oppfølging fra BUP og helsestasjonen."


# --- the rule -----------------------------------------------------------------------------------


def test_a_child_coordinator_starts_on_the_day_of_the_grounds_at_the_earliest() -> None:
    check_child_coordinator_start(G.CHILD_WELFARE_CARE, TAKEN_OVER, TAKEN_OVER)
    check_child_coordinator_start(G.BORN_CHILD, None, date(2026, 1, 1))
    with pytest.raises(Conflict, match="child_welfare_care starts on 2026-11-30") as refused:
        check_child_coordinator_start(G.CHILD_WELFARE_CARE, TAKEN_OVER, TAKEN_OVER - timedelta(days=1))
    assert refused.value.field == "grounds_since"


@pytest.mark.parametrize(
    ("overrides", "grounds", "since"),
    [
        ({}, G.EXPECTED_CHILD, None),
        ({"child_person_id": "child-1", "expected_birth_on": None}, G.BORN_CHILD, None),
        (
            {
                "child_person_id": "child-1",
                "expected_birth_on": None,
                "grounds": G.ADOPTION_ALLOCATED,
                "grounds_since": date(2026, 10, 1),
            },
            G.ADOPTION_ALLOCATED,
            date(2026, 10, 1),
        ),
    ],
    ids=["older-producer-in-pregnancy", "older-producer-born", "adoption"],
)
def test_the_referral_records_the_grounds_and_their_day(
    overrides: dict[str, object], grounds: ChildCoordinatorGrounds, since: date | None
) -> None:
    event = child_application_event(HOLTALEN, **overrides)

    referral, _ = Referral.open_child_application(HOLTALEN, event.data, SETTINGS, NOW)

    assert (referral.grounds, referral.grounds_since) == (grounds, since)


def _granted(**grounds: object) -> Referral:
    referral = Referral(
        id="r-1",
        municipality=HOLTALEN,
        case_id="case-1",
        kind=ReferralKind.CHILD_COORDINATOR_APPLICATION,
        person_id="child-1",
        requested=(RequestedRight.CHILD_COORDINATOR,),
        unit="ke_children",
        involves_child=True,
        received_on=date(2026, 11, 20),
        created_at=NOW,
        updated_at=NOW,
        **grounds,  # type: ignore[arg-type]
    )
    referral.outcomes[RequestedRight.CHILD_COORDINATOR] = RightOutcome.GRANTED
    return referral


def _appoint(referral: Referral, now: datetime) -> None:
    referral.appoint(
        KE,
        role=CoordinatorRole.CHILD_COORDINATOR,
        coordinator="hilde",
        unit="ke_children",
        wishes=None,
        wishes_met=None,
        units={"ke_children"},
        now=now,
    )


def test_a_child_coordinator_is_not_appointed_before_child_welfare_took_over_care() -> None:
    referral = _granted(grounds=G.CHILD_WELFARE_CARE, grounds_since=TAKEN_OVER)

    with pytest.raises(Conflict) as refused:
        _appoint(referral, NOW)

    assert refused.value.field == "grounds_since"
    assert referral.appointments == []
    _appoint(referral, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    assert referral.current_coordinator is not None


def test_a_plain_coordinator_is_not_bound_by_the_child_grounds() -> None:
    referral = _granted(grounds=G.CHILD_WELFARE_CARE, grounds_since=TAKEN_OVER)
    referral.requested = (RequestedRight.COORDINATOR,)
    referral.outcomes = {RequestedRight.COORDINATOR: RightOutcome.GRANTED}

    referral.appoint(
        KE,
        role=CoordinatorRole.COORDINATOR,
        coordinator="anne",
        unit="ke_children",
        wishes=None,
        wishes_met=None,
        units={"ke_children"},
        now=NOW,
    )

    assert referral.current_coordinator is not None


# --- the use case -------------------------------------------------------------------------------


async def test_a_consumed_application_keeps_its_grounds_on_the_saved_referral(app: FastAPI) -> None:
    event = child_application_event(
        HOLTALEN,
        child_person_id="child-1",
        expected_birth_on=None,
        grounds=G.ADOPTION_ALLOCATED,
        grounds_since=date(2026, 10, 1),
    )
    async with runtime_of(app).db.unit_of_work(Actor.service("coordination", HOLTALEN)) as uow:
        await commands.open_child_application(event, uow)
        await uow.commit()

    async with runtime_of(app).db.unit_of_work(KE) as uow:
        referral = await Referrals(uow).by_case(event.data.case_id)

    assert referral is not None
    assert (referral.grounds, referral.grounds_since) == (G.ADOPTION_ALLOCATED, date(2026, 10, 1))


# --- over HTTP ----------------------------------------------------------------------------------


async def test_the_grounds_show_on_the_referral_and_refuse_an_appointment_before_their_day(
    app: FastAPI, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    event = child_application_event(
        HOLTALEN,
        child_person_id="child-1",
        expected_birth_on=None,
        grounds=G.CHILD_WELFARE_CARE,
        grounds_since=TAKEN_OVER,
    )
    assert await deliver(app, event) is Delivery.PROCESSED
    headers = auth(app, HOLTALEN, unit="ke_children")
    [summary] = (await client.get("/referrals", headers=headers)).json()["items"]
    rid = summary["id"]
    read = (await client.get(f"/referrals/{rid}", headers=headers)).json()
    assert (read["grounds"], read["grounds_since"]) == ("child_welfare_care", "2026-11-30")
    body = {"long_term_need": True, "judgement": JUDGEMENT, "proposals": {"child_coordinator": {"result": "grant"}}}
    assert (await client.put(f"/referrals/{rid}/assessment", json=body, headers=headers)).status_code == 200
    assert (await client.post(f"/referrals/{rid}/decision-requests", headers=headers)).status_code == 200
    made = decision_made(HOLTALEN, event.subject, "child-1", "child_coordinator")
    assert await deliver(app, made) is Delivery.PROCESSED
    appointment = {"role": "child_coordinator", "coordinator": "hilde", "unit": "public_health_nurse"}

    early = await client.post(f"/referrals/{rid}/coordinator", json=appointment, headers=headers)

    assert early.status_code == 409, early.text
    assert fields_named(early.json()) == {"grounds_since"}
    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    on_the_day = await client.post(f"/referrals/{rid}/coordinator", json=appointment, headers=headers)
    assert on_the_day.status_code == 201, on_the_day.text
