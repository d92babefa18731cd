"""Coordination rules: the referral to the coordinating unit, its criteria and proposals, the requested decisions,
the home visit for small children, the services linked in (Selbu's choice), the coordinators appointed, changed and
declined, the individual plan, the meetings and their minutes, coordinators' training, the annual report, each
child's BTI level and relay log (Holtålen), and the needs a coordinator raises to the coordinating unit.

The individual judgement, the reasons for a refusal, the person's wishes, the plan's content, the minutes and the
competence form are free text: they stay on the aggregates (and so in this service's database); the events carry
codes, ids, dates and counts only."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from contracts.coordination import (
    AnnualReportSubmitted,
    ArrangementChosen,
    ArrangementForm,
    BtiLevelSet,
    BtiReason,
    ChangeReason,
    CoordinationDeclined,
    CoordinatorAppointed,
    CoordinatorChanged,
    CoordinatorRole,
    DecisionRequested,
    Declined,
    EscalationAnswered,
    EscalationReason,
    EscalationResponse,
    HomeVisitPlanned,
    MeetingCalled,
    MeetingHeld,
    MeetingKind,
    MinutesRecorded,
    NeedEscalated,
    PlanChange,
    PlanCreated,
    PlanRevised,
    ProposedResult,
    ReferralAssessed,
    ReferralKind,
    ReferralOpened,
    RelayEntryAdded,
    RelayHolderChanged,
    RelayHolderRole,
    RelayLogOpened,
    RequestedRight,
    TrainingCompleted,
    TrainingKind,
    TrainingNeedRegistered,
)
from contracts.deadlines import DeadlineCancelled, DeadlineKind, DeadlineScheduled
from contracts.decision import DecisionMade, Outcome
from contracts.envelope import EventModel
from contracts.intake import (
    ChildCoordinatorApplicationRegistered,
    ChildCoordinatorGrounds,
    CoordinationReferralRegistered,
)
from servicekit.actor import Actor
from servicekit.calendar import add_months, due_within_months, local_date, next_working_day, previous_working_day
from servicekit.errors import Conflict, DomainError, Forbidden, NotFound
from servicekit.tenants import CoordinationSettings, HomeVisitRule

ADULT_AGE = 18

# The rights the coordinating unit asks decisions on are not services a provider delivers: they never count as one.
RIGHTS = frozenset(r.value for r in RequestedRight)

# What each kind of referral may lead to. A child coordinator comes with an individual plan in Holtålen (seed 004).
ALLOWED_RIGHTS = {
    ReferralKind.COORDINATION_REFERRAL: frozenset({RequestedRight.COORDINATOR, RequestedRight.INDIVIDUAL_PLAN}),
    ReferralKind.CHILD_COORDINATOR_APPLICATION: frozenset(
        {RequestedRight.CHILD_COORDINATOR, RequestedRight.INDIVIDUAL_PLAN}
    ),
}

ROLE_RIGHT = {
    CoordinatorRole.COORDINATOR: RequestedRight.COORDINATOR,
    CoordinatorRole.CHILD_COORDINATOR: RequestedRight.CHILD_COORDINATOR,
}


class Status(StrEnum):
    OPEN = "open"
    ASSESSED = "assessed"
    DECISION_REQUESTED = "decision_requested"
    DECIDED = "decided"


class RightOutcome(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"


def _new_id() -> str:
    return str(uuid.uuid4())


# --- who may act ---------------------------------------------------------------------------------


def authorize(caller: Actor, unit: str, *, write: bool) -> None:
    """A caseworker of the coordinating unit acts on its referrals (leaders read them). A token that names a unit
    acts for that unit only; one that names none acts for the municipality's coordinating units."""
    roles = ("caseworker",) if write else ("caseworker", "leader")
    caller.require(*roles)
    if caller.unit is not None and caller.unit != unit:
        raise Forbidden(f"the referral is coordinating unit {unit}'s, not {caller.unit}'s")


# --- pure rules ----------------------------------------------------------------------------------


def eighteenth_birthday(born_on: date) -> date:
    """The day the child turns 18 (someone born 29 February turns 18 on 1 March when that year has no 29th)."""
    try:
        return born_on.replace(year=born_on.year + ADULT_AGE)
    except ValueError:
        return date(born_on.year + ADULT_AGE, 3, 1)


def child_coordinator_ends(born_on: date) -> tuple[date, date]:
    """(the day the right to a child coordinator ends, the working day the unit must have acted by): the right lasts
    until the child turns 18; ending it is a duty the municipality owes, so the clock falls on or before that day."""
    ends_on = eighteenth_birthday(born_on)
    return ends_on, previous_working_day(ends_on)


def home_visit_due(received_on: date, born_on: date, rule: HomeVisitRule | None) -> date | None:
    """The working day by which a newborn or small child referred gets a home visit, or None (no rule configured,
    or the child is not small). A child born after the referral arrived (applied for in pregnancy) is a newborn;
    the visit is owed within the rule's days of the later of the two (the last working day on or before)."""
    if rule is None:
        return None
    start = max(received_on, born_on)
    if born_on < received_on and add_months(born_on, rule.max_age_months) <= received_on:
        return None
    due = previous_working_day(start + timedelta(days=rule.within_days))
    return due if due >= start else next_working_day(start)


def providers_of(decisions: Iterable[SeenDecision], delivering_units: Mapping[str, str]) -> tuple[str, ...]:
    """The different providers of the services the person is granted, as the decisions seen say: a service is
    delivered by its configured unit (else counted as its own provider); a superseded decision no longer counts,
    and the rights the coordinating unit asks about are not services."""
    decisions = list(decisions)
    superseded = {d.supersedes for d in decisions if d.supersedes}
    providers: dict[str, None] = {}
    for d in decisions:
        if d.decision_id in superseded or d.outcome is Outcome.REFUSED:
            continue
        for code in d.service_codes:
            if code not in RIGHTS:
                providers[delivering_units.get(code, code)] = None
    return tuple(sorted(providers))


def criteria_met(right: RequestedRight, *, long_term_need: bool, different_providers: bool) -> bool:
    """Individual plan and coordinator: a long-term need for coordinated services, that is two or more services
    from different providers (helse- og omsorgstjenesteloven §§ 7-1, 7-2). Child coordinator: a long-term need
    for complex or coordinated services (§ 7-2 a), which the individual judgement weighs."""
    if right is RequestedRight.CHILD_COORDINATOR:
        return long_term_need
    return long_term_need and different_providers


@dataclass(frozen=True)
class Proposal:
    result: ProposedResult
    reasons: str | None = None


def check_proposals(
    proposals: Mapping[RequestedRight, Proposal],
    *,
    kind: ReferralKind,
    requested: Collection[RequestedRight],
    long_term_need: bool,
    different_providers: bool,
) -> None:
    """Every right asked for gets a proposal; only rights this kind of referral may lead to; a refusal carries
    written reasons (the right is an individual decision); a grant needs the criteria of its right met."""
    missing = [r.value for r in requested if r not in proposals]
    if missing:
        raise DomainError(
            f"proposals: give a proposed result for {', '.join(missing)}", field=f"proposals.{missing[0]}"
        )
    allowed = ALLOWED_RIGHTS[kind]
    for right, proposal in proposals.items():
        where = f"proposals.{right.value}"
        if right not in allowed:
            raise DomainError(f"{where}: a {kind.value} cannot lead to {right.value}", field=where)
        if proposal.result is ProposedResult.REFUSE and not (proposal.reasons or "").strip():
            raise DomainError(
                f"{where}.reasons: a refusal is an individual decision and needs written reasons",
                field=f"{where}.reasons",
            )
        if proposal.result is ProposedResult.GRANT and not criteria_met(
            right, long_term_need=long_term_need, different_providers=different_providers
        ):
            raise Conflict(f"{where}: the criteria for {right.value} are not met; propose a refusal", field=where)


def check_not_future(day: date, today: date, *, field: str) -> None:
    if day > today:
        raise DomainError(f"{field} cannot be in the future", field=field)


# --- value objects -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeenDecision:
    """A decision the platform made for a person, as this service keeps it: codes and ids only."""

    decision_id: str
    case_id: str
    person_id: str
    outcome: Outcome
    service_codes: tuple[str, ...]
    decided_on: date
    supersedes: str | None = None

    @classmethod
    def of(cls, made: DecisionMade) -> SeenDecision:
        return cls(
            decision_id=made.decision_id,
            case_id=made.case_id,
            person_id=made.person_id,
            outcome=made.outcome,
            service_codes=tuple(s.service_code for s in made.services),
            decided_on=made.decided_on,
            supersedes=made.supersedes,
        )


