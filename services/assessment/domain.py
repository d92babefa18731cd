"""Assessment rules: the state machine, who may act, and the checks on scores, criteria and recommendations."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from contracts.appeals import AppealOutcomeRecorded, BodyOutcome
from contracts.assessment import (
    AssessmentClosed,
    AssessmentCompleted,
    AssessmentOpened,
    AssessorAssigned,
    AssigneeKind,
    CaseHandedOver,
    ChildBestInterestsAssessed,
    CriteriaEvaluated,
    FunctionalScoresRecorded,
    InformationReceived,
    InformationRequested,
    InformationSource,
    ProposedOutcome,
    Recommendation,
    RecommendedService,
    VisitKind,
    VisitRecorded,
    VisitScheduled,
)
from contracts.deadlines import DeadlineCancelled, DeadlineKind, DeadlineScheduled
from contracts.envelope import EventModel
from contracts.intake import ApplicationRegistered, ConsentScope
from servicekit.actor import Actor
from servicekit.calendar import local_date, next_working_day
from servicekit.errors import Conflict, DomainError, Forbidden, NotFound
from servicekit.tenants import Criteria, PartnerOffice, Tenant

# Who must act on the clocks this service starts (DeadlineScheduled.responsible).
OFFICE = "allocation_office"


class Status(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    HANDED_OVER = "handed_over"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    CONSENT_WITHDRAWN = "consent_withdrawn"


CLOSED = frozenset({Status.COMPLETED, Status.WITHDRAWN, Status.CONSENT_WITHDRAWN})


class Action(StrEnum):
    READ = "read"
    ASSIGN = "assign"
    VISIT = "visit"
    REQUEST_INFORMATION = "request_information"
    SCORE = "score"
    EVALUATE_CRITERIA = "evaluate_criteria"
    ASSESS_CHILD_BEST_INTERESTS = "assess_child_best_interests"
    RECOMMEND = "recommend"
    COMPLETE = "complete"
    HAND_OVER = "hand_over"


class RequestStatus(StrEnum):
    REQUESTED = "requested"
    RECEIVED = "received"
    CANCELLED_CONSENT_WITHDRAWN = "cancelled_consent_withdrawn"
    CANCELLED_ASSESSMENT_COMPLETED = "cancelled_assessment_completed"
    CANCELLED_APPLICATION_WITHDRAWN = "cancelled_application_withdrawn"


class Opening(StrEnum):
    """Why an assessment of a case was opened: the application, or a decision the appeal body quashed."""

    APPLICATION_REGISTERED = "application_registered"
    QUASHED_ON_APPEAL = "quashed_on_appeal"  # opphevet: the case is handled anew from the start


@dataclass(frozen=True)
class OpenedBecause:
    """What opened an assessment; for a new round after a quashed decision, the appeal body's outcome."""

    reason: Opening
    outcome_id: str | None = None
    appeal_id: str | None = None
    decision_id: str | None = None  # the quashed decision
    decided_on: date | None = None  # the day the appeal body quashed it


APPLICATION = OpenedBecause(Opening.APPLICATION_REGISTERED)


# --- the state machine ---------------------------------------------------------------------------


def next_status(current: Status, action: Action) -> Status:
    """open → in_progress → completed | handed_over; a handed-over case is worked on and completed by the
    partner office (and the home office); nothing changes after completion."""
    if action is Action.READ:
        return current
    if current is Status.COMPLETED:
        raise Conflict("the assessment is completed and can no longer change", field="status")
    if current is Status.WITHDRAWN:
        raise Conflict("the application was withdrawn: the assessment is closed", field="status")
    if current is Status.CONSENT_WITHDRAWN:
        raise Conflict("consent to process the case was withdrawn: the assessment is closed", field="status")
    if action is Action.COMPLETE:
        return Status.COMPLETED
    if action is Action.HAND_OVER:
        if current is Status.HANDED_OVER:
            raise Conflict("the case is already handed over to a partner office", field="status")
        return Status.HANDED_OVER
    if current is Status.OPEN:
        return Status.IN_PROGRESS
    return current


# --- who may act ---------------------------------------------------------------------------------

# What a unit that writes its own assessments (mental health and substance abuse) may do on its case.
UNIT_ACTIONS = frozenset({Action.READ, Action.VISIT, Action.SCORE, Action.RECOMMEND, Action.COMPLETE})


@dataclass(frozen=True)
class Assignment:
    kind: AssigneeKind | None
    assignee: str | None
    writes_own_assessment: bool


@dataclass(frozen=True)
class ActingAs:
    """Whom the caller acts as on one case: the office (home or partner) or the unit that writes its own
    assessment. The label is what the assessment records (recorded_by, completed_by)."""

    label: str
    is_unit: bool


