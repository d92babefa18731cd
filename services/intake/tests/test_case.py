"""The Case and Person aggregates: what registering, withdrawing and reading change, and the events they raise.

Plain unit tests: no database, no HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from contracts.intake import (
    ApplicationRegistered,
    ApplicationWithdrawn,
    Channel,
    ChildCoordinatorApplicationRegistered,
    Consent,
    ConsentForm,
    ConsentGiver,
    ConsentScope,
    ConsentWithdrawn,
    CoordinationNeed,
    CoordinationReferralRegistered,
    EmergencyMeasureRegistered,
    Route,
    Sender,
    WithdrawalReason,
)
from servicekit.actor import Actor
from servicekit.errors import Conflict, DomainError
from servicekit.settings import REPO_ROOT
from servicekit.tenants import Tenant, Tenants
from services.intake.domain import (
    Case,
    CaseKind,
    CaseStatus,
    Contact,
    IdKind,
    NationalId,
    Person,
    RegisterApplication,
    RegisterChildCoordinatorApplication,
    RegisterEmergencyMeasure,
    RegisterReferral,
    Registration,
    Withdrawal,
)

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
TODAY = date(2026, 11, 23)
KARI = Actor(subject="kari", municipality="5026", roles=frozenset({"caseworker"}))
CONSENT = Consent(
    form=ConsentForm.WRITTEN,
    given_by=ConsentGiver.PERSON,
    scope=[ConsentScope.PROCESSING, ConsentScope.SHARING, ConsentScope.FETCH_FROM_GP],
    share_with=["home_care", "respite_service"],
)


@pytest.fixture(scope="module")
def holtalen() -> Tenant:
    """Holtålen has a coordinating unit for children."""
    return Tenants.load(REPO_ROOT / "deploy" / "tenants").get("5026")


def person(born: date, person_id: str = "p-1") -> Person:
    number = NationalId(value="01015012345", kind=IdKind.FNR, birth_date=born)
    return Person.register(person_id, number, None, actor=KARI, now=NOW)


def register(registration: Registration, sequence: int = 7) -> tuple[Case, list[object]]:
    case, events = Case.register(registration, case_id="c-1", journal_sequence=sequence, actor=KARI, now=NOW)
    return case, list(events)


def application(holtalen: Tenant, born: date = date(1950, 6, 1), **overrides: object) -> Registration:
    fields: dict[str, object] = {
        "case_id": "c-1",
        "person_id": "p-1",
        "channel": Channel.LETTER,
        "sender": Sender.APPLICANT,
        "service_code": "home_nursing",
        "received_on": date(2026, 3, 2),
        "consent": CONSENT,
    }
    fields.update(overrides)
    return Registration.application(RegisterApplication(**fields), holtalen, person=person(born))  # type: ignore[arg-type]


# --- registering ----------------------------------------------------------------------------------


def test_a_registered_case_is_journaled_in_its_receipt_year_and_opens_its_consent_history(holtalen: Tenant) -> None:
    case, _ = register(application(holtalen, received_on=date(2025, 12, 30)), sequence=42)

    assert case.journal_number == "2025/000042"
    assert case.status is CaseStatus.REGISTERED
    assert case.municipality == "5026"
    assert case.created_at == NOW
    assert case.consent == CONSENT
    [given] = case.new_consent_records
    assert (given.kind, given.effective_on, given.consent, given.recorded_by) == (
        "given",
        date(2025, 12, 30),
        CONSENT,
        "kari",
    )


def test_an_application_raises_application_registered_with_its_journal_number_and_route(holtalen: Tenant) -> None:
    case, events = register(application(holtalen, born=date(2015, 5, 5)))

    assert events == [
        ApplicationRegistered(
            case_id="c-1",
            journal_number="2026/000007",
            person_id="p-1",
            channel=Channel.LETTER,
            sender=Sender.APPLICANT,
            service_code="home_nursing",
            received_on=date(2026, 3, 2),
            consent=CONSENT,
            route=Route.CHILDREN_UNIT,
            involves_child=True,
        )
    ]
    assert case.route is Route.CHILDREN_UNIT
    assert not case.is_emergency_measure


def test_a_referral_raises_coordination_referral_registered_with_what_it_asks_for(holtalen: Tenant) -> None:
    cmd = RegisterReferral(
        case_id="c-1",
        person_id="p-1",
        channel=Channel.HOSPITAL_MESSAGE,
        sender=Sender.HOSPITAL,
        requested=[CoordinationNeed.INDIVIDUAL_PLAN],
        received_on=date(2026, 3, 2),
        consent=CONSENT,
        children_involved=True,
    )
    case, events = register(Registration.referral(cmd, holtalen, person=person(date(1950, 6, 1))))

    [event] = events
    assert isinstance(event, CoordinationReferralRegistered)
    assert event.requested == [CoordinationNeed.INDIVIDUAL_PLAN]
    assert (event.route, event.involves_child) == (Route.COORDINATING_UNIT, True)
    assert case.kind is CaseKind.COORDINATION_REFERRAL
    assert case.service_code is None


def test_a_referral_about_a_child_carries_the_childs_birth_date_and_one_about_an_adult_none(
    holtalen: Tenant,
) -> None:
    cmd = RegisterReferral(
        case_id="c-1",
        person_id="p-1",
        channel=Channel.HOSPITAL_MESSAGE,
        sender=Sender.HOSPITAL,
        requested=[CoordinationNeed.COORDINATOR],
        received_on=date(2026, 3, 2),
        consent=CONSENT,
    )
    _, [child_event] = register(Registration.referral(cmd, holtalen, person=person(date(2026, 1, 15))))
    _, [adult_event] = register(Registration.referral(cmd, holtalen, person=person(date(1950, 6, 1))))

    assert isinstance(child_event, CoordinationReferralRegistered)
    assert isinstance(adult_event, CoordinationReferralRegistered)
    assert (child_event.person_birth_on, child_event.involves_child) == (date(2026, 1, 15), True)
    assert adult_event.person_birth_on is None


def test_a_born_childs_application_carries_the_childs_birth_date(holtalen: Tenant) -> None:
    cmd = RegisterChildCoordinatorApplication(
        case_id="c-1",
        applicant_person_id="parent",
        child_person_id="p-1",
        expected_birth_on=None,
        channel=Channel.LETTER,
        sender=Sender.APPLICANT,
        received_on=date(2026, 3, 2),
        consent=CONSENT,
    )
    _, [event] = register(Registration.child_coordinator_application(cmd, holtalen, child=person(date(2025, 12, 24))))

    assert isinstance(event, ChildCoordinatorApplicationRegistered)
    assert event.child_birth_on == date(2025, 12, 24)


def test_a_child_coordinator_application_in_pregnancy_is_about_no_one_yet_and_goes_to_the_childrens_unit(
    holtalen: Tenant,
) -> None:
    cmd = RegisterChildCoordinatorApplication(
        case_id="c-1",
        applicant_person_id="parent",
        child_person_id=None,
        expected_birth_on=date(2026, 8, 1),
        channel=Channel.LETTER,
        sender=Sender.APPLICANT,
        received_on=date(2026, 3, 2),
        consent=CONSENT,
    )
    case, events = register(Registration.child_coordinator_application(cmd, holtalen, child=None))

    [event] = events
    assert isinstance(event, ChildCoordinatorApplicationRegistered)
    assert (event.child_person_id, event.applicant_person_id, event.expected_birth_on) == (
        None,
        "parent",
        date(2026, 8, 1),
    )
    assert (case.person_id, case.route, case.involves_child) == (None, Route.CHILDREN_UNIT, True)


def test_a_child_coordinator_application_for_an_adult_is_refused(holtalen: Tenant) -> None:
    cmd = RegisterChildCoordinatorApplication(
        case_id="c-1",
        applicant_person_id="parent",
        child_person_id="p-1",
        expected_birth_on=None,
        channel=Channel.LETTER,
        sender=Sender.APPLICANT,
        received_on=date(2026, 3, 2),
        consent=CONSENT,
    )
    with pytest.raises(DomainError) as caught:
        Registration.child_coordinator_application(cmd, holtalen, child=person(date(2000, 1, 1)))
    assert caught.value.field == "child_person_id"


def test_an_emergency_measure_is_received_on_the_norwegian_day_it_started_and_is_also_an_application(
    holtalen: Tenant,
) -> None:
    started = datetime(2026, 11, 21, 23, 15, tzinfo=UTC)  # 00:15 on 22 November in Norway
    cmd = RegisterEmergencyMeasure(
        case_id="c-1",
        person_id="p-1",
        service_code="home_nursing",
        started_at=started,
        what="Evening visit",
        why="Discharged on a Saturday night",
        consent=CONSENT,
    )
    registration = Registration.emergency_measure(cmd, holtalen, unit="home_care", person=person(date(1950, 6, 1)))
    case, events = register(registration)

    assert case.received_on == date(2026, 11, 22)
    assert (case.channel, case.sender) == (Channel.OTHER_UNIT, Sender.UNIT)
    assert case.is_emergency_measure
    assert case.emergency is not None
    assert (case.emergency.unit, case.emergency.registered_at, case.emergency.registered_by) == (
        "home_care",
        NOW,
        "kari",
    )
    measure, as_application = events
    assert isinstance(measure, EmergencyMeasureRegistered)
    assert (measure.unit, measure.started_at, measure.registered_at) == ("home_care", started, NOW)
    assert isinstance(as_application, ApplicationRegistered)
    assert as_application.emergency_measure is True
    assert as_application.received_on == date(2026, 11, 22)
    assert "Evening visit" not in measure.model_dump_json() + as_application.model_dump_json()


# --- withdrawing ----------------------------------------------------------------------------------


def test_withdrawing_a_case_marks_it_withdrawn_and_raises_application_withdrawn_with_the_code_only(
    holtalen: Tenant,
) -> None:
    case, _ = register(application(holtalen))

    events = case.withdraw(date(2026, 3, 5), WithdrawalReason.MOVED, "moved to her daughter in Bergen", today=TODAY)

    assert case.status is CaseStatus.WITHDRAWN
    assert events == [
        ApplicationWithdrawn(case_id="c-1", withdrawn_on=date(2026, 3, 5), reason_code=WithdrawalReason.MOVED)
    ]
    assert events[0].reason is None  # type: ignore[attr-defined]
    assert case.withdrawal == Withdrawal(date(2026, 3, 5), WithdrawalReason.MOVED, "moved to her daughter in Bergen")


def test_a_case_withdrawn_once_cannot_be_withdrawn_again(holtalen: Tenant) -> None:
    case, _ = register(application(holtalen))
    case.withdraw(date(2026, 3, 5), None, None, today=TODAY)

    with pytest.raises(Conflict):
        case.withdraw(date(2026, 3, 6), None, None, today=TODAY)
    assert case.status is CaseStatus.WITHDRAWN


def test_a_withdrawal_before_receipt_changes_nothing(holtalen: Tenant) -> None:
    case, _ = register(application(holtalen))

    with pytest.raises(DomainError) as caught:
        case.withdraw(date(2026, 3, 1), None, None, today=TODAY)
    assert caught.value.field == "withdrawn_on"
    assert case.status is CaseStatus.REGISTERED


# --- withdrawing consent --------------------------------------------------------------------------


def test_withdrawing_sharing_with_one_unit_keeps_the_rest_and_records_it_in_the_history(holtalen: Tenant) -> None:
    case, _ = register(application(holtalen))
    case.new_consent_records.clear()  # saved with the registration

    events = case.withdraw_consent(
        [ConsentScope.SHARING], ["home_care"], withdrawn_on=date(2026, 3, 5), actor=KARI, now=NOW
    )

    remaining = Consent(
        form=ConsentForm.WRITTEN,
        given_by=ConsentGiver.PERSON,
        scope=[ConsentScope.PROCESSING, ConsentScope.SHARING, ConsentScope.FETCH_FROM_GP],
        share_with=["respite_service"],
    )
    assert case.consent == remaining
    assert events == [
        ConsentWithdrawn(
            case_id="c-1",
            withdrawn_scopes=[ConsentScope.SHARING],
            withdrawn_share_with=["home_care"],
            withdrawn_on=date(2026, 3, 5),
            remaining=remaining,
        )
    ]
    [record] = case.new_consent_records
    assert (record.kind, record.consent, record.withdrawn_share_with, record.recorded_at) == (
        "withdrawn",
        remaining,
        ["home_care"],
        NOW,
    )


def test_withdrawing_processing_leaves_no_consent_and_nothing_more_to_withdraw(holtalen: Tenant) -> None:
    case, _ = register(application(holtalen))

    [event] = case.withdraw_consent([ConsentScope.PROCESSING], [], withdrawn_on=TODAY, actor=KARI, now=NOW)

    assert case.consent is None
    assert isinstance(event, ConsentWithdrawn)
    assert event.remaining is None
    with pytest.raises(Conflict):
        case.withdraw_consent([ConsentScope.PROCESSING], [], withdrawn_on=TODAY, actor=KARI, now=NOW)
    assert len(case.new_consent_records) == 2  # given, then withdrawn once


def test_a_refused_consent_withdrawal_changes_nothing(holtalen: Tenant) -> None:
    case, _ = register(application(holtalen))

    with pytest.raises(DomainError):
        case.withdraw_consent([ConsentScope.FETCH_FROM_HOSPITAL], [], withdrawn_on=TODAY, actor=KARI, now=NOW)
    assert case.consent == CONSENT
    assert [r.kind for r in case.new_consent_records] == ["given"]


# --- the person register --------------------------------------------------------------------------

ADDRESSED = Contact(name="Kari Nordmann", street="Storgata 1", postcode="7380", city="Ålen")


@pytest.mark.parametrize(
    ("roles", "number_shown", "contact_shown"),
    [
        ({"caseworker"}, True, True),
        ({"service"}, False, True),
        ({"leader"}, False, False),
        ({"unit"}, False, False),
    ],
)
def test_a_reader_sees_the_number_as_a_caseworker_and_the_address_as_a_caseworker_or_service(
    roles: set[str], number_shown: bool, contact_shown: bool
) -> None:
    someone = person(date(1950, 6, 1)).moved(ADDRESSED)
    reader = Actor(subject="reader", municipality="5026", roles=frozenset(roles))

    shown, access = someone.read_by(reader, "decision letter", now=NOW)

    assert shown.national_id == ("01015012345" if number_shown else None)
    assert shown.contact == (ADDRESSED if contact_shown else Contact())
    assert (access.person_id, access.accessed_by, access.purpose, access.accessed_at) == (
        "p-1",
        "reader",
        "decision letter",
        NOW,
    )
    assert access.national_id_disclosed is number_shown
    assert access.roles == tuple(sorted(roles))


def test_a_new_name_alone_keeps_the_address_a_person_had() -> None:
    someone = person(date(1950, 6, 1)).moved(ADDRESSED)

    renamed = someone.moved(Contact(name="Kari Hansen"))

    assert renamed.contact == Contact(name="Kari Hansen", street="Storgata 1", postcode="7380", city="Ålen")


def test_a_persons_repr_never_shows_the_national_identity_number() -> None:
    someone = person(date(1950, 6, 1))

    assert "01015012345" not in repr(someone)
    assert "01015012345" not in repr(someone.read_by(KARI, "check", now=NOW)[0])