@dataclass(frozen=True)
class CriteriaAssessment:
    long_term_need: bool
    different_providers: bool
    providers_seen: tuple[str, ...]
    judgement: str
    proposals: Mapping[RequestedRight, Proposal]
    assessed_by: str
    assessed_at: datetime
    # Needs that fall under the specialist health service or mental-health acts as well: the municipality still
    # coordinates, and the individual plan informs these services.
    specialist_services: tuple[str, ...] = ()

    @property
    def criteria_met(self) -> bool:
        return all(
            criteria_met(r, long_term_need=self.long_term_need, different_providers=self.different_providers)
            for r in self.proposals
        )


@dataclass(frozen=True)
class RightRequest:
    request_id: str
    right: RequestedRight
    proposed: ProposedResult


@dataclass(frozen=True)
class HomeVisit:
    visit_id: str
    due_on: date
    deadline_id: str


@dataclass(frozen=True)
class Arrangement:
    """Selbu's choice: the services linked in (with the person's consent) and how they work together."""

    form: ArrangementForm
    linked_units: tuple[str, ...]
    consent_on: date
    chosen_by: str
    chosen_on: date


@dataclass
class Appointment:
    """One coordinator's appointment: who, which unit holds the responsibility, the wishes weighed."""

    id: str
    role: CoordinatorRole
    coordinator: str
    unit: str
    wishes: str | None
    wishes_met: bool | None
    appointed_on: date
    appointed_by: str
    ends_on: date | None = None
    deadline_id: str | None = None
    ended_on: date | None = None
    end_reason: str | None = None

    @property
    def current(self) -> bool:
        return self.ended_on is None


# --- the aggregate -------------------------------------------------------------------------------