def authorize(
    caller: Actor, *, home: str, route: str, assignment: Assignment, partners: Collection[str], action: Action
) -> ActingAs:
    """The actor `caller` acts as, or Forbidden naming the rule. Visibility (404) is checked before this."""
    if caller.municipality != home and caller.municipality not in partners:
        raise Forbidden(f"municipality {caller.municipality} has no access to this case")
    if "caseworker" in caller.roles:
        if caller.municipality != home:
            if action is Action.HAND_OVER:
                raise Forbidden("only the home municipality's office hands a case over")
            return ActingAs(label=f"partner_office:{caller.municipality}", is_unit=False)
        return ActingAs(label=route, is_unit=False)
    if "leader" in caller.roles and action is Action.READ:
        return ActingAs(label=route, is_unit=False)
    if "unit" in caller.roles:
        return _unit_actor(caller, home=home, assignment=assignment, action=action)
    raise Forbidden("this action needs the role caseworker (or unit, for a unit that writes its own assessments)")


def _unit_actor(caller: Actor, *, home: str, assignment: Assignment, action: Action) -> ActingAs:
    if caller.unit is None:
        raise Forbidden("a token with the role 'unit' must name its unit (claim 'unit')")
    if caller.municipality != home:
        raise Forbidden(f"unit {caller.unit} of municipality {caller.municipality} has no access to this case")
    if assignment.kind is not AssigneeKind.UNIT or assignment.assignee != caller.unit:
        raise Forbidden(f"the assessment is not assigned to unit {caller.unit}")
    if action is Action.READ:
        return ActingAs(label=caller.unit, is_unit=True)
    if not assignment.writes_own_assessment:
        raise Forbidden(f"unit {caller.unit} does not write its own assessments; the office records them")
    if action not in UNIT_ACTIONS:
        raise Forbidden(f"'{action.value}' is the office's; a unit records visits, scores and the recommendation")
    return ActingAs(label=caller.unit, is_unit=True)


def listing_unit(caller: Actor) -> str | None:
    """The unit whose assigned assessments `caller` lists; None for the office (and leaders), who list them all."""
    if caller.has("caseworker", "leader"):
        return None
    if "unit" not in caller.roles:
        raise Forbidden("reading assessments needs one of the roles: caseworker, leader, unit")
    if caller.unit is None:
        raise Forbidden("a token with the role 'unit' must name its unit (claim 'unit')")
    return caller.unit  # a unit sees the assessments assigned to it


def check_assignment(kind: AssigneeKind, assignee: str, tenant: Tenant) -> bool:
    """Whether the assignee writes its own assessment; a unit must be one of the municipality's units."""
    if kind is AssigneeKind.PROFESSION:
        return False
    unit = tenant.unit(assignee)
    if unit is None:
        known = ", ".join(u.code for u in tenant.units) or "none configured"
        raise DomainError(f"assignee '{assignee}' is not a unit of {tenant.name} (units: {known})", field="assignee")
    return unit.writes_own_assessments


# --- information from the GP or hospital ---------------------------------------------------------

REQUIRED_SCOPE = {
    InformationSource.GP: ConsentScope.FETCH_FROM_GP,
    InformationSource.HOSPITAL: ConsentScope.FETCH_FROM_HOSPITAL,
}


def check_information_request(
    source: InformationSource, due_on: date, consent_scope: Collection[str], today: date
) -> date:
    """The working day the request falls due; refused without the consent to fetch from `source`."""
    scope = REQUIRED_SCOPE[source]
    if scope.value not in consent_scope:
        raise Conflict(
            f"the consent does not include '{scope.value}': information cannot be requested from the {source.value}",
            field="consent.scope",
        )
    if due_on <= today:
        raise DomainError(f"due_on must be after today ({today.isoformat()})", field="due_on")
    return next_working_day(due_on)


def check_information_received(status: RequestStatus, received_on: date, requested_on: date, today: date) -> None:
    if status is RequestStatus.RECEIVED:
        raise Conflict("the information was already received", field="status")
    if status is not RequestStatus.REQUESTED:
        raise Conflict(f"the request is {status.value}; nothing more can be received on it", field="status")
    if received_on > today:
        raise DomainError("received_on cannot be in the future", field="received_on")
    if received_on < requested_on:
        raise DomainError(
            f"received_on cannot be before the request was made ({requested_on.isoformat()})", field="received_on"
        )


def requests_to_cancel(
    open_requests: Iterable[tuple[str, InformationSource]], consent_scope: Collection[str]
) -> list[str]:
    """The open requests whose fetch consent is no longer given."""
    return [rid for rid, source in open_requests if REQUIRED_SCOPE[source].value not in consent_scope]


def is_overdue(status: RequestStatus, due_on: date, today: date) -> bool:
    return status is RequestStatus.REQUESTED and due_on < today


# --- visits --------------------------------------------------------------------------------------


def check_visit_record(already_held_at: datetime | None, held_at: datetime, now: datetime) -> None:
    if already_held_at is not None:
        raise Conflict("the visit is already recorded", field="held_at")
    if held_at > now:
        raise DomainError("held_at cannot be in the future", field="held_at")


