"""Appeal rules as plain functions and aggregates: the deadline from the day the letter reached the person under
both legal bases (off weekends and Easter), the postal assumption and the mailbox's receipt, late appeals, the
office's re-examination, the appeal body's outcome, complaints and deviations."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from contracts.appeals import (
    AppealChannel,
    AppealClosed,
    AppealEnd,
    AppealForwarded,
    AppealOutcomeRecorded,
    AppealRegistered,
    AppealReversedByOffice,
    Appellant,
    BodyOutcome,
    ComplaintAnswered,
    ComplaintKind,
    ComplaintRegistered,
    DecisionDeliveryRecorded,
    DeliveryBasis,
    DeviationCategory,
    DeviationRegistered,
    Examination,
    ForwardedDocument,
    LateAppealTakenUp,
)
from contracts.deadlines import DeadlineCancelled, DeadlineKind, DeadlineScheduled
from servicekit.actor import Actor
from servicekit.errors import Conflict, DomainError, Forbidden
from services.appeals.domain import (
    Appeal,
    AppealInput,
    AppealStatus,
    Complaint,
    Deviation,
    KnownDecision,
    appeal_deadline,
    forwarding_id_of,
    postal_delivery,
)
from services.appeals.tests.support import TOLGA, decision_made

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
OFFICE = Actor("kari", TOLGA, frozenset({"caseworker"}))
FVL_29, PBRL_7_5 = 3, 4
ALL_DOCUMENTS = tuple(ForwardedDocument)


# --- the deadline from the day the letter reached the person -------------------------------------------------------


@pytest.mark.parametrize(
    ("reached_on", "weeks", "expected", "why"),
    [
        # Thursday 4 March 2027 + 3 weeks is Maundy Thursday; Good Friday, the weekend and Easter Monday follow.
        (date(2027, 3, 4), FVL_29, date(2027, 3, 30), "forvaltningsloven § 29 into Easter"),
        (date(2027, 2, 25), PBRL_7_5, date(2027, 3, 30), "pasient- og brukerrettighetsloven § 7-5 into Easter"),
        # Reached on Maundy Thursday itself (a mailbox delivers on holidays): the count starts that day.
        (date(2027, 3, 25), FVL_29, date(2027, 4, 15), "§ 29 from Maundy Thursday"),
        (date(2027, 3, 25), PBRL_7_5, date(2027, 4, 22), "§ 7-5 from Maundy Thursday"),
        # The Thursday before Easter week: both deadlines are ordinary Thursdays.
        (date(2027, 3, 18), FVL_29, date(2027, 4, 8), "§ 29 from the Thursday before Easter week"),
        (date(2027, 3, 18), PBRL_7_5, date(2027, 4, 15), "§ 7-5 from the Thursday before Easter week"),
        # Saturday 19 December 2026 + 3 weeks is Saturday 9 January 2027: moved to Monday.
        (date(2026, 12, 19), FVL_29, date(2027, 1, 11), "a weekend"),
    ],
)
def test_the_appeal_deadline_counts_from_the_letters_delivery_and_moves_forward_off_holidays(
    reached_on: date, weeks: int, expected: date, why: str
) -> None:
    assert appeal_deadline(reached_on, weeks) == expected, why


def test_a_letter_by_post_is_assumed_delivered_after_the_municipalitys_working_days() -> None:
    assert postal_delivery(date(2026, 11, 2), 3) == date(2026, 11, 5)  # Monday -> Thursday
    # Posted the Wednesday before Easter: Maundy Thursday, Good Friday and Easter Monday do not count.
    assert postal_delivery(date(2027, 3, 24), 3) == date(2027, 4, 1)
    assert postal_delivery(date(2026, 11, 2), 0) == date(2026, 11, 2)


def _known(**overrides: object) -> tuple[KnownDecision, list[object]]:
    made = decision_made(**overrides).data  # type: ignore[arg-type]
    known, events = KnownDecision.learn(TOLGA, made, postal_days=3)
    return known, list(events)


def test_a_decision_learned_is_assumed_delivered_by_post_and_gives_the_deadline_of_its_rule() -> None:
    known, events = _known(weeks=3, rule="forvaltningsloven § 29", appeal_body="Kommunal klagenemnd")

    assert (known.delivered_on, known.delivery_basis) == (date(2026, 11, 5), DeliveryBasis.POSTAL_ASSUMPTION)
    assert known.appeal_deadline_on == date(2026, 11, 26)
    [recorded] = events
    assert isinstance(recorded, DecisionDeliveryRecorded)
    assert (recorded.appeal_deadline_on, recorded.deadline_rule) == (date(2026, 11, 26), "forvaltningsloven § 29")


def test_the_mailboxs_receipt_replaces_the_postal_assumption_and_is_not_overridden_by_hand() -> None:
    known, _ = _known()

    events = known.record_delivery(date(2026, 11, 3), DeliveryBasis.DIGITAL_RECEIPT, date(2026, 12, 1))
    assert (known.delivered_on, known.delivery_basis) == (date(2026, 11, 3), DeliveryBasis.DIGITAL_RECEIPT)
    assert known.appeal_deadline_on == date(2026, 12, 1)
    assert [type(e) for e in events] == [DecisionDeliveryRecorded]
    assert known.record_delivery(date(2026, 11, 3), DeliveryBasis.DIGITAL_RECEIPT, date(2026, 12, 1)) == []
    with pytest.raises(Conflict, match="digital mailbox reported"):
        known.record_delivery(date(2026, 11, 4), DeliveryBasis.HANDED_OVER, date(2026, 12, 1))


def test_a_delivery_cannot_precede_the_decision_nor_lie_ahead_nor_be_the_postal_rule() -> None:
    known, _ = _known()
    today = date(2026, 12, 1)
    for day, basis, where in [
        (date(2026, 11, 1), DeliveryBasis.HANDED_OVER, "before the decision"),
        (date(2026, 12, 2), DeliveryBasis.HANDED_OVER, "future"),
        (date(2026, 11, 4), DeliveryBasis.POSTAL_ASSUMPTION, "postal assumption"),
    ]:
        with pytest.raises(DomainError, match=where):
            known.record_delivery(day, basis, today)


def test_a_receipt_that_arrived_before_the_decision_gives_the_delivery() -> None:
    made = decision_made().data
    known, _ = KnownDecision.learn(TOLGA, made, postal_days=3, receipt_on=date(2026, 11, 2))
    assert (known.delivered_on, known.delivery_basis) == (date(2026, 11, 2), DeliveryBasis.DIGITAL_RECEIPT)


# --- registering an appeal -----------------------------------------------------------------------------------------


def given(**overrides: object) -> AppealInput:
    values: dict[str, object] = {
        "appellant": Appellant.PERSON,
        "appellant_name": None,
        "authority_on_file": False,
        "appealed": "Jeg trenger mer hjelp enn vedtaket gir.",
        "appealed_services": (),
        "received_on": date(2026, 11, 20),
        "received_by": "allocation_office",
        "channel": AppealChannel.LETTER,
        "helped_by_office": True,
    }
    values.update(overrides)
    return AppealInput(**values)  # type: ignore[arg-type]


def _register(known: KnownDecision, g: AppealInput, open_appeals: int = 0) -> tuple[Appeal, list[object]]:
    appeal, events = Appeal.register(
        known, OFFICE, g, receivers=("allocation_office",), handling_weeks=3, open_appeals=open_appeals, now=NOW
    )
    return appeal, list(events)


def test_an_appeal_in_time_is_registered_with_its_handling_clock() -> None:
    known, _ = _known()  # reached the person 5 November: 4 weeks -> Thursday 3 December
    appeal, events = _register(known, given())

    assert (appeal.deadline_on, appeal.late) == (date(2026, 12, 3), False)
    assert appeal.handling_due_on == date(2026, 12, 11)  # 3 weeks from 20 November, on or before
    registered, clock = events
    assert isinstance(registered, AppealRegistered)
    assert (registered.helped_by_office, registered.received_by, registered.late) == (True, "allocation_office", False)
    assert isinstance(clock, DeadlineScheduled)
    assert (clock.kind, clock.due_on, clock.responsible) == (
        DeadlineKind.APPEAL_HANDLING,
        date(2026, 12, 11),
        "allocation_office",
    )


def test_a_late_appeal_is_flagged_and_must_be_taken_up_or_dismissed_before_it_is_examined() -> None:
    known, _ = _known(weeks=3, rule="forvaltningsloven § 29")  # deadline Thursday 26 November
    appeal, _ = _register(known, given(received_on=date(2026, 11, 27)))
    assert appeal.late

    with pytest.raises(Conflict, match="taken up"):
        appeal.examine(
            OFFICE,
            Examination.NOT_JUSTIFIED,
            comments="Ingen nye opplysninger.",
            documents=ALL_DOCUMENTS,
            appeal_body="Statsforvalteren",
            on=date(2026, 11, 30),
            now=NOW,
        )
    with pytest.raises(DomainError, match="reason"):
        appeal.take_up_late(OFFICE, "  ", date(2026, 11, 30), NOW)
    [taken_up] = appeal.take_up_late(OFFICE, "Klageren var innlagt på sykehus.", date(2026, 11, 30), NOW)
    assert isinstance(taken_up, LateAppealTakenUp)
    with pytest.raises(Conflict, match="was taken up"):
        appeal.dismiss_as_late(OFFICE, "For sent.", date(2026, 11, 30), NOW)


def test_a_late_appeal_dismissed_closes_and_stops_its_clock() -> None:
    known, _ = _known(weeks=3, rule="forvaltningsloven § 29")
    appeal, _ = _register(known, given(received_on=date(2026, 11, 27)))
    closed, stopped = appeal.dismiss_as_late(OFFICE, "Ingen grunn til å ta opp klagen.", date(2026, 11, 30), NOW)
    assert isinstance(closed, AppealClosed)
    assert closed.ended is AppealEnd.DISMISSED_AS_LATE
    assert isinstance(stopped, DeadlineCancelled)
    assert stopped.deadline_id == appeal.handling_deadline_id
    assert appeal.status is AppealStatus.CLOSED


def test_an_appeal_in_time_needs_no_taking_up() -> None:
    known, _ = _known()
    appeal, _ = _register(known, given())
    with pytest.raises(Conflict, match="came in time"):
        appeal.take_up_late(OFFICE, "Grunn.", date(2026, 11, 30), NOW)


@pytest.mark.parametrize(
    ("overrides", "error", "field"),
    [
        ({"appellant": Appellant.REPRESENTATIVE, "appellant_name": "Advokat Berg"}, DomainError, "authority_on_file"),
        ({"appellant": Appellant.GUARDIAN}, DomainError, "appellant_name"),
        ({"received_by": "home_care"}, DomainError, "received_by"),
        ({"appealed_services": ("bpa",)}, DomainError, "appealed_services"),
        ({"received_on": date(2026, 12, 2)}, DomainError, "received_on"),
        ({"received_on": date(2026, 11, 1)}, DomainError, "received_on"),
        ({"appealed": " "}, DomainError, "appealed"),
    ],
)
def test_an_appeal_that_breaks_a_rule_is_refused_naming_the_field(
    overrides: dict[str, object], error: type[Exception], field: str
) -> None:
    known, _ = _known()
    with pytest.raises(error) as refused:
        _register(known, given(**overrides))
    assert getattr(refused.value, "field", None) == field


def test_a_representative_with_authority_and_a_guardian_with_a_name_may_appeal() -> None:
    known, _ = _known()
    representative = given(appellant=Appellant.REPRESENTATIVE, appellant_name="Advokat Berg", authority_on_file=True)
    appeal, _ = _register(known, representative)
    assert appeal.given.appellant is Appellant.REPRESENTATIVE


def test_a_final_superseded_or_already_appealed_decision_is_refused() -> None:
    final, _ = _known()
    final.appeal_body = None
    with pytest.raises(Conflict, match="final"):
        _register(final, given())
    superseded, _ = _known()
    superseded.superseded_by = "decision-2"
    with pytest.raises(Conflict, match="superseded by decision-2"):
        _register(superseded, given())
    known, _ = _known()
    with pytest.raises(Conflict, match="open appeal"):
        _register(known, given(), open_appeals=1)
    with pytest.raises(Forbidden):
        Appeal.register(
            known,
            Actor("u", TOLGA, frozenset({"unit"}), unit="home_care"),
            given(),
            receivers=("allocation_office",),
            handling_weeks=3,
            open_appeals=0,
            now=NOW,
        )


# --- the office's re-examination -----------------------------------------------------------------------------------


def _examined(
    result: Examination, documents: tuple[ForwardedDocument, ...] = ALL_DOCUMENTS
) -> tuple[Appeal, list[object]]:
    known, _ = _known()
    appeal, _ = _register(known, given())
    events = appeal.examine(
        OFFICE,
        result,
        comments="Kontoret står ved vedtaket.",
        documents=documents,
        appeal_body="Statsforvalteren",
        on=date(2026, 11, 30),
        now=NOW,
    )
    return appeal, list(events)


def test_a_justified_appeal_is_reversed_by_the_office_and_closes() -> None:
    appeal, events = _examined(Examination.JUSTIFIED)
    reversed_, closed, stopped = events
    assert isinstance(reversed_, AppealReversedByOffice)
    assert (reversed_.decision_id, reversed_.partial) == (appeal.decision_id, False)
    assert isinstance(closed, AppealClosed)
    assert closed.ended is AppealEnd.REVERSED_BY_OFFICE
    assert isinstance(stopped, DeadlineCancelled)
    assert appeal.forwarding is None


def test_a_partly_justified_appeal_is_partly_reversed_and_the_rest_forwarded() -> None:
    appeal, events = _examined(Examination.PARTLY_JUSTIFIED)
    reversed_, forwarded, stopped = events
    assert isinstance(reversed_, AppealReversedByOffice)
    assert reversed_.partial
    assert isinstance(forwarded, AppealForwarded)
    assert forwarded.forwarding_id == forwarding_id_of(appeal.id)
    assert isinstance(stopped, DeadlineCancelled)
    assert appeal.status is AppealStatus.FORWARDED


def test_an_appeal_not_justified_is_prepared_and_forwarded_to_the_decisions_appeal_body() -> None:
    appeal, events = _examined(Examination.NOT_JUSTIFIED)
    forwarded, stopped = events
    assert isinstance(forwarded, AppealForwarded)
    assert (forwarded.appeal_body, forwarded.forwarded_on) == ("Statsforvalteren", date(2026, 11, 30))
    assert set(forwarded.documents) == set(ForwardedDocument)
    assert isinstance(stopped, DeadlineCancelled)
    assert appeal.office_comments == "Kontoret står ved vedtaket."


def test_forwarding_needs_the_decision_the_appeal_and_the_offices_comments() -> None:
    with pytest.raises(DomainError, match="office_comments") as refused:
        _examined(Examination.NOT_JUSTIFIED, (ForwardedDocument.DECISION, ForwardedDocument.APPEAL))
    assert refused.value.field == "documents"


# --- the appeal body's outcome -------------------------------------------------------------------------------------


def test_the_appeal_bodys_outcome_is_recorded_once_and_a_repeat_is_harmless() -> None:
    appeal, _ = _examined(Examination.NOT_JUSTIFIED)
    [recorded] = appeal.record_outcome("outcome-1", BodyOutcome.QUASHED, date(2026, 11, 30), NOW)
    assert isinstance(recorded, AppealOutcomeRecorded)
    assert (recorded.outcome, recorded.person_id, recorded.appeal_body) == (
        BodyOutcome.QUASHED,
        "person-1",
        "Statsforvalteren",
    )
    assert appeal.record_outcome("outcome-1", BodyOutcome.QUASHED, date(2026, 11, 30), NOW) == []
    with pytest.raises(Conflict, match="recorded already"):
        appeal.record_outcome("outcome-2", BodyOutcome.UPHELD, date(2026, 11, 30), NOW)
    assert appeal.status is AppealStatus.DECIDED


def test_no_outcome_for_an_appeal_not_forwarded_nor_dated_before_the_forwarding() -> None:
    known, _ = _known()
    appeal, _ = _register(known, given())
    with pytest.raises(Conflict, match="not forwarded"):
        appeal.record_outcome("outcome-1", BodyOutcome.UPHELD, date(2026, 11, 30), NOW)
    forwarded, _ = _examined(Examination.NOT_JUSTIFIED)
    with pytest.raises(DomainError, match="before the appeal was forwarded"):
        forwarded.record_outcome("outcome-1", BodyOutcome.UPHELD, date(2026, 11, 29), NOW)


def test_an_appeal_is_withdrawn_before_forwarding_and_through_the_body_after() -> None:
    known, _ = _known()
    appeal, _ = _register(known, given())
    closed, stopped = appeal.withdraw(OFFICE, date(2026, 11, 25), NOW)
    assert isinstance(closed, AppealClosed)
    assert closed.ended is AppealEnd.WITHDRAWN
    assert isinstance(stopped, DeadlineCancelled)
    forwarded, _ = _examined(Examination.NOT_JUSTIFIED)
    with pytest.raises(Conflict, match="outcome 'withdrawn'"):
        forwarded.withdraw(OFFICE, date(2026, 11, 30), NOW)


# --- complaints and deviations -------------------------------------------------------------------------------------


def _complaint() -> tuple[Complaint, list[object]]:
    complaint, events = Complaint.register(
        TOLGA,
        OFFICE,
        case_id="case-1",
        person_id="person-1",
        unit="home_care",
        kind=ComplaintKind.MISMATCH_WITH_DECISION,
        description="Vedtaket gir tre besøk i uka, jeg får ett.",
        received_on=date(2026, 11, 30),
        units=("home_care", "nursing_home"),
        within_days=14,
        now=NOW,
    )
    return complaint, list(events)


def test_a_complaint_goes_to_the_unit_leader_with_a_response_deadline() -> None:
    complaint, (registered, clock) = _complaint()
    assert isinstance(registered, ComplaintRegistered)
    assert (registered.unit, registered.response_due_on) == ("home_care", date(2026, 12, 14))
    assert isinstance(clock, DeadlineScheduled)
    assert (clock.kind, clock.responsible) == (DeadlineKind.COMPLAINT_RESPONSE, "home_care")

    with pytest.raises(Forbidden):
        complaint.answer_by_leader(OFFICE, "Svar.", date(2026, 12, 1), NOW)
    other_leader = Actor("lise", TOLGA, frozenset({"leader"}), unit="nursing_home")
    with pytest.raises(Forbidden):
        complaint.answer_by_leader(other_leader, "Svar.", date(2026, 12, 1), NOW)
    leader = Actor("ola", TOLGA, frozenset({"leader"}), unit="home_care")
    answered, stopped = complaint.answer_by_leader(leader, "Vi øker til tre besøk.", date(2026, 12, 1), NOW)
    assert isinstance(answered, ComplaintAnswered)
    assert isinstance(stopped, DeadlineCancelled)
    assert stopped.deadline_id == complaint.deadline_id
    with pytest.raises(Conflict, match="answered on 2026-12-01"):
        complaint.answer_by_leader(leader, "Igjen.", date(2026, 12, 1), NOW)


def test_a_complaint_about_an_unknown_unit_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        Complaint.register(
            TOLGA,
            OFFICE,
            case_id=None,
            person_id="person-1",
            unit="school",
            kind=ComplaintKind.SERVICE_DELIVERED,
            description="Klage.",
            received_on=date(2026, 11, 30),
            units=("home_care",),
            within_days=14,
            now=NOW,
        )
    assert refused.value.field == "unit"


def test_a_deviation_carries_its_category_and_unit_and_keeps_its_description_here() -> None:
    deviation, [registered] = Deviation.register(
        TOLGA,
        OFFICE,
        case_id=None,
        category=DeviationCategory.RESPONSIBILITY_SPLIT,
        unit="home_care",
        description="Tjenesten startet før vedtak uten at kontoret ble varslet.",
        occurred_on=date(2026, 11, 27),
        units=("home_care", "allocation_office"),
        now=NOW,
    )
    assert isinstance(registered, DeviationRegistered)
    assert (registered.category, registered.unit, registered.case_id) == (
        DeviationCategory.RESPONSIBILITY_SPLIT,
        "home_care",
        deviation.id,
    )
    assert "description" not in type(registered).model_fields
