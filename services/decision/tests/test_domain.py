"""Decision rules: content (§§ 24-25), appeal information (§ 27), who decides, approvals, reviews and clocks."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.decision import DecidedBy, DecisionKind, Outcome, ReviewResult
from servicekit.calendar import is_working_day, previous_working_day
from servicekit.errors import Conflict, DomainError, Forbidden
from servicekit.settings import REPO_ROOT
from servicekit.tenants import AppealRule, Authority, Tenants
from services.decision.domain import (
    AgendaState,
    AgendaStatus,
    AppealRoute,
    CaseAlreadyDecided,
    CaseStatus,
    CurrentDecision,
    DecisionStatus,
    Reasons,
    ServiceLine,
    appeal_information,
    appeal_route,
    approvals_complete,
    check_approver,
    check_content,
    check_decided_on,
    check_meeting_precondition,
    check_not_reopened,
    check_preliminary_reply,
    check_reviewable,
    check_rights_covered,
    decided_by,
    delivering_units,
    evaluation_due,
    review_due,
    review_plan,
)

TENANTS = Tenants.load(Path(REPO_ROOT) / "deploy" / "tenants")
TOLGA = TENANTS.get("3426")
FULL = Reasons("Bor alene.", "hol. § 3-2.", "Behovet dekkes med to besøk.")
NURSING = ServiceLine("home_nursing", 6.0, date(2026, 3, 16))


# --- reasons and content ------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", [Outcome.REFUSED, Outcome.PARTLY_GRANTED])
def test_a_refusal_or_partial_grant_without_reasons_is_rejected_naming_the_missing_part(outcome: Outcome) -> None:
    services = [] if outcome is Outcome.REFUSED else [NURSING]
    refused = ["home_nursing"] if outcome is Outcome.REFUSED else ["practical_assistance"]

    with pytest.raises(DomainError) as error:
        check_content(outcome, services, refused, None, Reasons(), tenant=TOLGA)

    assert error.value.field == "reasons.facts"
    assert "forvaltningsloven §§ 24-25" in error.value.detail


def test_a_refusal_with_facts_but_no_main_considerations_is_rejected() -> None:
    with pytest.raises(DomainError) as error:
        check_content(Outcome.REFUSED, [], ["home_nursing"], None, Reasons("f", "r", "  "), tenant=TOLGA)

    assert error.value.field == "reasons.considerations"


def test_a_full_grant_needs_no_reasons() -> None:
    content = check_content(Outcome.GRANTED, [NURSING], [], None, Reasons(), tenant=TOLGA)

    assert content.reasons.empty
    assert content.legal_basis == (
        "helse- og omsorgstjenesteloven § 3-2 første ledd nr. 6 bokstav a",
        "pasient- og brukerrettighetsloven § 2-1 a",
    )


def test_a_refusal_names_what_is_refused_and_grants_nothing() -> None:
    with pytest.raises(DomainError) as no_refused:
        check_content(Outcome.REFUSED, [], [], None, FULL, tenant=TOLGA)
    with pytest.raises(DomainError) as grants:
        check_content(Outcome.REFUSED, [NURSING], ["practical_assistance"], None, FULL, tenant=TOLGA)

    assert no_refused.value.field == "refused_services"
    assert grants.value.field == "services"


def test_a_grant_grants_a_service_from_the_catalogue_with_a_sound_period() -> None:
    with pytest.raises(DomainError) as none:
        check_content(Outcome.GRANTED, [], [], None, FULL, tenant=TOLGA)
    with pytest.raises(DomainError) as unknown:
        check_content(Outcome.GRANTED, [ServiceLine("spa", 1, date(2026, 3, 1))], [], None, FULL, tenant=TOLGA)
    backwards = ServiceLine("home_nursing", 1, date(2026, 3, 10), date(2026, 3, 1))
    with pytest.raises(DomainError) as period:
        check_content(Outcome.GRANTED, [backwards], [], None, FULL, tenant=TOLGA)

    assert none.value.field == "services"
    assert unknown.value.field == "services[0].service_code"
    assert period.value.field == "services[0].end_on"


def test_one_decision_cannot_join_services_with_different_appeal_routes() -> None:
    alarm = ServiceLine("safety_alarm", None, date(2026, 3, 16))

    with pytest.raises(DomainError, match="one decision per appeal route"):
        check_content(Outcome.GRANTED, [NURSING, alarm], [], None, FULL, tenant=TOLGA)


def test_a_legal_basis_given_replaces_the_catalogues_but_cannot_be_empty() -> None:
    content = check_content(Outcome.GRANTED, [NURSING], [], ["hol. § 3-2 (1) nr. 6 a"], Reasons(), tenant=TOLGA)
    assert content.legal_basis == ("hol. § 3-2 (1) nr. 6 a",)

    with pytest.raises(DomainError) as error:
        check_content(Outcome.GRANTED, [NURSING], [], [], Reasons(), tenant=TOLGA)
    assert error.value.field == "legal_basis"


# --- appeal information -------------------------------------------------------------------------


def test_health_and_care_services_are_appealed_to_statsforvalteren_within_four_weeks() -> None:
    route = appeal_route(["home_nursing"], TOLGA)
    info = appeal_information(route, date(2026, 3, 10), "Forvaltningskontoret")

    assert (info.appeal_body, info.deadline_weeks, info.deadline_on) == ("Statsforvalteren", 4, date(2026, 4, 7))
    assert info.legal_basis == "pasient- og brukerrettighetsloven § 7-5"
    assert info.submit_to == "Forvaltningskontoret"


def test_services_beyond_the_law_are_appealed_to_the_municipal_board_within_three_weeks() -> None:
    route = appeal_route(["safety_alarm"], TOLGA)
    info = appeal_information(route, date(2026, 3, 10), "Forvaltningskontoret")

    assert (info.appeal_body, info.deadline_weeks, info.deadline_on) == ("Kommunal klagenemnd", 3, date(2026, 3, 31))
    assert info.legal_basis == "forvaltningsloven § 29"


@pytest.mark.parametrize(
    ("code", "given", "rule", "weeks", "cited"),
    [
        # a caseworker's shorthand names neither act: the entry still says § 7-5
        (
            "home_nursing",
            "hol. § 3-2 (1) nr. 6 a",
            AppealRule.PASIENT_OG_BRUKERRETTIGHETSLOVEN_7_5,
            4,
            "pasient- og brukerrettighetsloven § 7-5",
        ),
        # a service beyond the law keeps its § 29, whatever act the decision cites
        (
            "safety_alarm",
            "helse- og omsorgstjenesteloven § 3-2",
            AppealRule.FORVALTNINGSLOVEN_29,
            3,
            "forvaltningsloven § 29",
        ),
    ],
)
def test_the_appeal_deadline_and_the_rule_cited_are_the_catalogue_entrys_whatever_legal_basis_the_decision_gives(
    code: str, given: str, rule: AppealRule, weeks: int, cited: str
) -> None:
    entry = TOLGA.service(code)
    assert entry is not None
    assert entry.appeal_rule is rule

    content = check_content(
        Outcome.GRANTED, [ServiceLine(code, None, date(2026, 3, 16))], [], [given], Reasons(), tenant=TOLGA
    )
    info = appeal_information(content.route, date(2026, 3, 10), "Forvaltningskontoret")

    assert content.route == AppealRoute(entry.appeal_body, rule)
    assert (info.appeal_body, info.deadline_weeks, info.legal_basis) == (entry.appeal_body, weeks, cited)


@pytest.mark.parametrize(
    ("decided_on", "weeks", "deadline_on", "why"),
    [
        (date(2026, 3, 12), 4, date(2026, 4, 9), "an ordinary Thursday"),
        (date(2026, 3, 5), 4, date(2026, 4, 7), "2 April is Maundy Thursday: Easter until Monday 6 April"),
        (date(2026, 4, 19), 4, date(2026, 5, 18), "17 May 2026 is a Sunday"),
        (date(2026, 11, 27), 4, date(2026, 12, 28), "Christmas Day Friday, Boxing Day Saturday, then Sunday"),
        (date(2026, 12, 11), 3, date(2027, 1, 4), "New Year's Day Friday, then the weekend"),
        (date(2026, 3, 7), 4, date(2026, 4, 7), "four weeks after a Saturday is Easter Saturday: Tuesday after Easter"),
    ],
)
def test_the_appeal_deadline_lands_on_a_working_day(decided_on: date, weeks: int, deadline_on: date, why: str) -> None:
    route = appeal_route(["home_nursing" if weeks == 4 else "safety_alarm"], TOLGA)

    info = appeal_information(route, decided_on, "Forvaltningskontoret")

    assert info.deadline_on == deadline_on, why


@given(decided_on=st.dates(min_value=date(2026, 1, 1), max_value=date(2032, 12, 31)))
def test_the_appeal_deadline_is_the_first_working_day_on_or_after_four_weeks(decided_on: date) -> None:
    info = appeal_information(appeal_route(["home_nursing"], TOLGA), decided_on, "F")

    plain = decided_on + timedelta(weeks=4)
    assert info.deadline_on >= plain
    assert is_working_day(info.deadline_on)
    assert all(not is_working_day(plain + timedelta(days=n)) for n in range((info.deadline_on - plain).days))


# --- who decides --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "authority", "expected"),
    [
        (DecisionKind.INITIAL, Authority.OFFICE, DecidedBy.OFFICE),
        (DecisionKind.INITIAL, Authority.MEETING, DecidedBy.MEETING),
        (DecisionKind.INITIAL, Authority.UNIT_LEADER, DecidedBy.UNIT_LEADER),
        (DecisionKind.REVIEW, Authority.UNIT_LEADER, DecidedBy.UNIT_LEADER),
        (DecisionKind.REVIEW, Authority.MEETING, DecidedBy.MEETING),
        (DecisionKind.REQUESTED, Authority.UNIT_LEADER, DecidedBy.OFFICE),
        (DecisionKind.REQUESTED, Authority.MEETING, DecidedBy.OFFICE),
        (DecisionKind.REVERSAL, Authority.UNIT_LEADER, DecidedBy.OFFICE),
        (DecisionKind.REVERSAL, Authority.MEETING, DecidedBy.OFFICE),
    ],
)
def test_requested_decisions_and_reversals_are_the_offices_and_the_rest_follow_the_municipality(
    kind: DecisionKind, authority: Authority, expected: DecidedBy
) -> None:
    assert decided_by(kind, authority) is expected


def _agenda(status: AgendaStatus, outcome: Outcome | None = None) -> AgendaState:
    return AgendaState(meeting_id="m-1", meeting_on=date(2026, 4, 1), status=status, outcome=outcome)


def test_where_the_meeting_decides_a_case_waits_for_the_meetings_conclusion() -> None:
    with pytest.raises(Conflict, match="no meeting's agenda"):
        check_meeting_precondition(
            DecidedBy.MEETING, emergency=False, has_meetings=True, agenda=None, outcome=Outcome.GRANTED
        )
    with pytest.raises(Conflict, match="record the meeting's conclusion first"):
        check_meeting_precondition(
            DecidedBy.MEETING,
            emergency=False,
            has_meetings=True,
            agenda=_agenda(AgendaStatus.OPEN),
            outcome=Outcome.GRANTED,
        )
    check_meeting_precondition(
        DecidedBy.MEETING,
        emergency=False,
        has_meetings=True,
        agenda=_agenda(AgendaStatus.CONCLUDED, Outcome.GRANTED),
        outcome=Outcome.GRANTED,
    )


def test_where_the_meeting_decides_the_decision_must_be_what_it_concluded() -> None:
    with pytest.raises(DomainError) as error:
        check_meeting_precondition(
            DecidedBy.MEETING,
            emergency=False,
            has_meetings=True,
            agenda=_agenda(AgendaStatus.CONCLUDED, Outcome.REFUSED),
            outcome=Outcome.GRANTED,
        )

    assert error.value.field == "outcome"


def test_an_emergency_measure_is_raised_at_its_meeting_before_the_office_or_leaders_decide() -> None:
    for by in (DecidedBy.OFFICE, DecidedBy.UNIT_LEADER):
        with pytest.raises(Conflict, match="emergency measure"):
            check_meeting_precondition(
                by, emergency=True, has_meetings=True, agenda=_agenda(AgendaStatus.OPEN), outcome=Outcome.GRANTED
            )
        check_meeting_precondition(
            by,
            emergency=True,
            has_meetings=True,
            agenda=_agenda(AgendaStatus.CONCLUDED, Outcome.GRANTED),
            outcome=Outcome.GRANTED,
        )
    # Without meetings there is nothing to wait for; an ordinary case never waits for one under the office.
    check_meeting_precondition(
        DecidedBy.OFFICE, emergency=True, has_meetings=False, agenda=None, outcome=Outcome.GRANTED
    )
    check_meeting_precondition(
        DecidedBy.OFFICE, emergency=False, has_meetings=True, agenda=_agenda(AgendaStatus.OPEN), outcome=Outcome.GRANTED
    )


def test_every_delivering_units_leader_approves_once_and_only_their_own() -> None:
    required = ["home_care", "nursing_home"]

    assert check_approver("home_care", required, []) == "home_care"
    with pytest.raises(Forbidden, match="unit claim"):
        check_approver(None, required, [])
    with pytest.raises(Forbidden, match="delivers none"):
        check_approver("occupational_therapy", required, [])
    with pytest.raises(Conflict, match="already approved"):
        check_approver("home_care", required, ["home_care"])
    assert not approvals_complete(required, ["home_care"])
    assert approvals_complete(required, ["nursing_home", "home_care"])


def test_each_service_is_ordered_from_its_unit_or_from_the_coordinating_unit_that_asked() -> None:
    mapping = {"home_nursing": "home_care"}

    assert delivering_units(["home_nursing"], mapping, municipality="3426") == ("home_care",)
    assert delivering_units(
        ["individual_plan"], mapping, municipality="3426", requested_by={"individual_plan": "ke"}
    ) == ("ke",)
    with pytest.raises(DomainError) as error:
        delivering_units(["home_nursing", "bpa"], mapping, municipality="3426")
    assert error.value.field == "services[1].service_code"
    assert "decision.delivering_units" in error.value.detail


def test_a_right_not_yet_asked_about_is_named_as_such_not_as_a_missing_delivering_unit() -> None:
    with pytest.raises(DomainError) as error:
        delivering_units(
            ["coordinator", "individual_plan"], {}, municipality="5032", requested_by={"coordinator": "tok"}
        )
    assert error.value.field == "services[1].service_code"
    assert "neither a right the coordinating unit asked a decision on (asked so far: coordinator)" in error.value.detail


def test_a_requested_decision_answers_every_right_asked_about() -> None:
    check_rights_covered(["individual_plan", "coordinator"], ["individual_plan"], ["coordinator"])
    with pytest.raises(DomainError, match="coordinator"):
        check_rights_covered(["individual_plan", "coordinator"], ["individual_plan"], [])


def test_a_decision_date_is_not_in_the_future_nor_before_receipt_or_its_meeting() -> None:
    today = date(2026, 3, 10)
    check_decided_on(today, today, received_on=date(2026, 3, 2))
    for kwargs, decided_on in [
        ({}, date(2026, 3, 11)),
        ({"received_on": date(2026, 3, 2)}, date(2026, 3, 1)),
        ({"meeting_on": date(2026, 3, 9)}, date(2026, 3, 8)),
    ]:
        with pytest.raises(DomainError) as error:
            check_decided_on(decided_on, today, **kwargs)  # type: ignore[arg-type]
        assert error.value.field == "decided_on"


# --- clocks -------------------------------------------------------------------------------------


def test_a_grant_is_reviewed_within_a_year_on_the_last_working_day_not_after_it() -> None:
    assert review_due(Outcome.GRANTED, date(2026, 3, 10), [NURSING]) == date(2027, 3, 10)
    # 17 May 2027 is Constitution Day (and Whit Monday): the review is due Friday 14 May.
    assert review_due(Outcome.GRANTED, date(2026, 5, 17), [NURSING]) == date(2027, 5, 14)
    assert previous_working_day(date(2027, 5, 16)) == date(2027, 5, 14)


def test_a_refusal_has_nothing_to_review_and_a_decision_ending_within_the_year_is_evaluated_instead() -> None:
    short = ServiceLine("home_nursing", 6, date(2026, 3, 16), date(2026, 6, 30))

    assert review_due(Outcome.REFUSED, date(2026, 3, 10), []) is None
    assert review_due(Outcome.GRANTED, date(2026, 3, 10), [short]) is None
    assert review_due(Outcome.GRANTED, date(2026, 3, 10), [short, NURSING]) == date(2027, 3, 10)


def test_a_time_limited_decision_is_evaluated_four_weeks_before_it_ends_on_a_working_day() -> None:
    ends_tuesday = ServiceLine("home_nursing", 6, date(2026, 3, 16), date(2026, 6, 30))
    ends_after_whitsun = ServiceLine("home_nursing", 6, date(2026, 3, 16), date(2026, 6, 22))

    assert evaluation_due(date(2026, 3, 10), [ends_tuesday]) == date(2026, 6, 2)
    # Four weeks before 22 June is Whit Monday 25 May 2026: the evaluation is due Friday 22 May.
    assert evaluation_due(date(2026, 3, 10), [ends_after_whitsun]) == date(2026, 5, 22)
    assert evaluation_due(date(2026, 3, 10), [NURSING]) is None


def test_a_decision_too_short_for_four_weeks_notice_is_evaluated_at_once() -> None:
    brief = ServiceLine("home_nursing", 6, date(2026, 3, 16), date(2026, 3, 27))

    assert evaluation_due(date(2026, 3, 14), [brief]) == date(2026, 3, 16)


# --- reviews ------------------------------------------------------------------------------------


def test_a_review_that_continues_grants_the_same_services_again() -> None:
    plan = review_plan(ReviewResult.CONTINUE, [NURSING], None, None)

    assert (plan.outcome, plan.services, plan.refused, plan.reasons_required_because) == (
        Outcome.GRANTED,
        (NURSING,),
        (),
        None,
    )
    with pytest.raises(DomainError, match="use result 'change'"):
        review_plan(ReviewResult.CONTINUE, [NURSING], [ServiceLine("home_nursing", 8, date(2026, 3, 16))], None)


def test_a_review_that_changes_or_stops_needs_reasons_and_names_what_ends() -> None:
    more = [ServiceLine("practical_assistance", 2, date(2027, 3, 1))]
    change = review_plan(ReviewResult.CHANGE, [NURSING], more, None)
    stop = review_plan(ReviewResult.STOP, [NURSING], None, None)

    assert (change.outcome, change.refused) == (Outcome.GRANTED, ("home_nursing",))
    assert change.reasons_required_because is not None
    assert (stop.outcome, stop.services, stop.refused) == (Outcome.REFUSED, (), ("home_nursing",))
    with pytest.raises(DomainError) as error:
        check_content(
            stop.outcome,
            stop.services,
            stop.refused,
            None,
            Reasons(),
            tenant=TOLGA,
            reasons_required_because=stop.reasons_required_because,
        )
    assert error.value.field == "reasons.facts"
    assert "when a review stops the services" in error.value.detail


def test_only_a_made_grant_in_force_without_a_pending_successor_is_reviewed() -> None:
    check_reviewable(DecisionStatus.MADE, None, Outcome.GRANTED, pending=False)
    for args in [
        (DecisionStatus.AWAITING_APPROVAL, None, Outcome.GRANTED, False),
        (DecisionStatus.MADE, "d-2", Outcome.GRANTED, False),
        (DecisionStatus.MADE, None, Outcome.REFUSED, False),
        (DecisionStatus.MADE, None, Outcome.GRANTED, True),
    ]:
        with pytest.raises(Conflict):
            check_reviewable(args[0], args[1], args[2], pending=args[3])


# --- preliminary replies ------------------------------------------------------------------------


def test_a_preliminary_reply_says_why_and_names_a_future_date_for_an_undecided_case() -> None:
    today = date(2026, 3, 10)

    assert check_preliminary_reply(CaseStatus.REGISTERED, date(2026, 4, 15), " venter på legeopplysninger ", today) == (
        "venter på legeopplysninger"
    )
    with pytest.raises(DomainError) as past:
        check_preliminary_reply(CaseStatus.REGISTERED, today, "x", today)
    with pytest.raises(DomainError) as blank:
        check_preliminary_reply(CaseStatus.AWAITING_DECISION, date(2026, 4, 15), "   ", today)
    with pytest.raises(Conflict):
        check_preliminary_reply(CaseStatus.DECIDED, date(2026, 4, 15), "x", today)

    assert past.value.field == "expected_decision_on"
    assert blank.value.field == "reason_for_delay"


# --- rule 6: a decided case is not reopened ---------------------------------------------------


def test_a_case_without_a_made_decision_may_still_receive_a_recommendation() -> None:
    check_not_reopened("case-1", None, by="a recommendation")


@pytest.mark.parametrize("kind", [DecisionKind.INITIAL, DecisionKind.REQUESTED, DecisionKind.REVIEW])
def test_a_decided_case_is_not_reopened_and_the_refusal_names_the_decision_to_review(kind: DecisionKind) -> None:
    current = CurrentDecision(decision_id="d-1", kind=kind, decided_on=date(2026, 3, 10))

    with pytest.raises(CaseAlreadyDecided) as refused:
        check_not_reopened("case-1", current, by="a recommendation")

    assert isinstance(refused.value, Conflict)
    assert refused.value.field == "case_id"
    assert "case case-1 was decided on 2026-03-10 (decision d-1" in refused.value.detail
    assert "not reopened by a recommendation" in refused.value.detail
    assert "POST /decisions/d-1/review" in refused.value.detail