# --- IPLOS functional scores ---------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionalVariables:
    """The IPLOS variable list (data): variable codes with names, allowed scores, services without scoring."""

    names: Mapping[str, str]
    allowed_scores: frozenset[int]
    not_required_for: frozenset[str]

    def required_for(self, service_code: str) -> bool:
        return service_code not in self.not_required_for


def check_scores(scores: Mapping[str, int], variables: FunctionalVariables, assessed_on: date, today: date) -> None:
    """Every variable must be on the IPLOS list and every score allowed; the problem names each one."""
    if assessed_on > today:
        raise DomainError("assessed_on cannot be in the future", field="assessed_on")
    if not scores:
        raise DomainError("scores: give at least one IPLOS variable with its score", field="scores")
    allowed = ", ".join(str(s) for s in sorted(variables.allowed_scores))
    problems: list[tuple[str, str]] = []
    for code, score in scores.items():
        if code not in variables.names:
            problems.append((f"scores.{code}", f"scores.{code}: '{code}' is not an IPLOS functional variable"))
        elif score not in variables.allowed_scores:
            problems.append(
                (
                    f"scores.{code}",
                    f"scores.{code}: {score} is not an allowed score for {variables.names[code]} "
                    f"(allowed: {allowed}; 9 = not relevant)",
                )
            )
    if problems:
        unknown = any("not an IPLOS" in message for _, message in problems)
        known = f" (known variables: {', '.join(variables.names)})" if unknown else ""
        raise DomainError("; ".join(message for _, message in problems) + known, field=problems[0][0])


# --- the municipality's criteria -----------------------------------------------------------------


@dataclass(frozen=True)
class CriteriaEvaluation:
    care_ladder_step: int | None = None
    care_ladder_grounds: tuple[str, ...] = ()
    bti_level: int | None = None
    coordinated_criteria_met: tuple[str, ...] = ()


def evaluate_criteria(given: CriteriaEvaluation, criteria: Criteria, municipality_name: str) -> CriteriaEvaluation:
    """Check an evaluation against the municipality's criteria (data); grounds and codes come back de-duplicated."""
    if given == CriteriaEvaluation():
        raise DomainError(
            "give at least one of care_ladder_step, bti_level or coordinated_criteria_met", field="criteria"
        )
    grounds = tuple(dict.fromkeys(given.care_ladder_grounds))
    if given.care_ladder_step is None:
        if grounds:
            raise DomainError("care_ladder_grounds need a care_ladder_step", field="care_ladder_grounds")
    else:
        _check_care_ladder(given.care_ladder_step, grounds, criteria, municipality_name)
    if given.bti_level is not None:
        levels = [b.level for b in criteria.bti_levels]
        if not levels:
            raise DomainError(
                f"{municipality_name} has no BTI levels configured; bti_level cannot be set", field="bti_level"
            )
        if given.bti_level not in levels:
            known = ", ".join(str(level) for level in levels)
            raise DomainError(
                f"bti_level {given.bti_level} is not one of {municipality_name}'s BTI levels ({known})",
                field="bti_level",
            )
    coordinated = tuple(dict.fromkeys(given.coordinated_criteria_met))
    configured = [c.code for c in criteria.coordinated_services]
    unknown = [c for c in coordinated if c not in configured]
    if unknown:
        raise DomainError(
            f"coordinated_criteria_met: {', '.join(unknown)} not among {municipality_name}'s criteria for "
            f"coordinated services ({', '.join(configured) or 'none configured'})",
            field="coordinated_criteria_met",
        )
    return CriteriaEvaluation(given.care_ladder_step, grounds, given.bti_level, coordinated)


def _check_care_ladder(step: int, grounds: Sequence[str], criteria: Criteria, municipality_name: str) -> None:
    if not criteria.care_ladder:
        raise DomainError(
            f"{municipality_name} has no care ladder configured; care_ladder_step cannot be set",
            field="care_ladder_step",
        )
    found = next((s for s in criteria.care_ladder if s.step == step), None)
    if found is None:
        steps = ", ".join(str(s.step) for s in criteria.care_ladder)
        raise DomainError(
            f"care_ladder_step {step} is not a step of {municipality_name}'s care ladder (steps: {steps})",
            field="care_ladder_step",
        )
    known = [g.code for g in found.grounds]
    if not grounds:
        raise DomainError(
            f"care_ladder_grounds: step {step} needs at least one of its grounds ({', '.join(known)})",
            field="care_ladder_grounds",
        )
    unknown = [g for g in grounds if g not in known]
    if unknown:
        raise DomainError(
            f"care_ladder_grounds: {', '.join(unknown)} not among the grounds of step {step} ({', '.join(known)})",
            field="care_ladder_grounds",
        )


# --- recommendation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceLine:
    service_code: str
    start_on: date
    hours_per_week: float | None = None
    end_on: date | None = None