@dataclass
class Referral:
    id: str
    municipality: str
    case_id: str
    kind: ReferralKind
    person_id: str
    requested: tuple[RequestedRight, ...]
    unit: str
    involves_child: bool
    received_on: date
    created_at: datetime
    updated_at: datetime
    expected_birth_on: date | None = None
    born_on: date | None = None
    # A child-coordinator application's grounds of the right (§ 7-2 a) and the day an adoption's allocation or
    # child welfare's takeover of care started it: no child coordinator starts before that day.
    grounds: ChildCoordinatorGrounds | None = None
    grounds_since: date | None = None
    status: Status = Status.OPEN
    assessment: CriteriaAssessment | None = None
    requests: list[RightRequest] = field(default_factory=list)
    outcomes: dict[RequestedRight, RightOutcome] = field(default_factory=dict)
    decision_id: str | None = None
    home_visit: HomeVisit | None = None
    appointments: list[Appointment] = field(default_factory=list)
    coordinator_declined_on: date | None = None
    plan_declined_on: date | None = None
    arrangement: Arrangement | None = None

    # --- opening ---

    @classmethod
    def open_referral(
        cls, municipality: str, data: CoordinationReferralRegistered, settings: CoordinationSettings, now: datetime
    ) -> tuple[Referral, list[EventModel]]:
        unit = _serving(settings, child=data.involves_child)
        referral: Referral = cls(
            id=_new_id(),
            municipality=municipality,
            case_id=data.case_id,
            kind=ReferralKind.COORDINATION_REFERRAL,
            person_id=data.person_id,
            requested=tuple(dict.fromkeys(RequestedRight(n.value) for n in data.requested)),
            unit=unit,
            involves_child=data.involves_child,
            received_on=data.received_on,
            created_at=now,
            updated_at=now,
        )
        born_on = data.person_birth_on if data.involves_child else None
        return referral, [referral._opened(), *referral._arrived_born(born_on, settings, now)]

    @classmethod
    def open_child_application(
        cls,
        municipality: str,
        data: ChildCoordinatorApplicationRegistered,
        settings: CoordinationSettings,
        now: datetime,
    ) -> tuple[Referral, list[EventModel]]:
        """A family's application for a child coordinator. Before the birth the person is the applying parent
        (the decision service knows the expected child from intake)."""
        referral = cls(
            id=_new_id(),
            municipality=municipality,
            case_id=data.case_id,
            kind=ReferralKind.CHILD_COORDINATOR_APPLICATION,
            person_id=data.child_person_id or data.applicant_person_id,
            requested=(RequestedRight.CHILD_COORDINATOR,),
            unit=_serving(settings, child=True),
            involves_child=True,
            received_on=data.received_on,
            expected_birth_on=data.expected_birth_on if data.child_person_id is None else None,
            grounds=child_grounds(data),
            grounds_since=data.grounds_since,
            created_at=now,
            updated_at=now,
        )
        born_on = data.child_birth_on if data.child_person_id is not None else None
        return referral, [referral._opened(), *referral._arrived_born(born_on, settings, now)]

    def _arrived_born(self, born_on: date | None, settings: CoordinationSettings, now: datetime) -> list[EventModel]:
        """Intake sent the child's birth date with the referral: a small child gets its home visit planned as the
        referral arrives (a date that cannot be the child's is left for the caseworker to record)."""
        if born_on is None or born_on > local_date(now) or eighteenth_birthday(born_on) <= self.received_on:
            return []
        self.born_on = born_on
        return self._visit_if_small(born_on, settings.home_visit_for_small_children)

    def _opened(self) -> ReferralOpened:
        return ReferralOpened(
            referral_id=self.id,
            case_id=self.case_id,
            person_id=self.person_id,
            kind=self.kind,
            requested=list(self.requested),
            unit=self.unit,
            received_on=self.received_on,
        )

    # --- reading ---

    def check_access(self, caller: Actor, *, write: bool = True) -> None:
        authorize(caller, self.unit, write=write)

    @property
    def current_coordinator(self) -> Appointment | None:
        return next((a for a in reversed(self.appointments) if a.current), None)

    def appointment(self, appointment_id: str) -> Appointment:
        found = next((a for a in self.appointments if a.id == appointment_id), None)
        if found is None:
            raise NotFound(f"no appointment {appointment_id} on referral {self.id}")
        return found

    def _touched(self, now: datetime) -> None:
        self.updated_at = now

    # --- the child's birth date: the home visit and the child coordinator's end ---

    def record_birth(self, caller: Actor, born_on: date, rule: HomeVisitRule | None, now: datetime) -> list[EventModel]:
        """The child's birth date, from the referral or the register: a small child gets a home visit planned (where
        the municipality visits them), and a child coordinator already appointed gets the clock of its end."""
        self.check_access(caller)
        if not self.involves_child:
            raise Conflict("the referral is not about a child", field="born_on")
        if self.born_on is not None:
            raise Conflict(f"the child's birth date is already recorded ({self.born_on.isoformat()})", field="born_on")
        check_not_future(born_on, local_date(now), field="born_on")
        if eighteenth_birthday(born_on) <= self.received_on:
            raise DomainError("born_on: the child was 18 or older when the referral arrived", field="born_on")
        self.born_on = born_on
        events = self._visit_if_small(born_on, rule)
        current = self.current_coordinator
        if current is not None and current.role is CoordinatorRole.CHILD_COORDINATOR and current.deadline_id is None:
            events.append(self._schedule_end(current, born_on))
        self._touched(now)
        return events

    def _visit_if_small(self, born_on: date, rule: HomeVisitRule | None) -> list[EventModel]:
        events: list[EventModel] = []
        due_on = home_visit_due(self.received_on, born_on, rule)
        if due_on is not None and self.home_visit is None:
            self.home_visit = HomeVisit(visit_id=_new_id(), due_on=due_on, deadline_id=_new_id())
            events += [
                HomeVisitPlanned(
                    referral_id=self.id, case_id=self.case_id, visit_id=self.home_visit.visit_id, due_on=due_on
                ),
                DeadlineScheduled(
                    deadline_id=self.home_visit.deadline_id,
                    case_id=self.case_id,
                    kind=DeadlineKind.HOME_VISIT,
                    due_on=due_on,
                    responsible=self.unit,
                ),
            ]
        return events

    def _schedule_end(self, appointment: Appointment, born_on: date) -> DeadlineScheduled:
        ends_on, due_on = child_coordinator_ends(born_on)
        appointment.ends_on, appointment.deadline_id = ends_on, _new_id()
        return DeadlineScheduled(
            deadline_id=appointment.deadline_id,
            case_id=self.case_id,
            kind=DeadlineKind.CHILD_COORDINATOR_ENDS,
            due_on=due_on,
            responsible=self.unit,
        )

    # --- the criteria and the proposed results ---

    def assess(
        self,
        caller: Actor,
        *,
        long_term_need: bool,
        different_providers: bool | None,
        providers_seen: tuple[str, ...],
        judgement: str,
        proposals: Mapping[RequestedRight, Proposal],
        now: datetime,
        specialist_services: tuple[str, ...] = (),
    ) -> list[EventModel]:
        """Weigh the criteria. Whether the person has two or more services from different providers is proposed
        from the decisions seen; the caseworker confirms it or, knowing services the platform has not decided
        (the specialist health service, the GP), sets it. Specialist services involved are recorded: the
        municipality coordinates all the same."""
        self.check_access(caller)
        if self.status not in (Status.OPEN, Status.ASSESSED):
            raise Conflict(f"the referral is {self.status.value}: its assessment can no longer change", field="status")
        if not judgement.strip():
            raise DomainError("judgement: record the individual judgement", field="judgement")
        different = different_providers if different_providers is not None else len(providers_seen) >= 2
        check_specialist_services(specialist_services, self.unit)
        check_proposals(
            proposals,
            kind=self.kind,
            requested=self.requested,
            long_term_need=long_term_need,
            different_providers=different,
        )
        self.assessment = CriteriaAssessment(
            long_term_need=long_term_need,
            different_providers=different,
            providers_seen=providers_seen,
            judgement=judgement,
            proposals=dict(proposals),
            assessed_by=caller.subject,
            assessed_at=now,
            specialist_services=specialist_services,
        )
        self.status = Status.ASSESSED
        self._touched(now)
        return [
            ReferralAssessed(
                referral_id=self.id,
                case_id=self.case_id,
                long_term_need=long_term_need,
                services_from_different_providers=different,
                providers_seen=len(providers_seen),
                criteria_met=self.assessment.criteria_met,
                proposed={r: p.result for r, p in proposals.items()},
                specialist_services=list(specialist_services),
            )
        ]

    def request_decisions(self, caller: Actor, now: datetime) -> list[EventModel]:
        """Ask the office for the individual decision on each right assessed, with the proposed result."""
        self.check_access(caller)
        if self.status is not Status.ASSESSED or self.assessment is None:
            detail = (
                "assess the referral first" if self.status is Status.OPEN else f"the referral is {self.status.value}"
            )
            raise Conflict(f"{detail}: no decision can be requested", field="status")
        self.requests = [
            RightRequest(request_id=_new_id(), right=right, proposed=p.result)
            for right, p in self.assessment.proposals.items()
        ]
        self.status = Status.DECISION_REQUESTED
        self._touched(now)
        return [
            DecisionRequested(
                request_id=r.request_id,
                case_id=self.case_id,
                person_id=self.person_id,
                right=r.right,
                proposed=r.proposed,
                requested_by=self.unit,
            )
            for r in self.requests
        ]

    def decided(self, made: SeenDecision, now: datetime) -> None:
        """The office decided the rights asked for: those the decision grants are granted, the others refused. A
        later decision that supersedes the referral's (a review, a reversal after an appeal) decides them anew."""
        answers_request = self.status is Status.DECISION_REQUESTED
        supersedes_ours = self.status is Status.DECIDED and made.supersedes is not None
        if not answers_request and not (supersedes_ours and made.supersedes == self.decision_id):
            return
        granted = set() if made.outcome is Outcome.REFUSED else set(made.service_codes)
        self.outcomes = {
            r.right: RightOutcome.GRANTED if r.right.value in granted else RightOutcome.REFUSED for r in self.requests
        }
        self.decision_id = made.decision_id
        self.status = Status.DECIDED
        self._touched(now)

    def granted(self, right: RequestedRight) -> bool:
        return self.outcomes.get(right) is RightOutcome.GRANTED

    # --- coordinators ---

    def appoint(
        self,
        caller: Actor,
        *,
        role: CoordinatorRole,
        coordinator: str,
        unit: str,
        wishes: str | None,
        wishes_met: bool | None,
        units: Collection[str],
        now: datetime,
        arrangement_first: bool = False,
    ) -> list[EventModel]:
        """Appoint the coordinator together with the unit that will hold the responsibility, weighing the person's
        or family's wishes. A child coordinator of a born child gets the clock of the 18th birthday. Where the
        municipality chooses the arrangement first (Selbu), the coordinator is chosen after it."""
        self.check_access(caller)
        right = ROLE_RIGHT[role]
        if not self.granted(right):
            raise Conflict(f"role: the right to a {role.value} has not been granted on this referral", field="role")
        if arrangement_first and self.arrangement is None:
            raise Conflict(
                "arrangement: link in the services and choose a responsibility group or a collaboration meeting "
                "before the coordinator is chosen",
                field="arrangement",
            )
        if self.coordinator_declined_on is not None:
            raise Conflict("the person declined the coordinator by a change notice", field="role")
        if self.current_coordinator is not None:
            raise Conflict("a coordinator is appointed: record a change of coordinator instead", field="coordinator")
        if role is CoordinatorRole.CHILD_COORDINATOR:
            check_child_coordinator_start(self.grounds, self.grounds_since, local_date(now))
        check_unit(unit, units)
        check_wishes(wishes, wishes_met)
        appointment = Appointment(
            id=_new_id(),
            role=role,
            coordinator=coordinator,
            unit=unit,
            wishes=wishes,
            wishes_met=wishes_met,
            appointed_on=local_date(now),
            appointed_by=caller.subject,
        )
        self.appointments.append(appointment)
        events: list[EventModel] = []
        if role is CoordinatorRole.CHILD_COORDINATOR and self.born_on is not None:
            events.append(self._schedule_end(appointment, self.born_on))
        events.insert(
            0,
            CoordinatorAppointed(
                referral_id=self.id,
                case_id=self.case_id,
                appointment_id=appointment.id,
                role=role,
                coordinator=coordinator,
                unit=unit,
                wishes_recorded=wishes is not None,
                wishes_met=wishes_met,
                ends_on=appointment.ends_on,
            ),
        )
        self._touched(now)
        return events

    def change_coordinator(
        self,
        caller: Actor,
        *,
        coordinator: str,
        unit: str,
        reason: ChangeReason,
        wishes: str | None,
        wishes_met: bool | None,
        units: Collection[str],
        now: datetime,
    ) -> list[EventModel]:
        """Replace the coordinator (a change notice): the old appointment ends with its reason, the new one takes
        over its role and, for a child coordinator, the clock of the 18th birthday."""
        self.check_access(caller)
        current = self.current_coordinator
        if current is None:
            raise Conflict("no coordinator is appointed: appoint one first", field="coordinator")
        if (coordinator, unit) == (current.coordinator, current.unit):
            raise Conflict("the coordinator and unit are the ones appointed already", field="coordinator")
        check_unit(unit, units)
        check_wishes(wishes, wishes_met)
        today = local_date(now)
        current.ended_on, current.end_reason = today, reason.value
        successor = Appointment(
            id=_new_id(),
            role=current.role,
            coordinator=coordinator,
            unit=unit,
            wishes=wishes,
            wishes_met=wishes_met,
            appointed_on=today,
            appointed_by=caller.subject,
            ends_on=current.ends_on,
            deadline_id=current.deadline_id,
        )
        self.appointments.append(successor)
        self._touched(now)
        return [
            CoordinatorChanged(
                referral_id=self.id,
                case_id=self.case_id,
                appointment_id=successor.id,
                replaces=current.id,
                role=current.role,
                coordinator=coordinator,
                unit=unit,
                reason=reason,
                wishes_met=wishes_met,
            )
        ]

    # --- Selbu's choice: the services linked in and how they work together ---

    def choose_arrangement(
        self,
        caller: Actor,
        *,
        form: ArrangementForm,
        linked_units: Collection[str],
        consent_on: date | None,
        units: Collection[str],
        now: datetime,
    ) -> list[EventModel]:
        """After the need is assessed and with the person's consent, link in the relevant services and choose a
        responsibility group or a collaboration meeting (seed 001). It may be chosen again while no coordinator is
        appointed."""
        self.check_access(caller)
        if self.assessment is None:
            raise Conflict("assess the need for coordination first", field="status")
        if not self.assessment.long_term_need:
            raise Conflict("the assessment found no long-term need for coordination", field="status")
        if consent_on is None:
            raise DomainError(
                "consent_on: the services are linked in only with the person's consent", field="consent_on"
            )
        today = local_date(now)
        check_not_future(consent_on, today, field="consent_on")
        if consent_on < self.received_on:
            raise DomainError("consent_on cannot be before the referral arrived", field="consent_on")
        if self.current_coordinator is not None:
            raise Conflict("a coordinator is appointed: the arrangement was chosen before", field="arrangement")
        linked = tuple(dict.fromkeys(linked_units))
        if not linked:
            raise DomainError("linked_units: link in at least one service", field="linked_units")
        for unit in linked:
            check_unit(unit, units, field="linked_units")
        self.arrangement = Arrangement(form, linked, consent_on, caller.subject, today)
        self._touched(now)
        return [
            ArrangementChosen(
                referral_id=self.id, case_id=self.case_id, form=form, linked_units=list(linked), consent_on=consent_on
            )
        ]

    def group_brought_by_child_coordinator(self, now: datetime) -> list[EventModel]:
        """Where configured (Holtålen), a granted child coordinator brings a responsibility group: the
        coordinating unit that holds the referral is linked in, on the consent the application was given with."""
        if self.arrangement is not None or not self.granted(RequestedRight.CHILD_COORDINATOR):
            return []
        today = local_date(now)
        self.arrangement = Arrangement(
            ArrangementForm.RESPONSIBILITY_GROUP, (self.unit,), self.received_on, "coordination", today
        )
        self._touched(now)
        return [
            ArrangementChosen(
                referral_id=self.id,
                case_id=self.case_id,
                form=ArrangementForm.RESPONSIBILITY_GROUP,
                linked_units=[self.unit],
                consent_on=self.received_on,
            )
        ]

    def plan_participants(self) -> Participants:
        """Who may read the person's individual plan: the coordinating unit, the units linked in, the unit that
        holds the coordinator responsibility now, and the coordinator appointed now."""
        units = {self.unit, *(self.arrangement.linked_units if self.arrangement else ())}
        units |= {a.unit for a in self.appointments if a.current}
        return Participants(
            self.unit,
            frozenset(units),
            frozenset(a.coordinator for a in self.appointments if a.current),
            informed=frozenset(self.assessment.specialist_services if self.assessment else ()),
        )

    def decline(self, caller: Actor, declined: Declined, declined_on: date, now: datetime) -> list[EventModel]:
        """A change notice: the person declines the coordinator or the individual plan, each independently. The
        right to a coordinator does not depend on wanting a plan: declining the plan keeps the coordinator."""
        self.check_access(caller)
        check_not_future(declined_on, local_date(now), field="declined_on")
        if declined_on < self.received_on:
            raise DomainError("declined_on cannot be before the referral arrived", field="declined_on")
        events: list[EventModel] = []
        if declined is Declined.INDIVIDUAL_PLAN:
            if self.plan_declined_on is not None:
                raise Conflict("the individual plan is already declined", field="declined")
            self.plan_declined_on = declined_on
        else:
            if self.coordinator_declined_on is not None:
                raise Conflict("the coordinator is already declined", field="declined")
            self.coordinator_declined_on = declined_on
            current = self.current_coordinator
            if current is not None:
                current.ended_on, current.end_reason = declined_on, "declined"
                if current.deadline_id is not None:
                    events.append(
                        DeadlineCancelled(
                            deadline_id=current.deadline_id,
                            case_id=self.case_id,
                            kind=DeadlineKind.CHILD_COORDINATOR_ENDS,
                            reason="coordinator_declined",
                        )
                    )
        self._touched(now)
        return [
            CoordinationDeclined(
                referral_id=self.id,
                case_id=self.case_id,
                declined=declined,
                declined_on=declined_on,
                coordinator_kept=self.current_coordinator is not None,
            ),
            *events,
        ]


