"""The Assessment aggregate without a database: each method checks its rule, changes the state and returns the
events it raises; a refused method changes nothing."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta

import pytest

from contracts.assessment import (
    AssessmentClosed,
    AssessmentCompleted,
    AssessmentOpened,
    AssessorAssigned,
    AssigneeKind,
    CaseHandedOver,
    InformationReceived,
    InformationRequested,
    InformationSource,
    ProposedOutcome,
    VisitKind,
    VisitRecorded,
    VisitScheduled,
)
from contracts.deadlines import DeadlineCancelled, DeadlineKind, DeadlineScheduled
from servicekit.actor import Actor
from servicekit.calendar import is_working_day
from servicekit.errors import Conflict, DomainError, Forbidden, NotFound
from servicekit.settings import REPO_ROOT
from servicekit.tenants import Tenant, Tenants
from services.assessment.domain import (
    OFFICE,
    Assessment,
    CriteriaEvaluation,
    FunctionalVariables,
    RequestStatus,
    ServiceLine,
    Status,
)
from services.assessment.iplos import load_variables
from services.assessment.tests.support import (
    HOLTALEN,
    MENTAL_HEALTH,
    NOW,
    PARTNER,
    TODAY,
    TOLGA,
    application_event,
    consent,
)

TOLGA_OFFICE = Actor(subject="kari", municipality=TOLGA, roles=frozenset({"caseworker"}))
HOLTALEN_OFFICE = Actor(subject="kari", municipality=HOLTALEN, roles=frozenset({"caseworker"}))
PARTNER_OFFICE = Actor(subject="per", municipality=PARTNER, roles=frozenset({"caseworker"}))
MH_UNIT = Actor(subject="unni", municipality=TOLGA, roles=frozenset({"unit"}), unit=MENTAL_HEALTH)
EARLIER = NOW - timedelta(hours=1)


@pytest.fixture(scope="module")
def tenants() -> Tenants:
    return Tenants.load(REPO_ROOT / "deploy" / "tenants")


@pytest.fixture(scope="module")
def variables() -> FunctionalVariables:
    return load_variables()


def opened(municipality: str = TOLGA, **overrides: object) -> Assessment:
    event = application_event(municipality, **overrides)
    assessment, _ = Assessment.open(municipality, event.data, NOW - timedelta(days=20))
    return assessment


def recommended(assessment: Assessment, tenant: Tenant, actor: Actor = TOLGA_OFFICE) -> None:
    assessment.recommend(
        actor,
        services=[ServiceLine(service_code=assessment.service_code, start_on=date(2027, 1, 4))],
        legal_basis=None,
        proposed_outcome=ProposedOutcome.GRANT,
        reasons="",
        tenant=tenant,
        now=NOW,
    )


def test_an_application_opens_an_assessment_with_its_consent_and_raises_assessment_opened() -> None:
    event = application_event(TOLGA, involves_child=True)

    assessment, events = Assessment.open(TOLGA, event.data, NOW)

    assert (assessment.status, assessment.municipality, assessment.case_id) == (Status.OPEN, TOLGA, event.subject)
    assert "fetch_from_gp" in assessment.consent_scope
    assert events == [
        AssessmentOpened(
            assessment_id=assessment.id,
            case_id=event.subject,
            person_id="person-1",
            service_code="home_nursing",
            involves_child=True,
        )
    ]


def test_assigning_the_mental_health_unit_records_that_it_writes_its_own_and_starts_the_work(
    tenants: Tenants,
) -> None:
    assessment = opened()

    events = assessment.assign(TOLGA_OFFICE, AssigneeKind.UNIT, MENTAL_HEALTH, tenants.get(TOLGA), NOW)

    assert assessment.status is Status.IN_PROGRESS
    assert assessment.assignment.writes_own_assessment is True
    assert assessment.updated_at == NOW
    assert events == [
        AssessorAssigned(
            assessment_id=assessment.id,
            case_id=assessment.case_id,
            assignee_kind=AssigneeKind.UNIT,
            assignee=MENTAL_HEALTH,
            writes_own_assessment=True,
        )
    ]


def test_a_refused_method_changes_nothing(tenants: Tenants) -> None:
    assessment = opened()
    before = copy.deepcopy(assessment)

    with pytest.raises(Forbidden, match="not assigned"):
        assessment.schedule_visit(MH_UNIT, VisitKind.HOME_VISIT, EARLIER, NOW)
    with pytest.raises(DomainError, match="not a unit"):
        assessment.assign(TOLGA_OFFICE, AssigneeKind.UNIT, "no_such_unit", tenants.get(TOLGA), NOW)

    assert assessment == before


def test_a_visit_is_scheduled_then_recorded_once_by_whoever_acts(tenants: Tenants) -> None:
    assessment = opened()
    assessment.assign(TOLGA_OFFICE, AssigneeKind.UNIT, MENTAL_HEALTH, tenants.get(TOLGA), NOW)

    [scheduled] = assessment.schedule_visit(MH_UNIT, VisitKind.HOME_VISIT, EARLIER, NOW)
    assert isinstance(scheduled, VisitScheduled)
    recorded = assessment.record_visit(MH_UNIT, scheduled.visit_id, EARLIER, "Bor alene", NOW)

    assert recorded == [
        VisitRecorded(
            assessment_id=assessment.id, case_id=assessment.case_id, visit_id=scheduled.visit_id, held_at=EARLIER
        )
    ]
    visit = assessment.visit(scheduled.visit_id)
    assert (visit.notes, visit.recorded_by) == ("Bor alene", MENTAL_HEALTH)
    with pytest.raises(Conflict, match="already recorded"):
        assessment.record_visit(MH_UNIT, scheduled.visit_id, EARLIER, "igjen", NOW)
    with pytest.raises(NotFound):
        assessment.record_visit(MH_UNIT, "no-such-visit", EARLIER, "x", NOW)


def test_requesting_information_starts_a_clock_due_on_a_working_day_for_the_office() -> None:
    assessment = opened()
    saturday = date(2026, 12, 5)

    requested, scheduled = assessment.request_information(TOLGA_OFFICE, InformationSource.GP, saturday, NOW)

    [request] = assessment.information_requests
    assert isinstance(requested, InformationRequested)
    assert isinstance(scheduled, DeadlineScheduled)
    assert request.due_on == requested.due_on == scheduled.due_on
    assert request.due_on > saturday
    assert is_working_day(request.due_on)
    assert (request.requested_on, request.status) == (TODAY, RequestStatus.REQUESTED)
    assert (scheduled.deadline_id, scheduled.kind, scheduled.responsible) == (
        request.deadline_id,
        DeadlineKind.INFORMATION_REQUEST,
        OFFICE,
    )


def test_information_is_not_requested_without_the_consent_to_fetch_from_that_source() -> None:
    assessment = opened(consent=consent("fetch_from_hospital"))

    with pytest.raises(Conflict, match="fetch_from_gp"):
        assessment.request_information(TOLGA_OFFICE, InformationSource.GP, TODAY + timedelta(days=10), NOW)

    assert assessment.information_requests == []
    assert assessment.status is Status.OPEN


def test_receiving_the_information_closes_the_request_and_stops_its_clock() -> None:
    assessment = opened()
    [requested, _] = assessment.request_information(TOLGA_OFFICE, InformationSource.GP, TODAY + timedelta(days=10), NOW)
    assert isinstance(requested, InformationRequested)

    received, cancelled = assessment.receive_information(TOLGA_OFFICE, requested.request_id, TODAY, NOW)

    request = assessment.information_request(requested.request_id)
    assert (request.status, request.received_on, request.closed_at) == (RequestStatus.RECEIVED, TODAY, NOW)
    assert isinstance(received, InformationReceived)
    assert cancelled == DeadlineCancelled(
        deadline_id=request.deadline_id,
        case_id=assessment.case_id,
        kind=DeadlineKind.INFORMATION_REQUEST,
        reason="information_received",
    )


def test_a_request_is_overdue_the_day_after_it_falls_due_until_received() -> None:
    assessment = opened()
    assessment.request_information(TOLGA_OFFICE, InformationSource.GP, TODAY + timedelta(days=3), NOW)
    [request] = assessment.information_requests

    assert not request.overdue(request.due_on)
    assert request.overdue(request.due_on + timedelta(days=1))


def test_completing_closes_open_requests_stops_their_clocks_then_raises_completed(
    tenants: Tenants, variables: FunctionalVariables
) -> None:
    assessment = opened()
    assessment.request_information(TOLGA_OFFICE, InformationSource.GP, TODAY + timedelta(days=10), NOW)
    assessment.record_scores(TOLGA_OFFICE, {"eating": 2}, TODAY, variables, NOW)
    recommended(assessment, tenants.get(TOLGA))

    cancelled, completed = assessment.complete(TOLGA_OFFICE, variables, NOW)

    [request] = assessment.information_requests
    assert request.status is RequestStatus.CANCELLED_ASSESSMENT_COMPLETED
    assert isinstance(cancelled, DeadlineCancelled)
    assert (cancelled.deadline_id, cancelled.reason) == (request.deadline_id, "assessment_completed")
    assert isinstance(completed, AssessmentCompleted)
    assert (completed.completed_by, assessment.status, assessment.completed_at) == (
        "allocation_office",
        Status.COMPLETED,
        NOW,
    )


def test_completion_lists_everything_missing_and_changes_nothing(variables: FunctionalVariables) -> None:
    assessment = opened(involves_child=True)
    before = copy.deepcopy(assessment)

    with pytest.raises(DomainError) as caught:
        assessment.complete(TOLGA_OFFICE, variables, NOW)

    message = str(caught.value)
    assert "no recommendation" in message
    assert "best-interests" in message
    assert "IPLOS" in message
    assert assessment == before


def test_a_hand_over_grants_the_partner_office_this_case_and_only_the_home_hands_over(tenants: Tenants) -> None:
    assessment = opened(HOLTALEN, service_code="private_respite")
    with pytest.raises(Forbidden, match="no access"):
        assessment.acting_as(PARTNER_OFFICE)

    [handed] = assessment.hand_over(HOLTALEN_OFFICE, tenants.get(HOLTALEN), NOW)

    assert handed == CaseHandedOver(
        assessment_id=assessment.id,
        case_id=assessment.case_id,
        from_municipality=HOLTALEN,
        to_municipality=PARTNER,
        service_code="private_respite",
    )
    assert (assessment.status, assessment.partners) == (Status.HANDED_OVER, [PARTNER])
    assert assessment.grants[0].granted_by == "kari"
    assert assessment.acting_as(PARTNER_OFFICE).label == f"partner_office:{PARTNER}"
    with pytest.raises(Forbidden, match="only the home"):
        assessment.hand_over(PARTNER_OFFICE, tenants.get(HOLTALEN), NOW)


def test_a_consent_no_longer_naming_the_partner_revokes_its_grant_and_keeps_it_on_record(tenants: Tenants) -> None:
    assessment = opened(HOLTALEN, service_code="private_respite")
    assessment.hand_over(HOLTALEN_OFFICE, tenants.get(HOLTALEN), NOW)
    later = NOW + timedelta(days=1)

    assessment.update_consent(["processing", "sharing"], ["respite_service"], processing_withdrawn=False, now=later)

    assert assessment.partners == []
    assert [(g.partner, g.revoked_at) for g in assessment.grants] == [(PARTNER, later)]
    with pytest.raises(Forbidden, match="no access"):
        assessment.acting_as(PARTNER_OFFICE)
    assert assessment.acting_as(HOLTALEN_OFFICE).is_unit is False


def test_a_partner_without_the_consent_to_share_has_no_access_even_with_a_grant(tenants: Tenants) -> None:
    assessment = opened(HOLTALEN, service_code="private_respite")
    assessment.hand_over(HOLTALEN_OFFICE, tenants.get(HOLTALEN), NOW)

    assessment.consent_share_with = []  # as if the grant had outlived the consent

    with pytest.raises(Forbidden, match="no access"):
        assessment.acting_as(PARTNER_OFFICE)


def test_the_partner_office_works_by_the_home_municipalitys_criteria(tenants: Tenants) -> None:
    assessment = opened(HOLTALEN, service_code="private_respite")
    assessment.hand_over(HOLTALEN_OFFICE, tenants.get(HOLTALEN), NOW)
    given = CriteriaEvaluation(care_ladder_step=3, care_ladder_grounds=("documented_parent_rest_need",), bti_level=2)

    assessment.evaluate_criteria(PARTNER_OFFICE, given, tenants.get(HOLTALEN), NOW)

    assert assessment.criteria is not None
    assert assessment.criteria.evaluation == given
    assert assessment.status is Status.HANDED_OVER


def test_withdrawing_the_gp_consent_cancels_only_the_gp_request_and_keeps_the_assessment_open() -> None:
    assessment = opened()
    assessment.request_information(TOLGA_OFFICE, InformationSource.GP, TODAY + timedelta(days=10), NOW)
    assessment.request_information(TOLGA_OFFICE, InformationSource.HOSPITAL, TODAY + timedelta(days=10), NOW)
    gp, hospital = assessment.information_requests

    [cancelled] = assessment.update_consent(
        ["processing", "fetch_from_hospital"], [], processing_withdrawn=False, now=NOW
    )

    assert isinstance(cancelled, DeadlineCancelled)
    assert (cancelled.deadline_id, cancelled.reason) == (gp.deadline_id, "consent_withdrawn")
    assert (gp.status, hospital.status) == (RequestStatus.CANCELLED_CONSENT_WITHDRAWN, RequestStatus.REQUESTED)
    assert assessment.status is Status.IN_PROGRESS
    assert assessment.consent_scope == ["processing", "fetch_from_hospital"]


def test_withdrawing_consent_to_processing_closes_the_assessment() -> None:
    assessment = opened()

    events = assessment.update_consent([], [], processing_withdrawn=True, now=NOW)

    assert events == [
        AssessmentClosed(assessment_id=assessment.id, case_id=assessment.case_id, reason="consent_withdrawn")
    ]
    assert assessment.status is Status.CONSENT_WITHDRAWN


def test_a_withdrawn_application_closes_once_and_stops_its_clocks() -> None:
    assessment = opened()
    assessment.request_information(TOLGA_OFFICE, InformationSource.GP, TODAY + timedelta(days=10), NOW)

    cancelled, closed = assessment.withdraw(NOW)
    again = assessment.withdraw(NOW + timedelta(hours=1))

    assert isinstance(cancelled, DeadlineCancelled)
    assert cancelled.reason == "application_withdrawn"
    assert isinstance(closed, AssessmentClosed)
    assert closed.reason == "application_withdrawn"
    assert again == []
    assert assessment.status is Status.WITHDRAWN
    assert assessment.updated_at == NOW


def test_nothing_changes_on_a_closed_assessment(tenants: Tenants) -> None:
    assessment = opened()
    assessment.withdraw(NOW)

    with pytest.raises(Conflict, match="withdrawn"):
        assessment.assign(TOLGA_OFFICE, AssigneeKind.PROFESSION, "nurse", tenants.get(TOLGA), NOW)


def test_times_are_the_callers_never_the_machines() -> None:
    assessment = opened()
    at = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)

    assessment.request_information(TOLGA_OFFICE, InformationSource.GP, date(2027, 3, 10), at)

    [request] = assessment.information_requests
    assert (request.requested_on, request.created_at, assessment.updated_at) == (date(2027, 3, 1), at, at)