def build_recommendation(
    services: Sequence[ServiceLine],
    legal_basis: Sequence[str] | None,
    proposed_outcome: ProposedOutcome,
    reasons: str,
    tenant: Tenant,
) -> Recommendation:
    """The recommendation as it travels (no reasons' text); the legal basis defaults to the catalogue's."""
    if not services:
        raise DomainError("services: recommend at least one service", field="services")
    catalogue = []
    seen: set[str] = set()
    for index, line in enumerate(services):
        entry = tenant.service(line.service_code)
        if entry is None:
            known = ", ".join(s.code for s in tenant.services)
            raise DomainError(
                f"services[{index}].service_code '{line.service_code}' is not in {tenant.name}'s service catalogue "
                f"(known: {known})",
                field=f"services.{index}.service_code",
            )
        if line.service_code in seen:
            raise DomainError(
                f"services[{index}].service_code '{line.service_code}' is recommended twice",
                field=f"services.{index}.service_code",
            )
        seen.add(line.service_code)
        if line.end_on is not None and line.end_on <= line.start_on:
            raise DomainError(f"services[{index}].end_on must be after start_on", field=f"services.{index}.end_on")
        catalogue.append(entry)
    allowed = list(dict.fromkeys(basis for entry in catalogue for basis in entry.legal_basis))
    if legal_basis is None:
        basis = allowed
    else:
        basis = list(dict.fromkeys(legal_basis))
        if not basis:
            raise DomainError(
                "legal_basis: leave it out for the catalogue's, or name at least one", field="legal_basis"
            )
        foreign = [b for b in basis if b not in allowed]
        if foreign:
            raise DomainError(
                f"legal_basis: '{foreign[0]}' is not a legal basis of the recommended services in {tenant.name}'s "
                f"catalogue (allowed: {'; '.join(allowed)})",
                field="legal_basis",
            )
    if proposed_outcome is not ProposedOutcome.GRANT and not reasons.strip():
        raise DomainError(
            f"reasons: a proposed outcome of '{proposed_outcome.value}' must give its reasons", field="reasons"
        )
    return Recommendation(
        services=[
            RecommendedService(
                service_code=line.service_code,
                hours_per_week=line.hours_per_week,
                start_on=line.start_on,
                end_on=line.end_on,
            )
            for line in services
        ],
        legal_basis=basis,
        proposed_outcome=proposed_outcome,
    )


# --- completion and hand-over --------------------------------------------------------------------

CHILD_BEST_INTERESTS_MISSING = (
    "a case that involves children cannot be completed without the best-interests-of-the-child assessment"
)


def check_completion(
    *,
    has_recommendation: bool,
    involves_child: bool,
    has_child_best_interests: bool,
    has_scores: bool,
    service_code: str,
    variables: FunctionalVariables,
) -> None:
    """Everything a complete assessment needs; the problem lists each missing part."""
    missing: list[tuple[str, str]] = []
    if not has_recommendation:
        missing.append(("recommendation", "the assessment has no recommendation yet"))
    if involves_child and not has_child_best_interests:
        missing.append(("child_best_interests", CHILD_BEST_INTERESTS_MISSING))
    if not has_scores and variables.required_for(service_code):
        missing.append(
            (
                "functional_scores",
                f"an application for '{service_code}' needs the first registration of IPLOS functional scores",
            )
        )
    if missing:
        raise DomainError("; ".join(message for _, message in missing), field=missing[0][0])


def consent_shares_with(partner: str, consent_scope: Collection[str], share_with: Collection[str]) -> bool:
    """The consent lets the case be shared with the partner municipality's office: it includes processing and
    sharing, and names that municipality among those shared with."""
    return (
        ConsentScope.PROCESSING.value in consent_scope
        and ConsentScope.SHARING.value in consent_scope
        and partner in share_with
    )


def check_handover(
    tenant: Tenant, service_code: str, consent_scope: Collection[str], share_with: Collection[str]
) -> PartnerOffice:
    """The partner office that takes cases of `service_code`; refused without one, without consent to share, or
    when the consent does not name the partner municipality among those it may be shared with."""
    partner = tenant.partner_for(service_code)
    if partner is None:
        handed = sorted({code for office in tenant.partner_offices for code in office.services})
        raise DomainError(
            f"service_code '{service_code}': {tenant.name} hands no cases of this service to a partner office"
            + (f" (handed over: {', '.join(handed)})" if handed else ""),
            field="service_code",
        )
    if ConsentScope.SHARING.value not in consent_scope:
        raise Conflict(
            f"the consent does not include 'sharing': the case cannot be handed over to {partner.name}",
            field="consent.scope",
        )
    if not consent_shares_with(partner.municipality, consent_scope, share_with):
        raise Conflict(
            f"the consent does not name {partner.municipality} ({partner.name}) among those it may be shared with: "
            "the case cannot be handed over to it",
            field="consent.share_with",
        )
    return partner


# --- the assessment aggregate --------------------------------------------------------------------


def _new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class Visit:
    id: str
    kind: VisitKind
    scheduled_at: datetime
    created_at: datetime
    held_at: datetime | None = None
    notes: str | None = None  # health information: stays in this service, never in an event
    recorded_by: str | None = None