def child_grounds(data: ChildCoordinatorApplicationRegistered) -> ChildCoordinatorGrounds:
    """The grounds intake sent, or (from a producer that sent none) a born child or one expected in pregnancy."""
    if data.grounds is not None:
        return data.grounds
    if data.child_person_id is None:
        return ChildCoordinatorGrounds.EXPECTED_CHILD
    return ChildCoordinatorGrounds.BORN_CHILD


def check_child_coordinator_start(
    grounds: ChildCoordinatorGrounds | None, grounds_since: date | None, starts_on: date
) -> None:
    """A child coordinator for an adopted child or a child in child welfare's care starts no earlier than the
    allocation or the takeover of care."""
    if grounds_since is not None and starts_on < grounds_since:
        what = grounds.value if grounds is not None else "the grounds"
        raise Conflict(
            f"grounds_since: a child coordinator on {what} starts on {grounds_since.isoformat()} at the "
            f"earliest, not {starts_on.isoformat()}",
            field="grounds_since",
        )


def check_specialist_services(specialist_services: Collection[str], coordinating_unit: str) -> None:
    """Each specialist service once, and none of them the coordinating unit: the municipality coordinates."""
    if twice := sorted(c for c, n in Counter(specialist_services).items() if n > 1):
        raise DomainError(f"specialist_services names {', '.join(twice)} more than once", field="specialist_services")
    if coordinating_unit in specialist_services:
        raise DomainError(
            f"specialist_services: {coordinating_unit} is the coordinating unit, not a specialist service",
            field="specialist_services",
        )


def check_plan_unit(unit: str, coordinating_units: Collection[str], specialist_services: Collection[str]) -> None:
    """Where needs fall under both the municipal act and the specialist or mental-health acts, the municipality
    coordinates: the plan's responsible unit is one of its coordinating units, never a specialist service."""
    if unit in specialist_services or unit not in coordinating_units:
        raise Conflict(
            f"unit: the individual plan is held by one of the municipality's coordinating units "
            f"({', '.join(sorted(coordinating_units))}), not {unit}",
            field="unit",
        )


def _serving(settings: CoordinationSettings, *, child: bool) -> str:
    found = settings.unit_for(child=child)
    if found is None:  # pragma: no cover - the settings refuse a municipality without one
        raise DomainError("no coordinating unit serves this person", field="coordination.units")
    return found.code


def check_unit(unit: str, units: Collection[str], *, field: str = "unit") -> None:
    if unit not in units:
        raise DomainError(
            f"{field}: '{unit}' is not a unit or coordinating unit of the municipality "
            f"(known: {', '.join(sorted(units))})",
            field=field,
        )


def check_wishes(wishes: str | None, wishes_met: bool | None) -> None:
    if wishes is not None and not wishes.strip():
        raise DomainError("wishes: leave it out, or record what the person or family wished", field="wishes")
    if wishes_met is not None and wishes is None:
        raise DomainError("wishes_met: record the wishes that were or were not met", field="wishes_met")


# --- the individual plan -------------------------------------------------------------------------

ANNUAL_REPORT_DUE = (11, 15)  # the annual report is ready by mid-November (Ålesund, seed 002)


@dataclass(frozen=True)
class Participants:
    """The plan's participants: the coordinating unit, the units linked in or holding the responsibility, and the
    coordinators appointed now."""

    coordinating_unit: str
    units: frozenset[str]
    coordinators: frozenset[str]
    # Specialist services the plan informs: they take part but hold no unit's access and never the plan.
    informed: frozenset[str] = frozenset()

    def may_read(self, caller: Actor) -> bool:
        if not caller.has("caseworker", "leader"):
            return False
        if caller.subject in self.coordinators:
            return True
        # A token that names no unit acts for the municipality's coordinating units.
        return caller.unit is None or caller.unit in self.units

    def may_write(self, caller: Actor) -> bool:
        return caller.has("caseworker") and self.may_read(caller)


@dataclass(frozen=True)
class Goal:
    id: str
    text: str
    added_on: date


@dataclass(frozen=True)
class Measure:
    id: str
    description: str
    responsible_unit: str
    due_on: date | None
    goal_id: str | None
    added_on: date
    completed_on: date | None = None


@dataclass(frozen=True)
class ProgressNote:
    id: str
    text: str
    written_by: str
    written_on: date
    measure_id: str | None = None


@dataclass(frozen=True)
class PlanReview:
    id: str
    reviewed_on: date
    reviewed_by: str
    summary: str
    next_review_on: date | None


@dataclass(frozen=True)
class PlanVersion:
    """One version of the plan as it stood after a change: its content is kept, never overwritten."""

    version: int
    change: PlanChange | None
    changed_by: str
    changed_at: datetime
    content: Mapping[str, object]