@dataclass
class InformationRequest:
    id: str
    source: InformationSource
    requested_on: date
    due_on: date
    deadline_id: str  # the clock this request started on deadlines.v1
    created_at: datetime
    status: RequestStatus = RequestStatus.REQUESTED
    received_on: date | None = None
    closed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status is RequestStatus.REQUESTED

    def overdue(self, today: date) -> bool:
        return is_overdue(self.status, self.due_on, today)


@dataclass(frozen=True)
class BestInterests:
    """One best-interests-of-the-child assessment; its text stays in this service."""

    id: str
    children_considered: int
    text: str
    assessed_by: str
    assessed_at: datetime


@dataclass(frozen=True)
class FunctionalScores:
    scores: Mapping[str, int]
    assessed_on: date
    recorded_by: str | None


@dataclass(frozen=True)
class EvaluatedCriteria:
    evaluation: CriteriaEvaluation
    evaluated_at: datetime


@dataclass(frozen=True)
class RecordedRecommendation:
    recommendation: Recommendation
    reasons: str  # stays in this service
    recommended_by: str | None


@dataclass(frozen=True)
class Grant:
    """A partner municipality's office may see and work on this one case: an explicit, recorded hand-over."""

    partner: str
    granted_by: str
    granted_at: datetime
    revoked_at: datetime | None = None  # the consent to share with the partner was withdrawn

    @property
    def holds(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class AssessmentSummary:
    """One line of a listing."""

    id: str
    case_id: str
    municipality: str
    journal_number: str
    person_id: str
    service_code: str
    route: str
    involves_child: bool
    emergency_measure: bool
    status: Status
    assignment: Assignment
    created_at: datetime
    updated_at: datetime
    round: int = 1
    opened_because: OpenedBecause = APPLICATION


NO_ASSIGNMENT = Assignment(kind=None, assignee=None, writes_own_assessment=False)


@dataclass
class Assessment:
    """One round of a case's assessment. `municipality` is the case's HOME municipality: its events are the
    home's, whoever (the home office, its unit, or a partner office holding a grant) acts.

    A case has one round per time it is assessed: the first, opened by the application, and one more each time
    the appeal body quashes a decision of the case. An earlier round keeps everything it recorded."""

    id: str
    municipality: str
    case_id: str
    journal_number: str
    person_id: str
    service_code: str
    route: str
    received_on: date
    involves_child: bool
    emergency_measure: bool
    consent_scope: list[str]
    consent_share_with: list[str]
    created_at: datetime
    updated_at: datetime
    status: Status = Status.OPEN
    assignment: Assignment = NO_ASSIGNMENT
    scores: FunctionalScores | None = None
    criteria: EvaluatedCriteria | None = None
    recommendation: RecordedRecommendation | None = None
    completed_by: str | None = None
    completed_at: datetime | None = None
    visits: list[Visit] = field(default_factory=list)
    information_requests: list[InformationRequest] = field(default_factory=list)
    best_interests: list[BestInterests] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)
    round: int = 1
    opened_because: OpenedBecause = APPLICATION

    @classmethod
    def open(
        cls, municipality: str, application: ApplicationRegistered, now: datetime
    ) -> tuple[Assessment, list[EventModel]]:
        """The assessment a registered application opens, with the consent as intake gave it."""
        opened = cls(
            id=_new_id(),
            municipality=municipality,
            case_id=application.case_id,
            journal_number=application.journal_number,
            person_id=application.person_id,
            service_code=application.service_code,
            route=application.route.value,
            received_on=application.received_on,
            involves_child=application.involves_child,
            emergency_measure=application.emergency_measure,
            consent_scope=[s.value for s in application.consent.scope],
            consent_share_with=list(application.consent.share_with),
            created_at=now,
            updated_at=now,
        )
        return opened, [
            AssessmentOpened(
                assessment_id=opened.id,
                case_id=opened.case_id,
                person_id=opened.person_id,
                service_code=opened.service_code,
                involves_child=opened.involves_child,
            )
        ]

    def reopen_quashed(self, outcome: AppealOutcomeRecorded, now: datetime) -> tuple[Assessment, list[EventModel]]:
        """The next round of this case after the appeal body quashed its decision: the same case, person and
        service with the consent as last known, back at the start; this round keeps what it recorded. A partner
        office's access is not carried over: the home office hands the new round over again if it should."""
        if outcome.outcome is not BodyOutcome.QUASHED:
            raise DomainError(f"an outcome '{outcome.outcome.value}' does not reopen the case", field="outcome")
        if outcome.case_id != self.case_id:
            raise DomainError(f"the outcome is of case {outcome.case_id}, not {self.case_id}", field="case_id")
        if self.status is not Status.COMPLETED:
            raise Conflict(
                f"round {self.round} of the case's assessment is {self.status.value}: a quashed decision opens a "
                "new round after a completed one only",
                field="status",
            )
        # Built afresh, not copied, so that nothing the earlier round recorded is carried into this one.
        reopened = Assessment(
            id=_new_id(),
            municipality=self.municipality,
            case_id=self.case_id,
            journal_number=self.journal_number,
            person_id=self.person_id,
            service_code=self.service_code,
            route=self.route,
            received_on=self.received_on,
            involves_child=self.involves_child,
            emergency_measure=self.emergency_measure,
            consent_scope=list(self.consent_scope),
            consent_share_with=list(self.consent_share_with),
            created_at=now,
            updated_at=now,
            round=self.round + 1,
            opened_because=OpenedBecause(
                reason=Opening.QUASHED_ON_APPEAL,
                outcome_id=outcome.outcome_id,
                appeal_id=outcome.appeal_id,
                decision_id=outcome.decision_id,
                decided_on=outcome.decided_on,
            ),
        )
        return reopened, [
            AssessmentOpened(
                assessment_id=reopened.id,
                case_id=reopened.case_id,
                person_id=reopened.person_id,
                service_code=reopened.service_code,
                involves_child=reopened.involves_child,
            )
        ]

    # --- reading ---

    @property
    def partners(self) -> list[str]:
        """The partner municipalities that may work on this case: handed over to them, in the order of the
        hand-overs, by a grant that holds and that the consent still allows."""
        return [
            g.partner
            for g in self.grants
            if g.holds and consent_shares_with(g.partner, self.consent_scope, self.consent_share_with)
        ]

    def summary(self) -> AssessmentSummary:
        return AssessmentSummary(
            id=self.id,
            case_id=self.case_id,
            municipality=self.municipality,
            journal_number=self.journal_number,
            person_id=self.person_id,
            service_code=self.service_code,
            route=self.route,
            involves_child=self.involves_child,
            emergency_measure=self.emergency_measure,
            status=self.status,
            assignment=self.assignment,
            created_at=self.created_at,
            updated_at=self.updated_at,
            round=self.round,
            opened_because=self.opened_because,
        )

    def is_home(self, municipality: str) -> bool:
        return municipality == self.municipality

    def has_grant_for(self, municipality: str) -> bool:
        return municipality in self.partners

    def acting_as(self, caller: Actor, action: Action = Action.READ) -> ActingAs:
        """Whom `caller` acts as for `action`, or Forbidden naming the rule."""
        return authorize(
            caller,
            home=self.municipality,
            route=self.route,
            assignment=self.assignment,
            partners=self.partners,
            action=action,
        )

    def visit(self, visit_id: str) -> Visit:
        found = next((v for v in self.visits if v.id == visit_id), None)
        if found is None:
            raise NotFound(f"no visit {visit_id} on assessment {self.id}")
        return found

    def information_request(self, request_id: str) -> InformationRequest:
        found = next((r for r in self.information_requests if r.id == request_id), None)
        if found is None:
            raise NotFound(f"no information request {request_id} on assessment {self.id}")
        return found

    def _begin(self, caller: Actor, action: Action) -> tuple[ActingAs, Status]:
        """Who acts (else Forbidden) and the status the action leads to (else Conflict); nothing changes yet."""
        acting = self.acting_as(caller, action)
        return acting, next_status(self.status, action)

    def _moved(self, status: Status, now: datetime) -> None:
        self.status = status
        self.updated_at = now

    # --- the office decides who assesses ---

    def assign(
        self, caller: Actor, kind: AssigneeKind, assignee: str, tenant: Tenant, now: datetime
    ) -> list[EventModel]:
        _, status = self._begin(caller, Action.ASSIGN)
        writes_own = check_assignment(kind, assignee, tenant)
        self.assignment = Assignment(kind=kind, assignee=assignee, writes_own_assessment=writes_own)
        self._moved(status, now)
        return [
            AssessorAssigned(
                assessment_id=self.id,
                case_id=self.case_id,
                assignee_kind=kind,
                assignee=assignee,
                writes_own_assessment=writes_own,
            )
        ]

    # --- visits ---

    def schedule_visit(self, caller: Actor, kind: VisitKind, scheduled_at: datetime, now: datetime) -> list[EventModel]:
        _, status = self._begin(caller, Action.VISIT)
        visit = Visit(id=_new_id(), kind=kind, scheduled_at=scheduled_at, created_at=now)
        self.visits.append(visit)
        self._moved(status, now)
        return [
            VisitScheduled(
                assessment_id=self.id, case_id=self.case_id, visit_id=visit.id, kind=kind, scheduled_at=scheduled_at
            )
        ]

    def record_visit(
        self, caller: Actor, visit_id: str, held_at: datetime, notes: str, now: datetime
    ) -> list[EventModel]:
        acting, status = self._begin(caller, Action.VISIT)
        visit = self.visit(visit_id)
        check_visit_record(visit.held_at, held_at, now)
        visit.held_at, visit.notes, visit.recorded_by = held_at, notes, acting.label
        self._moved(status, now)
        return [VisitRecorded(assessment_id=self.id, case_id=self.case_id, visit_id=visit_id, held_at=held_at)]

    # --- information from the GP or hospital ---

    def request_information(
        self, caller: Actor, source: InformationSource, due_on: date, now: datetime
    ) -> list[EventModel]:
        """Refused without the consent to fetch from `source`; starts a clock on deadlines.v1."""
        _, status = self._begin(caller, Action.REQUEST_INFORMATION)
        today = local_date(now)
        due = check_information_request(source, due_on, self.consent_scope, today)
        request = InformationRequest(
            id=_new_id(), source=source, requested_on=today, due_on=due, deadline_id=_new_id(), created_at=now
        )
        self.information_requests.append(request)
        self._moved(status, now)
        return [
            InformationRequested(
                assessment_id=self.id, case_id=self.case_id, request_id=request.id, source=source, due_on=due
            ),
            DeadlineScheduled(
                deadline_id=request.deadline_id,
                case_id=self.case_id,
                kind=DeadlineKind.INFORMATION_REQUEST,
                due_on=due,
                responsible=OFFICE,
            ),
        ]

    def receive_information(self, caller: Actor, request_id: str, received_on: date, now: datetime) -> list[EventModel]:
        """The information arrived: the request closes and its clock stops."""
        _, status = self._begin(caller, Action.REQUEST_INFORMATION)
        request = self.information_request(request_id)
        check_information_received(request.status, received_on, request.requested_on, local_date(now))
        request.status, request.received_on, request.closed_at = RequestStatus.RECEIVED, received_on, now
        self._moved(status, now)
        return [
            InformationReceived(
                assessment_id=self.id, case_id=self.case_id, request_id=request_id, received_on=received_on
            ),
            self._stop_clock(request, "information_received"),
        ]

    def _stop_clock(self, request: InformationRequest, reason: str) -> DeadlineCancelled:
        return DeadlineCancelled(
            deadline_id=request.deadline_id, case_id=self.case_id, kind=DeadlineKind.INFORMATION_REQUEST, reason=reason
        )

    def _cancel(self, requests: Iterable[InformationRequest], status: RequestStatus, now: datetime) -> list[EventModel]:
        reason = status.value.removeprefix("cancelled_")
        events: list[EventModel] = []
        for request in requests:
            request.status, request.closed_at = status, now
            events.append(self._stop_clock(request, reason))
        return events

    # --- IPLOS, criteria, the best interests of the child ---

    def record_scores(
        self,
        caller: Actor,
        scores: Mapping[str, int],
        assessed_on: date,
        variables: FunctionalVariables,
        now: datetime,
    ) -> list[EventModel]:
        """Records (or replaces) the IPLOS functional scores."""
        acting, status = self._begin(caller, Action.SCORE)
        check_scores(scores, variables, assessed_on, local_date(now))
        self.scores = FunctionalScores(scores=dict(scores), assessed_on=assessed_on, recorded_by=acting.label)
        self._moved(status, now)
        return [
            FunctionalScoresRecorded(
                assessment_id=self.id, case_id=self.case_id, scores=dict(scores), assessed_on=assessed_on
            )
        ]

    def evaluate_criteria(
        self, caller: Actor, given: CriteriaEvaluation, tenant: Tenant, now: datetime
    ) -> list[EventModel]:
        """Weighs the home municipality's criteria (`tenant` is the home's configuration)."""
        _, status = self._begin(caller, Action.EVALUATE_CRITERIA)
        result = evaluate_criteria(given, tenant.criteria, tenant.name)
        self.criteria = EvaluatedCriteria(evaluation=result, evaluated_at=now)
        self._moved(status, now)
        return [
            CriteriaEvaluated(
                assessment_id=self.id,
                case_id=self.case_id,
                care_ladder_step=result.care_ladder_step,
                care_ladder_grounds=list(result.care_ladder_grounds),
                bti_level=result.bti_level,
                coordinated_criteria_met=list(result.coordinated_criteria_met),
            )
        ]

    def assess_child_best_interests(
        self, caller: Actor, children_considered: int, text: str, now: datetime
    ) -> list[EventModel]:
        """The event counts the children; the assessment's text stays here."""
        acting, status = self._begin(caller, Action.ASSESS_CHILD_BEST_INTERESTS)
        self.best_interests.append(
            BestInterests(
                id=_new_id(),
                children_considered=children_considered,
                text=text,
                assessed_by=acting.label,
                assessed_at=now,
            )
        )
        self._moved(status, now)
        return [
            ChildBestInterestsAssessed(
                assessment_id=self.id, case_id=self.case_id, children_considered=children_considered
            )
        ]

    # --- recommendation, completion, hand-over ---

    def recommend(
        self,
        caller: Actor,
        *,
        services: Sequence[ServiceLine],
        legal_basis: Sequence[str] | None,
        proposed_outcome: ProposedOutcome,
        reasons: str,
        tenant: Tenant,
        now: datetime,
    ) -> list[EventModel]:
        """Records the proposed decision against the home municipality's catalogue; it travels on completion,
        so nothing is raised yet."""
        acting, status = self._begin(caller, Action.RECOMMEND)
        recommendation = build_recommendation(services, legal_basis, proposed_outcome, reasons, tenant)
        self.recommendation = RecordedRecommendation(
            recommendation=recommendation, reasons=reasons, recommended_by=acting.label
        )
        self._moved(status, now)
        return []

    def complete(self, caller: Actor, variables: FunctionalVariables, now: datetime) -> list[EventModel]:
        """Completes the assessment: its open requests close and their clocks stop; the recommendation travels."""
        acting, status = self._begin(caller, Action.COMPLETE)
        check_completion(
            has_recommendation=self.recommendation is not None,
            involves_child=self.involves_child,
            has_child_best_interests=bool(self.best_interests),
            has_scores=self.scores is not None,
            service_code=self.service_code,
            variables=variables,
        )
        assert self.recommendation is not None  # checked above
        self.completed_by, self.completed_at = acting.label, now
        self._moved(status, now)
        events = self._cancel(self._open_requests(), RequestStatus.CANCELLED_ASSESSMENT_COMPLETED, now)
        criteria = self.criteria.evaluation if self.criteria else CriteriaEvaluation()
        events.append(
            AssessmentCompleted(
                assessment_id=self.id,
                case_id=self.case_id,
                person_id=self.person_id,
                completed_by=acting.label,
                recommendation=self.recommendation.recommendation,
                care_ladder_step=criteria.care_ladder_step,
                bti_level=criteria.bti_level,
                emergency_measure=self.emergency_measure,
            )
        )
        return events

    def hand_over(self, caller: Actor, tenant: Tenant, now: datetime) -> list[EventModel]:
        """Grants the partner office that takes this service access to this one case (needs consent to share)."""
        _, status = self._begin(caller, Action.HAND_OVER)
        partner = check_handover(tenant, self.service_code, self.consent_scope, self.consent_share_with)
        self.grants.append(Grant(partner=partner.municipality, granted_by=caller.subject, granted_at=now))
        self._moved(status, now)
        return [
            CaseHandedOver(
                assessment_id=self.id,
                case_id=self.case_id,
                from_municipality=self.municipality,
                to_municipality=partner.municipality,
                service_code=self.service_code,
            )
        ]

    # --- what intake tells us ---

    def _open_requests(self) -> list[InformationRequest]:
        return [r for r in self.information_requests if r.is_open]

    def update_consent(
        self, scope: list[str], share_with: list[str], *, processing_withdrawn: bool, now: datetime
    ) -> list[EventModel]:
        """Keeps the consent that still holds and stops fetching what may no longer be fetched; without consent
        to process, the case cannot be assessed any further."""
        self.consent_scope, self.consent_share_with = list(scope), list(share_with)
        self.updated_at = now
        self._revoke_grants_without_consent(now)
        open_requests = {r.id: r for r in self._open_requests()}
        cancelled = requests_to_cancel(((r.id, r.source) for r in open_requests.values()), scope)
        events = self._cancel((open_requests[rid] for rid in cancelled), RequestStatus.CANCELLED_CONSENT_WITHDRAWN, now)
        if processing_withdrawn and self.status not in CLOSED:
            events += self._close(Status.CONSENT_WITHDRAWN, "consent_withdrawn", now)
        return events

    def _revoke_grants_without_consent(self, now: datetime) -> None:
        """A partner office keeps its access only while the consent lets the case be shared with it."""
        self.grants = [
            g
            if not g.holds or consent_shares_with(g.partner, self.consent_scope, self.consent_share_with)
            else replace(g, revoked_at=now)
            for g in self.grants
        ]

    def withdraw(self, now: datetime) -> list[EventModel]:
        """A withdrawn application needs no assessment: it closes and the clocks it started stop."""
        if self.status in CLOSED:
            return []
        events = self._cancel(self._open_requests(), RequestStatus.CANCELLED_APPLICATION_WITHDRAWN, now)
        return events + self._close(Status.WITHDRAWN, "application_withdrawn", now)

    def _close(self, status: Status, reason: str, now: datetime) -> list[EventModel]:
        self._moved(status, now)
        return [AssessmentClosed(assessment_id=self.id, case_id=self.case_id, reason=reason)]


# --- a decision quashed on appeal ---------------------------------------------------------------


def reopening(
    rounds: Sequence[Assessment], outcome: AppealOutcomeRecorded, now: datetime
) -> tuple[Assessment, list[EventModel]] | None:
    """The new round a quashed decision opens after the case's latest round (`rounds` oldest first), or None: an
    outcome other than quashed is not the assessment's business, and an outcome that already opened a round
    (delivered again, or sent again by the appeals service) opens no other."""
    if outcome.outcome is not BodyOutcome.QUASHED or not rounds:
        return None
    if any(r.opened_because.outcome_id == outcome.outcome_id for r in rounds):
        return None
    latest = max(rounds, key=lambda r: r.round)
    return latest.reopen_quashed(outcome, now)