@dataclass
class Plan:
    """The person's individual plan (helse- og omsorgstjenesteloven § 7-1): their own goals, the measures with
    the responsible service and due dates, progress notes and reviews. Every change makes a new version."""

    id: str
    municipality: str
    referral_id: str
    case_id: str
    unit: str
    created_at: datetime
    updated_at: datetime
    version: int = 1
    goals: list[Goal] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    notes: list[ProgressNote] = field(default_factory=list)
    reviews: list[PlanReview] = field(default_factory=list)
    declined_on: date | None = None
    new_versions: list[PlanVersion] = field(default_factory=list)

    @classmethod
    def create(
        cls,
        referral: Referral,
        caller: Actor,
        now: datetime,
        *,
        brought_by_right: bool = False,
        coordinating_units: Collection[str] | None = None,
    ) -> tuple[Plan, list[EventModel]]:
        """A plan for a referral whose individual plan was granted (or, where configured, brought by a granted
        child coordinator); not when the person declined it. Held by the referral's coordinating unit, which must be
        one of the municipality's coordinating units (when given), never a specialist service."""
        if not brought_by_right and not referral.granted(RequestedRight.INDIVIDUAL_PLAN):
            raise Conflict("the right to an individual plan has not been granted on this referral", field="status")
        if referral.plan_declined_on is not None:
            raise Conflict("the person declined the individual plan by a change notice", field="declined")
        specialists = referral.assessment.specialist_services if referral.assessment else ()
        check_plan_unit(
            referral.unit, coordinating_units if coordinating_units is not None else {referral.unit}, specialists
        )
        plan = cls(
            id=_new_id(),
            municipality=referral.municipality,
            referral_id=referral.id,
            case_id=referral.case_id,
            unit=referral.unit,
            created_at=now,
            updated_at=now,
        )
        plan.new_versions.append(plan._snapshot(None, caller.subject, now))
        return plan, [
            PlanCreated(plan_id=plan.id, referral_id=referral.id, case_id=referral.case_id, unit=plan.unit, version=1)
        ]

    def content(self) -> dict[str, object]:
        def day(d: date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "goals": [{"id": g.id, "text": g.text, "added_on": day(g.added_on)} for g in self.goals],
            "measures": [
                {
                    "id": m.id,
                    "description": m.description,
                    "responsible_unit": m.responsible_unit,
                    "due_on": day(m.due_on),
                    "goal_id": m.goal_id,
                    "added_on": day(m.added_on),
                    "completed_on": day(m.completed_on),
                }
                for m in self.measures
            ],
            "notes": [
                {
                    "id": n.id,
                    "text": n.text,
                    "written_by": n.written_by,
                    "written_on": day(n.written_on),
                    "measure_id": n.measure_id,
                }
                for n in self.notes
            ],
            "reviews": [
                {
                    "id": r.id,
                    "reviewed_on": day(r.reviewed_on),
                    "reviewed_by": r.reviewed_by,
                    "summary": r.summary,
                    "next_review_on": day(r.next_review_on),
                }
                for r in self.reviews
            ],
        }

    def _snapshot(self, change: PlanChange | None, by: str, now: datetime) -> PlanVersion:
        return PlanVersion(self.version, change, by, now, self.content())

    def _changed(self, change: PlanChange, caller: Actor, now: datetime) -> list[EventModel]:
        self.version += 1
        self.updated_at = now
        self.new_versions.append(self._snapshot(change, caller.subject, now))
        return [
            PlanRevised(
                plan_id=self.id,
                case_id=self.case_id,
                version=self.version,
                change=change,
                goals=len(self.goals),
                measures=len(self.measures),
                notes=len(self.notes),
                reviews=len(self.reviews),
            )
        ]

    def _check_open(self) -> None:
        if self.declined_on is not None:
            raise Conflict("the person declined the individual plan: it no longer changes", field="declined")

    def measure(self, measure_id: str) -> Measure:
        found = next((m for m in self.measures if m.id == measure_id), None)
        if found is None:
            raise NotFound(f"no measure {measure_id} in plan {self.id}")
        return found

    def add_goal(self, caller: Actor, text: str, now: datetime) -> list[EventModel]:
        """One of the person's own goals, in their words."""
        self._check_open()
        _require_text(text, "text")
        self.goals.append(Goal(_new_id(), text, local_date(now)))
        return self._changed(PlanChange.GOAL_ADDED, caller, now)

    def add_measure(
        self,
        caller: Actor,
        *,
        description: str,
        responsible_unit: str,
        due_on: date | None,
        goal_id: str | None,
        units: Collection[str],
        now: datetime,
    ) -> list[EventModel]:
        """A measure with the service or unit responsible for it and its due date."""
        self._check_open()
        _require_text(description, "description")
        check_unit(responsible_unit, units, field="responsible_unit")
        today = local_date(now)
        if due_on is not None and due_on < today:
            raise DomainError("due_on cannot be in the past", field="due_on")
        if goal_id is not None and all(g.id != goal_id for g in self.goals):
            raise DomainError(f"goal_id: no goal {goal_id} in the plan", field="goal_id")
        self.measures.append(Measure(_new_id(), description, responsible_unit, due_on, goal_id, today))
        return self._changed(PlanChange.MEASURE_ADDED, caller, now)

    def complete_measure(self, caller: Actor, measure_id: str, completed_on: date, now: datetime) -> list[EventModel]:
        self._check_open()
        found = self.measure(measure_id)
        if found.completed_on is not None:
            raise Conflict("the measure is already completed", field="completed_on")
        check_not_future(completed_on, local_date(now), field="completed_on")
        if completed_on < found.added_on:
            raise DomainError("completed_on cannot be before the measure was added", field="completed_on")
        self.measures = [
            Measure(**{**m.__dict__, "completed_on": completed_on}) if m.id == measure_id else m for m in self.measures
        ]
        return self._changed(PlanChange.MEASURE_COMPLETED, caller, now)

    def add_note(self, caller: Actor, text: str, measure_id: str | None, now: datetime) -> list[EventModel]:
        """A progress note (on the plan, or on one of its measures)."""
        self._check_open()
        _require_text(text, "text")
        if measure_id is not None:
            try:
                self.measure(measure_id)
            except NotFound:
                raise DomainError(f"measure_id: no measure {measure_id} in the plan", field="measure_id") from None
        self.notes.append(ProgressNote(_new_id(), text, caller.subject, local_date(now), measure_id))
        return self._changed(PlanChange.NOTE_ADDED, caller, now)

    def review(
        self, caller: Actor, *, reviewed_on: date, summary: str, next_review_on: date | None, now: datetime
    ) -> list[EventModel]:
        self._check_open()
        _require_text(summary, "summary")
        check_not_future(reviewed_on, local_date(now), field="reviewed_on")
        if reviewed_on < local_date(self.created_at):
            raise DomainError("reviewed_on cannot be before the plan was made", field="reviewed_on")
        if next_review_on is not None and next_review_on <= reviewed_on:
            raise DomainError("next_review_on must come after reviewed_on", field="next_review_on")
        self.reviews.append(PlanReview(_new_id(), reviewed_on, caller.subject, summary, next_review_on))
        return self._changed(PlanChange.REVIEWED, caller, now)

    def declined(self, declined_on: date, now: datetime) -> None:
        """The person declined the plan by a change notice: it is kept as it stood, and changes no more."""
        if self.declined_on is None:
            self.declined_on = declined_on
            self.updated_at = now


def _require_text(text: str, name: str) -> None:
    if not text.strip():
        raise DomainError(f"{name}: must not be blank", field=name)


# --- meetings ------------------------------------------------------------------------------------

# Meetings that the coordinator holds: without one appointed only a collaboration meeting can be called (Selbu
# chooses it before the coordinator; the hospital calls one before discharge).
NEEDS_COORDINATOR = frozenset({MeetingKind.COORDINATION, MeetingKind.RESPONSIBILITY_GROUP})
FIXED_MEMBERS = ("coordinator", "person")


def minutes_due(held_on: date, within_days: int) -> date:
    """The working day by which the coordinator sees the minutes written: within `within_days` of the meeting,
    the last working day on or before (a duty of the municipality's), never before the meeting."""
    due = previous_working_day(held_on + timedelta(days=within_days))
    return due if due >= held_on else next_working_day(held_on)


@dataclass(frozen=True)
class FollowUp:
    id: str
    description: str
    responsible: str
    due_on: date | None


@dataclass
class Meeting:
    """A collaboration, coordination or responsibility-group meeting around the person (or the hospital's
    collaboration meeting before discharge). The coordinator and the person are fixed members; others invited."""

    id: str
    municipality: str
    referral_id: str
    case_id: str
    unit: str
    kind: MeetingKind
    planned_on: date
    called_by: str
    coordinator: str | None
    invited: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    held_on: date | None = None
    participants: tuple[str, ...] = ()
    minutes: str | None = None
    minutes_recorded_on: date | None = None
    follow_ups: list[FollowUp] = field(default_factory=list)
    deadline_id: str | None = None

    @classmethod
    def call(
        cls,
        referral: Referral,
        caller: Actor,
        *,
        kind: MeetingKind,
        planned_on: date,
        called_by: str | None,
        invited: Collection[str],
        now: datetime,
    ) -> tuple[Meeting, list[EventModel]]:
        referral.check_access(caller)
        current = referral.current_coordinator
        if kind in NEEDS_COORDINATOR and current is None:
            raise Conflict(f"kind: a {kind.value} meeting is held by the coordinator: appoint one first", field="kind")
        caller_code = called_by or referral.unit
        if kind is MeetingKind.DISCHARGE_COLLABORATION and called_by is None:
            raise DomainError("called_by: name the hospital department that called the meeting", field="called_by")
        if planned_on < referral.received_on:
            raise DomainError("planned_on cannot be before the referral arrived", field="planned_on")
        others = tuple(i for i in dict.fromkeys(invited) if i not in FIXED_MEMBERS)
        meeting = cls(
            id=_new_id(),
            municipality=referral.municipality,
            referral_id=referral.id,
            case_id=referral.case_id,
            unit=referral.unit,
            kind=kind,
            planned_on=planned_on,
            called_by=caller_code,
            coordinator=current.coordinator if current else None,
            invited=others,
            created_at=now,
            updated_at=now,
        )
        return meeting, [
            MeetingCalled(
                meeting_id=meeting.id,
                referral_id=referral.id,
                case_id=referral.case_id,
                kind=kind,
                planned_on=planned_on,
                called_by=caller_code,
                coordinator=meeting.coordinator,
                invited=len(others),
            )
        ]

    @property
    def members(self) -> tuple[str, ...]:
        """Who is expected: the fixed members (the coordinator when there is one, and the person) and the invited."""
        fixed = FIXED_MEMBERS if self.coordinator else ("person",)
        return (*fixed, *self.invited)

    def _check_writer(self, caller: Actor) -> None:
        """The meeting's coordinator (whatever unit they work in) or a caseworker of the coordinating unit."""
        if caller.has("caseworker") and self.coordinator is not None and caller.subject == self.coordinator:
            return
        authorize(caller, self.unit, write=True)

    def held(
        self, caller: Actor, *, held_on: date, participants: Collection[str], within_days: int, now: datetime
    ) -> list[EventModel]:
        """Record that the meeting was held and who took part; the coordinator now owes the minutes."""
        self._check_writer(caller)
        if self.held_on is not None:
            raise Conflict(f"the meeting was held on {self.held_on.isoformat()}", field="held_on")
        check_not_future(held_on, local_date(now), field="held_on")
        if held_on < local_date(self.created_at) and held_on < self.planned_on:
            raise DomainError("held_on cannot be before the meeting was called", field="held_on")
        present = tuple(dict.fromkeys(participants))
        if not present:
            raise DomainError("participants: record who took part", field="participants")
        unknown = [p for p in present if p not in self.members]
        if unknown:
            raise DomainError(
                f"participants: {', '.join(unknown)} was not a member or invited (members: {', '.join(self.members)})",
                field="participants",
            )
        self.held_on, self.participants, self.deadline_id = held_on, present, _new_id()
        self.updated_at = now
        due_on = minutes_due(held_on, within_days)
        return [
            MeetingHeld(
                meeting_id=self.id,
                case_id=self.case_id,
                kind=self.kind,
                held_on=held_on,
                coordinator=self.coordinator,
                participants=len(present),
            ),
            DeadlineScheduled(
                deadline_id=self.deadline_id,
                case_id=self.case_id,
                kind=DeadlineKind.MEETING_MINUTES,
                due_on=due_on,
                responsible=self.unit,
            ),
        ]

    def record_minutes(
        self, caller: Actor, *, minutes: str, follow_ups: Iterable[tuple[str, str, date | None]], now: datetime
    ) -> list[EventModel]:
        """The minutes with the agreed follow-ups (what, who, by when); the minutes deadline stops."""
        self._check_writer(caller)
        if self.held_on is None or self.deadline_id is None:
            raise Conflict("record that the meeting was held first", field="held_on")
        if self.minutes_recorded_on is not None:
            raise Conflict("the minutes are recorded", field="minutes")
        _require_text(minutes, "minutes")
        agreed = [FollowUp(_new_id(), what, who, by) for what, who, by in follow_ups]
        for i, f in enumerate(agreed):
            _require_text(f.description, f"follow_ups.{i}.description")
            if f.due_on is not None and f.due_on < self.held_on:
                raise DomainError(f"follow_ups.{i}.due_on cannot be before the meeting", field=f"follow_ups.{i}.due_on")
        today = local_date(now)
        self.minutes, self.minutes_recorded_on, self.follow_ups = minutes, today, agreed
        self.updated_at = now
        return [
            MinutesRecorded(meeting_id=self.id, case_id=self.case_id, recorded_on=today, follow_ups=len(agreed)),
            DeadlineCancelled(
                deadline_id=self.deadline_id,
                case_id=self.case_id,
                kind=DeadlineKind.MEETING_MINUTES,
                reason="minutes_recorded",
            ),
        ]


# --- coordinators' training ----------------------------------------------------------------------


def training_due(requested_on: date, within_months: int = 6) -> date:
    """Training is offered within six months of the unit's request: a duty of the municipality's, so the last
    working day on or before the period's end (domain "Counting deadlines")."""
    return due_within_months(requested_on, within_months)


@dataclass
class TrainingNeed:
    """A coordinator's need for training, guidance or a refresher, as the unit's competence form registers it."""

    id: str
    municipality: str
    coordinator: str
    unit: str
    coordinating_unit: str
    kind: TrainingKind
    needs: str
    requested_on: date
    due_on: date
    deadline_id: str
    registered_by: str
    created_at: datetime
    updated_at: datetime
    completed_on: date | None = None

    @classmethod
    def register(
        cls,
        municipality: str,
        caller: Actor,
        *,
        coordinator: str,
        unit: str,
        coordinating_unit: str,
        kind: TrainingKind,
        needs: str,
        requested_on: date,
        units: Collection[str],
        within_months: int,
        now: datetime,
    ) -> tuple[TrainingNeed, list[EventModel]]:
        caller.require("caseworker", "leader")
        check_unit(unit, units)
        if caller.unit is not None and caller.unit not in (unit, coordinating_unit):
            raise Forbidden(f"a token of {caller.unit} registers its own unit's needs, not {unit}'s")
        _require_text(needs, "needs")
        check_not_future(requested_on, local_date(now), field="requested_on")
        need = cls(
            id=_new_id(),
            municipality=municipality,
            coordinator=coordinator,
            unit=unit,
            coordinating_unit=coordinating_unit,
            kind=kind,
            needs=needs,
            requested_on=requested_on,
            due_on=training_due(requested_on, within_months),
            deadline_id=_new_id(),
            registered_by=caller.subject,
            created_at=now,
            updated_at=now,
        )
        return need, [
            TrainingNeedRegistered(
                need_id=need.id,
                case_id=need.id,
                coordinator=coordinator,
                unit=unit,
                coordinating_unit=coordinating_unit,
                kind=kind,
                requested_on=requested_on,
                due_on=need.due_on,
            ),
            # The training need has no case: its own id stands for the case the clock belongs to.
            DeadlineScheduled(
                deadline_id=need.deadline_id,
                case_id=need.id,
                kind=DeadlineKind.COORDINATOR_TRAINING,
                due_on=need.due_on,
                responsible=coordinating_unit,
            ),
        ]

    def complete(self, caller: Actor, completed_on: date, now: datetime) -> list[EventModel]:
        authorize(caller, self.coordinating_unit, write=True)
        if self.completed_on is not None:
            raise Conflict(f"the training was completed on {self.completed_on.isoformat()}", field="completed_on")
        check_not_future(completed_on, local_date(now), field="completed_on")
        if completed_on < self.requested_on:
            raise DomainError("completed_on cannot be before the training was requested", field="completed_on")
        self.completed_on, self.updated_at = completed_on, now
        return [
            TrainingCompleted(
                need_id=self.id, case_id=self.id, coordinator=self.coordinator, completed_on=completed_on
            ),
            DeadlineCancelled(
                deadline_id=self.deadline_id,
                case_id=self.id,
                kind=DeadlineKind.COORDINATOR_TRAINING,
                reason="training_completed",
            ),
        ]


# --- the annual report ---------------------------------------------------------------------------


def annual_report_due(year: int) -> date:
    """The report for `year` is ready by 15 November: the last working day on or before."""
    return previous_working_day(date(year, *ANNUAL_REPORT_DUE))


def report_year_of(received_on: date) -> int:
    """The report a referral received on that day starts the clock of: its year's, or after that report's due
    date the next year's."""
    return received_on.year if received_on <= annual_report_due(received_on.year) else received_on.year + 1


def annual_report_case_id(unit: str, year: int) -> str:
    return f"annual-report-{unit}-{year}"


def annual_report_deadline(unit: str, year: int) -> DeadlineScheduled:
    """The clock of one coordinating unit's report for a year; the leader is reminded before it."""
    return DeadlineScheduled(
        deadline_id=_new_id(),
        case_id=annual_report_case_id(unit, year),
        kind=DeadlineKind.ANNUAL_REPORT,
        due_on=annual_report_due(year),
        responsible=unit,
    )


@dataclass(frozen=True)
class UnitReport:
    """One coordinating unit's numbers for a year, counted from what the service recorded."""

    unit: str
    coordinators_active: int
    coordinators_appointed: int
    individual_plans_active: int
    individual_plans_created: int
    meetings_held: int
    meetings_by_kind: Mapping[MeetingKind, int]
    meetings_per_coordinator: Mapping[str, int]


def active_in(year: int, start: date, end: date | None) -> bool:
    """Whether something that ran from `start` (to `end`, if it ended) ran at some time in `year`."""
    return start <= date(year, 12, 31) and (end is None or end >= date(year, 1, 1))


def unit_report(
    unit: str,
    year: int,
    *,
    appointments: Iterable[tuple[str, date, date | None]],
    plans: Iterable[tuple[date, date | None]],
    meetings: Iterable[tuple[MeetingKind, date, str | None]],
) -> UnitReport:
    """Count one unit's year: coordinators (distinct people) active in it and appointments made in it, plans
    active in it and made in it, and meetings held in it, by kind and per coordinator."""
    appointments, plans = list(appointments), list(plans)
    held = [(k, d, c) for k, d, c in meetings if d.year == year]
    per_coordinator: dict[str, int] = {}
    for _, _, c in held:
        if c is not None:
            per_coordinator[c] = per_coordinator.get(c, 0) + 1
    return UnitReport(
        unit=unit,
        coordinators_active=len({c for c, start, end in appointments if active_in(year, start, end)}),
        coordinators_appointed=sum(1 for _, start, _ in appointments if start.year == year),
        individual_plans_active=sum(1 for start, end in plans if active_in(year, start, end)),
        individual_plans_created=sum(1 for start, _ in plans if start.year == year),
        meetings_held=len(held),
        meetings_by_kind={k: sum(1 for m, _, _ in held if m is k) for k in MeetingKind},
        meetings_per_coordinator=dict(sorted(per_coordinator.items())),
    )


@dataclass
class ReportFiling:
    """One coordinating unit's report for a year: its clock, started by the first referral of the report year,
    and its submission by the unit's leader, which keeps the figures as they stood and stops the clock."""

    municipality: str
    unit: str
    year: int
    deadline_id: str | None = None
    submitted_at: datetime | None = None
    submitted_by: str | None = None
    submitted: UnitReport | None = None

    @property
    def case_id(self) -> str:
        return annual_report_case_id(self.unit, self.year)

    @property
    def due_on(self) -> date:
        return annual_report_due(self.year)

    def submit(self, caller: Actor, counted: UnitReport, now: datetime) -> list[EventModel]:
        """The leader submits the year's figures once; a report for a year not yet begun cannot be submitted."""
        caller.require("leader")
        if caller.unit is not None and caller.unit != self.unit:
            raise Forbidden(f"a token of {caller.unit} submits its own unit's report, not {self.unit}'s")
        today = local_date(now)
        if self.year > today.year:
            raise DomainError(f"year: the {self.year} report cannot be submitted before the year begins", field="year")
        if self.submitted_at is not None:
            raise Conflict(
                f"the {self.year} report of {self.unit} was submitted on {local_date(self.submitted_at).isoformat()}",
                field="year",
            )
        self.submitted_at, self.submitted_by, self.submitted = now, caller.subject, counted
        events: list[EventModel] = [
            AnnualReportSubmitted(
                case_id=self.case_id,
                unit=self.unit,
                year=self.year,
                submitted_on=today,
                due_on=self.due_on,
                coordinators_active=counted.coordinators_active,
                coordinators_appointed=counted.coordinators_appointed,
                individual_plans_active=counted.individual_plans_active,
                individual_plans_created=counted.individual_plans_created,
                meetings_held=counted.meetings_held,
            )
        ]
        if self.deadline_id is not None:
            events.append(
                DeadlineCancelled(
                    deadline_id=self.deadline_id,
                    case_id=self.case_id,
                    kind=DeadlineKind.ANNUAL_REPORT,
                    reason="report_submitted",
                )
            )
        return events


# --- BTI (bedre tverrfaglig innsats, Holtålen) -----------------------------------------------------------------

BTI_LEVELS = range(4)
SPECIALIST_LEVEL = 3


@dataclass(frozen=True)
class BtiImplication:
    """What a BTI level brings (seed 004): 1-2 a coordinator and a relay log; 3 a child-and-family coordinator with
    the specialist services involved and an individual plan."""

    level: int
    rights: frozenset[RequestedRight]
    relay_log: bool
    specialist_services: bool

    @property
    def several_services(self) -> bool:
        """Level 2 and 3 involve several services (3 also the specialist health service)."""
        return self.level >= 2


def bti_implication(level: int, relay_log_from_level: int = 1) -> BtiImplication:
    if level not in BTI_LEVELS:
        raise DomainError("level: a BTI level is 0, 1, 2 or 3", field="level")
    if level == 0:
        rights: frozenset[RequestedRight] = frozenset()
    elif level < SPECIALIST_LEVEL:
        rights = frozenset({RequestedRight.COORDINATOR})
    else:
        rights = frozenset({RequestedRight.CHILD_COORDINATOR, RequestedRight.INDIVIDUAL_PLAN})
    return BtiImplication(
        level=level,
        rights=rights,
        relay_log=relay_log_from_level <= level < SPECIALIST_LEVEL,
        specialist_services=level >= SPECIALIST_LEVEL,
    )


@dataclass(frozen=True)
class BtiGuidance:
    """What a child's BTI level implies for one referral's criteria and proposals. It guides the individual
    judgement, it does not replace it: the caseworker still assesses and proposes.

    `proposals` names a grant for each right asked for that the level brings and this kind of referral may lead to;
    `application_needed` says the level brings a child-and-family coordinator that only the family's own application
    can lead to (the family applies; helse- og omsorgstjenesteloven § 7-2 a)."""

    level: int
    long_term_need: bool
    different_providers: bool
    proposals: Mapping[RequestedRight, ProposedResult]
    application_needed: bool


def bti_guidance(level: int, kind: ReferralKind, requested: Collection[RequestedRight]) -> BtiGuidance:
    implied = bti_implication(level)
    allowed = ALLOWED_RIGHTS[kind]
    brought = implied.rights
    if kind is ReferralKind.COORDINATION_REFERRAL and RequestedRight.CHILD_COORDINATOR in brought:
        # A coordination referral at level 3: the coordinator stands in for the child-and-family coordinator until
        # the family applies for one.
        brought = brought | {RequestedRight.COORDINATOR}
    proposals = {r: ProposedResult.GRANT for r in requested if r in brought and r in allowed}
    return BtiGuidance(
        level=level,
        long_term_need=level >= 1,
        different_providers=implied.several_services,
        proposals=proposals,
        application_needed=RequestedRight.CHILD_COORDINATOR in implied.rights
        and RequestedRight.CHILD_COORDINATOR not in allowed,
    )


@dataclass(frozen=True)
class BtiEntry:
    """One setting of the level: who set it, when, why (a code) and the caseworker's note (kept here only)."""

    level: int
    reason: BtiReason
    note: str | None
    set_on: date
    set_by: str
    set_at: datetime


@dataclass
class ChildBti:
    """A child's BTI level with its history, kept by the coordinating unit for children."""

    id: str
    municipality: str
    person_id: str
    unit: str
    created_at: datetime
    updated_at: datetime
    history: list[BtiEntry] = field(default_factory=list)

    @classmethod
    def start(cls, municipality: str, person_id: str, unit: str, now: datetime) -> ChildBti:
        return cls(_new_id(), municipality, person_id, unit, now, now)

    @property
    def level(self) -> int | None:
        return self.history[-1].level if self.history else None

    def set_level(
        self, caller: Actor, *, level: int, reason: BtiReason, note: str | None, set_on: date, now: datetime
    ) -> list[EventModel]:
        authorize(caller, self.unit, write=True)
        bti_implication(level)
        check_not_future(set_on, local_date(now), field="set_on")
        if note is not None and not note.strip():
            raise DomainError("note: leave it out, or write why", field="note")
        if self.history and set_on < self.history[-1].set_on:
            raise DomainError(
                f"set_on cannot be before the level last set ({self.history[-1].set_on.isoformat()})", field="set_on"
            )
        previous = self.level
        if previous == level:
            raise Conflict(f"the child's BTI level is {level} already", field="level")
        self.history.append(BtiEntry(level, reason, note, set_on, caller.subject, now))
        self.updated_at = now
        return [
            BtiLevelSet(
                record_id=self.id,
                case_id=self.id,
                person_id=self.person_id,
                unit=self.unit,
                level=level,
                previous=previous,
                reason=reason,
                set_on=set_on,
            )
        ]


# --- the relay log (stafettlogg) ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RelayHolder:
    """Who holds the relay log: a municipal employee or a teacher or kindergarten teacher outside the municipality's
    units. The name is kept here only; events carry the holder's id, role and unit."""

    id: str
    name: str
    role: RelayHolderRole
    unit: str | None
    user: str | None
    from_on: date
    until_on: date | None = None


@dataclass(frozen=True)
class RelayEntry:
    id: str
    entry_on: date
    text: str
    written_by: str
    written_at: datetime


@dataclass
class RelayLog:
    """A child's relay log: its holder (and every holder before), and the entries written in it."""

    id: str
    municipality: str
    person_id: str
    unit: str
    opened_on: date
    created_at: datetime
    updated_at: datetime
    holders: list[RelayHolder] = field(default_factory=list)
    entries: list[RelayEntry] = field(default_factory=list)
    new_entries: list[RelayEntry] = field(default_factory=list, repr=False, compare=False)

    @property
    def holder(self) -> RelayHolder:
        return self.holders[-1]

    def may_read(self, caller: Actor) -> bool:
        """The coordinating unit, the current holder's unit (where the holder has one) and the holder as a user."""
        if not caller.has("caseworker", "leader"):
            return False
        if self.holder.user is not None and caller.subject == self.holder.user:
            return True
        return caller.unit is None or caller.unit in (self.unit, self.holder.unit)

    @classmethod
    def open(
        cls,
        municipality: str,
        caller: Actor,
        *,
        person_id: str,
        unit: str,
        bti_level: int | None,
        from_level: int,
        holder: RelayHolder,
        units: Collection[str],
        now: datetime,
    ) -> tuple[RelayLog, list[EventModel]]:
        """Open the child's relay log with its first holder, at a BTI level that keeps one."""
        authorize(caller, unit, write=True)
        if bti_level is None:
            raise Conflict("set the child's BTI level first: the relay log follows from it", field="level")
        if not bti_implication(bti_level, from_level).relay_log:
            raise Conflict(
                f"the child's BTI level {bti_level} keeps no relay log (levels {from_level}-2 do)", field="level"
            )
        _check_holder(holder, units, local_date(now))
        log = cls(_new_id(), municipality, person_id, unit, holder.from_on, now, now, holders=[holder])
        return log, [
            RelayLogOpened(
                log_id=log.id,
                case_id=log.id,
                person_id=person_id,
                unit=unit,
                holder_id=holder.id,
                holder_role=holder.role,
                holder_unit=holder.unit,
                opened_on=holder.from_on,
            )
        ]

    def change_holder(
        self, caller: Actor, holder: RelayHolder, units: Collection[str], now: datetime
    ) -> list[EventModel]:
        """The log passes to a new holder; the one before keeps the date it ended."""
        authorize(caller, self.unit, write=True)
        _check_holder(holder, units, local_date(now))
        current = self.holder
        if holder.from_on < current.from_on:
            raise DomainError(
                f"from_on cannot be before the current holder took over ({current.from_on.isoformat()})",
                field="from_on",
            )
        if (holder.name, holder.role, holder.unit, holder.user) == (
            current.name,
            current.role,
            current.unit,
            current.user,
        ):
            raise Conflict("the holder is the current one", field="name")
        self.holders[-1] = RelayHolder(
            current.id, current.name, current.role, current.unit, current.user, current.from_on, holder.from_on
        )
        self.holders.append(holder)
        self.updated_at = now
        return [
            RelayHolderChanged(
                log_id=self.id,
                case_id=self.id,
                holder_id=holder.id,
                replaces=current.id,
                holder_role=holder.role,
                holder_unit=holder.unit,
                changed_on=holder.from_on,
            )
        ]

    def add_entry(self, caller: Actor, *, entry_on: date, text: str, now: datetime) -> list[EventModel]:
        """The holder, their unit or the coordinating unit writes in the log."""
        caller.require("caseworker")
        if not self.may_read(caller):
            raise Forbidden("the holder, the holder's unit or the coordinating unit writes in the relay log")
        _require_text(text, "text")
        check_not_future(entry_on, local_date(now), field="entry_on")
        if entry_on < self.opened_on:
            raise DomainError("entry_on cannot be before the relay log was opened", field="entry_on")
        entry = RelayEntry(_new_id(), entry_on, text, caller.subject, now)
        self.entries.append(entry)
        self.new_entries.append(entry)
        self.updated_at = now
        return [
            RelayEntryAdded(
                log_id=self.id, case_id=self.id, entry_id=entry.id, entry_on=entry_on, entries=len(self.entries)
            )
        ]


def new_holder(*, name: str, role: RelayHolderRole, unit: str | None, user: str | None, from_on: date) -> RelayHolder:
    return RelayHolder(_new_id(), name, role, unit, user, from_on)


def _check_holder(holder: RelayHolder, units: Collection[str], today: date) -> None:
    if not holder.name.strip():
        raise DomainError("name: name the holder", field="name")
    if holder.unit is not None:
        check_unit(holder.unit, units)
    elif holder.role not in OUTSIDE_ROLES:
        raise DomainError(
            f"unit: a {holder.role.value} holds the log for one of the municipality's units; name it", field="unit"
        )
    check_not_future(holder.from_on, today, field="from_on")


# Holders who may work outside the municipality's units (a private school or kindergarten): no unit is required.
OUTSIDE_ROLES = frozenset({RelayHolderRole.TEACHER, RelayHolderRole.KINDERGARTEN_TEACHER, RelayHolderRole.OTHER})


# --- the coordinator raises large, complex needs to the coordinating unit --------------------------------------


def escalation_due(raised_on: date, within_days: int) -> date:
    """The coordinating unit's response to a raised need is a duty it owes within `within_days`: the last working
    day on or before the period's end (domain "Counting deadlines"), never before the day it was raised."""
    due = previous_working_day(raised_on + timedelta(days=within_days))
    return due if due >= raised_on else next_working_day(raised_on)


@dataclass
class Escalation:
    """A need the coordinator raised to the coordinating unit, with the reason (a code), the coordinator's account
    and the unit's response (both kept here only)."""

    id: str
    municipality: str
    referral_id: str
    case_id: str
    unit: str
    reason: EscalationReason
    text: str
    raised_by: str
    raised_on: date
    due_on: date
    deadline_id: str
    created_at: datetime
    updated_at: datetime
    response: EscalationResponse | None = None
    response_text: str | None = None
    answered_on: date | None = None
    answered_by: str | None = None

    @classmethod
    def raise_need(
        cls,
        referral: Referral,
        caller: Actor,
        *,
        reason: EscalationReason,
        text: str,
        within_days: int,
        now: datetime,
    ) -> tuple[Escalation, list[EventModel]]:
        """The coordinator (or a caseworker of the unit holding the coordinator responsibility) raises a need."""
        caller.require("caseworker")
        current = referral.current_coordinator
        if current is None:
            raise Conflict(
                "no coordinator is appointed on the referral: the coordinator raises a need", field="coordinator"
            )
        if caller.subject != current.coordinator and caller.unit not in (None, current.unit, referral.unit):
            raise Forbidden("the coordinator, the unit holding the responsibility or the coordinating unit raises it")
        _require_text(text, "text")
        raised_on = local_date(now)
        escalation = cls(
            id=_new_id(),
            municipality=referral.municipality,
            referral_id=referral.id,
            case_id=referral.case_id,
            unit=referral.unit,
            reason=reason,
            text=text,
            raised_by=caller.subject,
            raised_on=raised_on,
            due_on=escalation_due(raised_on, within_days),
            deadline_id=_new_id(),
            created_at=now,
            updated_at=now,
        )
        return escalation, [
            NeedEscalated(
                escalation_id=escalation.id,
                referral_id=referral.id,
                case_id=referral.case_id,
                unit=referral.unit,
                reason=reason,
                raised_on=raised_on,
                due_on=escalation.due_on,
            ),
            DeadlineScheduled(
                deadline_id=escalation.deadline_id,
                case_id=referral.case_id,
                kind=DeadlineKind.ESCALATION_RESPONSE,
                due_on=escalation.due_on,
                responsible=referral.unit,
            ),
        ]

    def may_read(self, caller: Actor, referral: Referral) -> bool:
        if not caller.has("caseworker", "leader"):
            return False
        current = referral.current_coordinator
        if current is not None and (caller.subject == current.coordinator or caller.unit == current.unit):
            return True
        return caller.unit is None or caller.unit == self.unit

    def answer(
        self, caller: Actor, *, response: EscalationResponse, text: str, answered_on: date, now: datetime
    ) -> list[EventModel]:
        """The coordinating unit records its response; the clock stops."""
        authorize(caller, self.unit, write=True)
        if self.answered_on is not None:
            raise Conflict(f"the unit answered on {self.answered_on.isoformat()}", field="response")
        _require_text(text, "text")
        check_not_future(answered_on, local_date(now), field="answered_on")
        if answered_on < self.raised_on:
            raise DomainError("answered_on cannot be before the need was raised", field="answered_on")
        self.response, self.response_text = response, text
        self.answered_on, self.answered_by, self.updated_at = answered_on, caller.subject, now
        return [
            EscalationAnswered(
                escalation_id=self.id,
                referral_id=self.referral_id,
                case_id=self.case_id,
                response=response,
                answered_on=answered_on,
            ),
            DeadlineCancelled(
                deadline_id=self.deadline_id,
                case_id=self.case_id,
                kind=DeadlineKind.ESCALATION_RESPONSE,
                reason="escalation_answered",
            ),
        ]
