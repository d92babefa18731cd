"""Decision rules: what an individual decision must hold, who makes it, its appeal information and its clocks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypedDict

from contracts.appeals import BodyOutcome
from contracts.assessment import ProposedOutcome
from contracts.coordination import ProposedResult
from contracts.deadlines import DeadlineCancelled, DeadlineScheduled
from contracts.decision import (
    AppealInformation,
    CaseScheduledForMeeting,
    DecidedBy,
    DecidedService,
    DecisionKind,
    DecisionMade,
    LetterIssued,
    Outcome,
    ReviewResult,
    ServiceOrdered,
)
from contracts.envelope import EventModel
from servicekit.calendar import (
    due_after_weeks,
    due_within_months,
    next_working_day,
    previous_working_day,
)
from servicekit.errors import Conflict, DomainError, Forbidden
from servicekit.tenants import AppealRule, Authority, Tenant

# "Alle vedtak evalueres innen 1 år": the review is due no later than a year after the decision.
REVIEW_MONTHS = 12
# A time-limited decision is evaluated this long before it ends, so it can be renewed or extended in time.
EVALUATION_WEEKS_BEFORE_END = 4
REASONS_RULE = (
    "a refusal or partial grant states the facts, the rules and the main considerations (forvaltningsloven §§ 24-25)"
)


class CaseStatus(StrEnum):
    REGISTERED = "registered"  # known from intake; not yet ready for a decision
    AWAITING_DECISION = "awaiting_decision"
    AWAITING_APPROVAL = "awaiting_approval"  # a draft waits for the unit leaders' final approval
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"


class DecisionStatus(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"
    MADE = "made"
    RETURNED = "returned"  # a unit leader did not approve the draft: the office drafts again
    WITHDRAWN = "withdrawn"  # the application was withdrawn while the draft waited
    QUASHED = "quashed"  # made, then quashed (opphevet) by the appeal body: the case is treated anew


class AgendaStatus(StrEnum):
    OPEN = "open"
    CONCLUDED = "concluded"
    POSTPONED = "postponed"
    WITHDRAWN = "withdrawn"
    DECIDED = "decided"  # decided before the meeting took it up (where the meeting does not decide)


class MeetingResult(StrEnum):
    CONCLUDED = "concluded"
    POSTPONED = "postponed"


class DeadlineKind(StrEnum):
    DECISION_REVIEW = "decision_review"
    TIME_LIMITED_EVALUATION = "time_limited_evaluation"


# What the agenda item says when a decision's clock brings it back to the allocation meeting.
_DUE_REASONS = {DeadlineKind.DECISION_REVIEW.value: "review", DeadlineKind.TIME_LIMITED_EVALUATION.value: "evaluation"}


@dataclass(frozen=True)
class DueReview:
    """A decision's review (within a year) or the evaluation of a time-limited decision (before it ends) fell due:
    the case goes on the next allocation meeting's agenda where the municipality holds meetings, and is flagged for
    the office (this, on the case) either way, until a review or a reversal replaces the decision."""

    deadline_id: str
    decision_id: str
    kind: str
    due_on: date

    @property
    def reason(self) -> str:
        """The agenda item's reason: review | evaluation."""
        return _DUE_REASONS[self.kind]


def due_review_of(clock: DecisionClock | None) -> DueReview | None:
    """What a DeadlineDue asks of this service: a review or an evaluation of the decision whose clock it is. None
    for a clock not ours (another service's), one a superseding decision stopped, or one acted on already (the
    event delivered again)."""
    if clock is None or clock.status != CLOCK_SCHEDULED or clock.kind not in _DUE_REASONS:
        return None
    return DueReview(deadline_id=clock.id, decision_id=clock.decision_id, kind=clock.kind, due_on=clock.due_on)


# A decision clock's status: scheduled until it is cancelled (a superseding decision) or falls due.
CLOCK_SCHEDULED = "scheduled"
CLOCK_DUE = "due"


# --- decision content ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceLine:
    service_code: str
    hours_per_week: float | None
    start_on: date
    end_on: date | None = None


@dataclass(frozen=True)
class Reasons:
    """forvaltningsloven § 25: the rules, the facts the decision rests on, and the main considerations."""

    facts: str = ""
    rules: str = ""
    considerations: str = ""

    def stripped(self) -> Reasons:
        return Reasons(self.facts.strip(), self.rules.strip(), self.considerations.strip())

    @property
    def empty(self) -> bool:
        return not (self.facts.strip() or self.rules.strip() or self.considerations.strip())


@dataclass(frozen=True)
class AppealRoute:
    """Who finally hears an appeal, and the rule that sets its deadline: the catalogue entry's."""

    appeal_body: str
    rule: AppealRule

    @property
    def weeks(self) -> int:
        return self.rule.weeks


@dataclass(frozen=True)
class DecisionContent:
    outcome: Outcome
    services: tuple[ServiceLine, ...]
    refused: tuple[str, ...]
    legal_basis: tuple[str, ...]
    reasons: Reasons
    route: AppealRoute


def check_reasons(reasons: Reasons, *, required: bool, why: str) -> Reasons:
    reasons = reasons.stripped()
    if required:
        for name in ("facts", "rules", "considerations"):
            if not getattr(reasons, name):
                raise DomainError(f"reasons.{name}: required {why}: {REASONS_RULE}", field=f"reasons.{name}")
    return reasons


def check_content(
    outcome: Outcome,
    services: Sequence[ServiceLine],
    refused: Sequence[str],
    legal_basis: Sequence[str] | None,
    reasons: Reasons,
    *,
    tenant: Tenant,
    reasons_required_because: str | None = None,
) -> DecisionContent:
    """A decision's content, checked against the law's demands and the municipality's catalogue."""
    for i, line in enumerate(services):
        if tenant.service(line.service_code) is None:
            raise DomainError(
                f"services[{i}].service_code: {line.service_code!r} is not in {tenant.name}'s service catalogue",
                field=f"services[{i}].service_code",
            )
        if line.end_on is not None and line.end_on < line.start_on:
            raise DomainError(f"services[{i}].end_on: cannot be before start_on", field=f"services[{i}].end_on")
    for i, code in enumerate(refused):
        if tenant.service(code) is None:
            raise DomainError(
                f"refused_services[{i}]: {code!r} is not in {tenant.name}'s service catalogue",
                field=f"refused_services[{i}]",
            )
    granted_codes = [s.service_code for s in services]
    if len(set(granted_codes)) != len(granted_codes):
        raise DomainError("services: each service is granted once, with its whole scope", field="services")
    if len(set(refused)) != len(refused):
        raise DomainError("refused_services: each service is named once", field="refused_services")
    both = sorted(set(granted_codes) & set(refused))
    if both:
        raise DomainError(f"refused_services: {both} cannot be both granted and refused", field="refused_services")
    if outcome is Outcome.REFUSED:
        if services:
            raise DomainError(
                "services: a refusal grants no service; name what is refused in refused_services", field="services"
            )
        if not refused:
            raise DomainError("refused_services: a refusal names the service(s) refused", field="refused_services")
    elif not services:
        raise DomainError(f"services: a decision that is {outcome.value} grants at least one service", field="services")

    required = outcome in (Outcome.REFUSED, Outcome.PARTLY_GRANTED) or reasons_required_because is not None
    why = reasons_required_because or f"when the outcome is {outcome.value}"
    checked = check_reasons(reasons, required=required, why=why)
    codes = [*granted_codes, *refused]
    basis = _legal_basis(legal_basis, codes, tenant)
    return DecisionContent(
        outcome=outcome,
        services=tuple(services),
        refused=tuple(refused),
        legal_basis=basis,
        reasons=checked,
        route=appeal_route(codes, tenant),
    )


def _legal_basis(given: Sequence[str] | None, codes: Iterable[str], tenant: Tenant) -> tuple[str, ...]:
    if given is None:
        return default_legal_basis(codes, tenant)
    cleaned = tuple(b.strip() for b in given)
    if not cleaned:
        raise DomainError(
            "legal_basis: name at least one rule, or leave it out for the catalogue's", field="legal_basis"
        )
    for i, basis in enumerate(cleaned):
        if not basis:
            raise DomainError(f"legal_basis[{i}]: cannot be empty", field=f"legal_basis[{i}]")
    return cleaned


def default_legal_basis(codes: Iterable[str], tenant: Tenant) -> tuple[str, ...]:
    """The catalogue's legal basis of every service the decision is about, in order, each once."""
    found: dict[str, None] = {}
    for code in codes:
        service = tenant.service(code)
        if service is not None:
            found.update(dict.fromkeys(service.legal_basis))
    return tuple(found)


def appeal_route(codes: Iterable[str], tenant: Tenant) -> AppealRoute:
    """The appeal body and rule of the services decided, from their catalogue entries; one decision has one
    route."""
    routes = {}
    for code in codes:
        service = tenant.service(code)
        if service is not None:
            routes[code] = AppealRoute(service.appeal_body, service.appeal_rule)
    distinct = set(routes.values())
    if len(distinct) != 1:
        detail = ", ".join(f"{code}: {r.appeal_body}, {r.rule.cited}" for code, r in routes.items())
        raise DomainError(
            f"services: one decision cannot join services with different appeal bodies or deadlines ({detail}); "
            "make one decision per appeal route",
            field="services",
        )
    return distinct.pop()


def appeal_information(route: AppealRoute, letter_on: date, submit_to: str) -> AppealInformation:
    """forvaltningsloven § 27, with the route's deadline and the rule that sets it. The deadline runs from when
    the letter reaches the person; the date given is for a letter received the day it is dated, moved off weekends
    and holidays."""
    return AppealInformation(
        appeal_body=route.appeal_body,
        submit_to=submit_to,
        deadline_weeks=route.weeks,
        deadline_on=due_after_weeks(letter_on, route.weeks),
        legal_basis=route.rule.cited,
    )


# --- who decides --------------------------------------------------------------------------------


def decided_by(kind: DecisionKind, authority: Authority) -> DecidedBy:
    """Requested decisions and reversals after an appeal are the office's alone; the rest follow the
    municipality's authority."""
    if kind in (DecisionKind.REQUESTED, DecisionKind.REVERSAL):
        return DecidedBy.OFFICE
    return DecidedBy(authority.value)


@dataclass(frozen=True)
class AgendaState:
    meeting_id: str
    meeting_on: date
    status: AgendaStatus
    outcome: Outcome | None


def check_meeting_precondition(
    by: DecidedBy, *, emergency: bool, has_meetings: bool, agenda: AgendaState | None, outcome: Outcome
) -> None:
    """Under the meeting's authority the meeting's conclusion is the decision; an emergency measure is raised at
    the first meeting before its decision is written, whoever decides."""
    if by is DecidedBy.MEETING:
        if agenda is None:
            raise Conflict(
                "case_id: the allocation meeting decides in this municipality, and the case is on no meeting's agenda",
                field="case_id",
            )
        if agenda.status is AgendaStatus.OPEN:
            raise Conflict(
                f"case_id: the case is on the agenda of the meeting on {agenda.meeting_on.isoformat()}; record the "
                f"meeting's conclusion first (POST /meetings/{agenda.meeting_id}/outcomes)",
                field="case_id",
            )
        if agenda.outcome is not outcome:
            concluded = agenda.outcome.value if agenda.outcome else "none"
            raise DomainError(
                f"outcome: must be what the meeting concluded ({concluded})",
                field="outcome",
            )
        return
    if emergency and has_meetings and (agenda is None or agenda.status is AgendaStatus.OPEN):
        when = f" on {agenda.meeting_on.isoformat()}" if agenda else ""
        raise Conflict(
            f"case_id: an emergency measure is raised at the first allocation meeting{when} before its decision is "
            "written; record the meeting's conclusion first",
            field="case_id",
        )


def check_decided_on(
    decided_on: date, today: date, *, received_on: date | None = None, meeting_on: date | None = None
) -> None:
    if decided_on > today:
        raise DomainError("decided_on: cannot be in the future", field="decided_on")
    if received_on is not None and decided_on < received_on:
        raise DomainError(
            f"decided_on: cannot be before the case was received ({received_on.isoformat()})", field="decided_on"
        )
    if meeting_on is not None and decided_on < meeting_on:
        raise DomainError(
            f"decided_on: cannot be before the meeting that concluded ({meeting_on.isoformat()})", field="decided_on"
        )


def delivering_units(
    codes: Sequence[str],
    mapping: Mapping[str, str],
    *,
    municipality: str,
    requested_by: Mapping[str, str] | None = None,
    field_prefix: str = "services",
) -> tuple[str, ...]:
    """The unit each service is ordered from: the coordinating unit that requested it, else the configured one."""
    units = []
    for i, code in enumerate(codes):
        unit = (requested_by or {}).get(code) or mapping.get(code)
        if unit is None and requested_by is not None:
            asked = ", ".join(sorted(requested_by)) or "none"
            raise DomainError(
                f"{field_prefix}[{i}].service_code: {code!r} is neither a right the coordinating unit asked a decision "
                f"on (asked so far: {asked}) nor a service with a delivering unit in municipality {municipality}",
                field=f"{field_prefix}[{i}].service_code",
            )
        if unit is None:
            raise DomainError(
                f"{field_prefix}[{i}].service_code: no delivering unit is configured for {code!r} in municipality "
                f"{municipality} (decision.delivering_units in its deploy/tenants file)",
                field=f"{field_prefix}[{i}].service_code",
            )
        units.append(unit)
    return tuple(units)


def check_approver(unit: str | None, required: Sequence[str], approved: Iterable[str]) -> str:
    """A unit leader approves for their own unit, once, and only a unit that delivers one of the services."""
    if unit is None:
        raise Forbidden("approval needs a unit leader's token that carries the unit claim")
    if unit not in required:
        raise Forbidden(
            f"unit {unit} delivers none of this decision's services; the approvals it needs are from: "
            f"{', '.join(required)}"
        )
    if unit in set(approved):
        raise Conflict(f"unit {unit} has already approved this decision", field="unit")
    return unit


def approvals_complete(required: Iterable[str], approved: Iterable[str]) -> bool:
    return set(required) <= set(approved)


# --- clocks -------------------------------------------------------------------------------------


def review_due(outcome: Outcome, decided_on: date, services: Sequence[ServiceLine]) -> date | None:
    """Every decision that grants a service is reviewed within a year: on the last working day not after it. A
    decision whose every service ends by then is evaluated before its end instead."""
    if outcome is Outcome.REFUSED or not services:
        return None
    due = due_within_months(decided_on, REVIEW_MONTHS)
    if all(s.end_on is not None and s.end_on <= due for s in services):
        return None
    return due


def evaluation_due(decided_on: date, services: Sequence[ServiceLine]) -> date | None:
    """A time-limited decision is evaluated four weeks before its first service ends, on a working day no later
    than that; a decision too short for that is evaluated at once."""
    ends = [s.end_on for s in services if s.end_on is not None]
    if not ends:
        return None
    due = previous_working_day(min(ends) - timedelta(weeks=EVALUATION_WEEKS_BEFORE_END))
    if due < decided_on:
        return next_working_day(decided_on)
    return due


# --- reviews, proposals, requested rights -------------------------------------------------------


@dataclass(frozen=True)
class ReviewPlan:
    outcome: Outcome
    services: tuple[ServiceLine, ...]
    refused: tuple[str, ...]
    reasons_required_because: str | None


def review_plan(
    result: ReviewResult,
    old_services: Sequence[ServiceLine],
    new_services: Sequence[ServiceLine] | None,
    outcome: Outcome | None,
) -> ReviewPlan:
    """What a review's new decision grants: the same services (continue), new ones (change), or none (stop)."""
    old_codes = tuple(s.service_code for s in old_services)
    if result is ReviewResult.CONTINUE:
        if outcome not in (None, Outcome.GRANTED):
            raise DomainError("outcome: a review that continues grants the services again", field="outcome")
        if new_services is None:
            return ReviewPlan(Outcome.GRANTED, tuple(old_services), (), None)
        old_scope = sorted((s.service_code, s.hours_per_week) for s in old_services)
        if sorted((s.service_code, s.hours_per_week) for s in new_services) != old_scope:
            raise DomainError(
                "services: a review that continues keeps the services and their scope (only the period may "
                "change); use result 'change'",
                field="services",
            )
        return ReviewPlan(Outcome.GRANTED, tuple(new_services), (), None)
    if result is ReviewResult.CHANGE:
        if not new_services:
            raise DomainError(
                "services: a review that changes the decision names the services granted", field="services"
            )
        if outcome is Outcome.REFUSED:
            raise DomainError("outcome: a change grants services; use result 'stop' to end them", field="outcome")
        dropped = tuple(c for c in old_codes if c not in {s.service_code for s in new_services})
        return ReviewPlan(outcome or Outcome.GRANTED, tuple(new_services), dropped, "when a review changes a decision")
    if new_services:
        raise DomainError("services: a review that stops the services grants none", field="services")
    if outcome not in (None, Outcome.REFUSED):
        raise DomainError("outcome: a review that stops the services refuses their continuation", field="outcome")
    return ReviewPlan(Outcome.REFUSED, (), old_codes, "when a review stops the services")


def check_reviewable(status: DecisionStatus, superseded_by: str | None, outcome: Outcome, pending: bool) -> None:
    if status is not DecisionStatus.MADE:
        raise Conflict(f"decision_id: only a made decision can be reviewed (this one is {status.value})")
    if superseded_by is not None:
        raise Conflict(f"decision_id: the decision was superseded by {superseded_by}; review that one")
    if outcome is Outcome.REFUSED:
        raise Conflict("decision_id: a refusal grants nothing to review; a new application starts a new case")
    if pending:
        raise Conflict("decision_id: a new decision superseding this one already waits for approval")


def outcome_of_proposal(proposed: ProposedOutcome | ProposedResult) -> Outcome:
    if proposed in (ProposedOutcome.GRANT, ProposedResult.GRANT):
        return Outcome.GRANTED
    if proposed is ProposedOutcome.PARTLY:
        return Outcome.PARTLY_GRANTED
    return Outcome.REFUSED


def check_rights_covered(rights: Iterable[str], granted: Iterable[str], refused: Iterable[str]) -> None:
    """A requested decision answers every right the coordinating unit asked about."""
    missing = [r for r in rights if r not in set(granted) | set(refused)]
    if missing:
        raise DomainError(
            f"services: the coordinating unit asked for a decision on {missing}; grant or refuse each",
            field="services",
        )


@dataclass(frozen=True)
class PendingKind:
    """What a case awaits: a reversal after an appeal (the office's, or carrying out the appeal body's), decisions
    the coordinating unit asked for, or the first (after a quashed decision: the first of its new treatment)."""

    reversal_of: str | None = None
    requested_rights: tuple[str, ...] = field(default_factory=tuple)
    by_appeal_body: bool = False
    follows_quashed: str | None = None

    @property
    def kind(self) -> DecisionKind:
        if self.reversal_of is not None:
            return DecisionKind.REVERSAL
        if self.requested_rights:
            return DecisionKind.REQUESTED
        return DecisionKind.INITIAL

    def decided_by(self, authority: Authority) -> DecidedBy:
        """Who makes the awaited decision: the appeal body's reversal is the body's; the rest as `decided_by`."""
        if self.kind is DecisionKind.REVERSAL and self.by_appeal_body:
            return DecidedBy.APPEAL_BODY
        return decided_by(self.kind, authority)

    @property
    def follows(self) -> str | None:
        """The decision the awaited one follows in the case's history: the appealed one a reversal supersedes, or
        the one the appeal body quashed."""
        return self.reversal_of if self.kind is DecisionKind.REVERSAL else self.follows_quashed


# --- the appeal body's outcome -----------------------------------------------------------------------------------


class FollowUp(StrEnum):
    """What the appeal body's outcome asks of the decision service."""

    RECORDED = "recorded"  # upheld, dismissed or withdrawn: the appealed decision stands; its outcome is recorded
    REVERSAL = "reversal"  # reversed, in full or in part: a decision carries out the body's
    NEW_TREATMENT = "new_treatment"  # quashed: the case is assessed and decided anew


# Outcomes in which the appeal body decided the appeal itself: no later outcome on the same decision is recorded.
DECIDES_THE_APPEAL = frozenset(
    {BodyOutcome.UPHELD, BodyOutcome.REVERSED, BodyOutcome.PARTLY_REVERSED, BodyOutcome.QUASHED}
)


@dataclass(frozen=True)
class AppealOutcome:
    """The appeal body's outcome of an appeal against a decision, recorded on that decision."""

    outcome_id: str
    appeal_id: str
    outcome: BodyOutcome
    decided_on: date
    appeal_body: str

    @property
    def follow_up(self) -> FollowUp:
        if self.outcome in (BodyOutcome.REVERSED, BodyOutcome.PARTLY_REVERSED):
            return FollowUp.REVERSAL
        if self.outcome is BodyOutcome.QUASHED:
            return FollowUp.NEW_TREATMENT
        return FollowUp.RECORDED

    def reversal_of(self, decision_id: str) -> Reversal:
        """The reversal the case awaits: the body's, carried out by a decision that supersedes the appealed one."""
        return Reversal(
            appeal_id=self.appeal_id,
            decision_id=decision_id,
            reversed_on=self.decided_on,
            appeal_body=self.appeal_body,
            outcome_id=self.outcome_id,
            partial=self.outcome is BodyOutcome.PARTLY_REVERSED,
        )

    def quash_of(self, decision_id: str) -> QuashedDecision:
        return QuashedDecision(
            decision_id=decision_id,
            outcome_id=self.outcome_id,
            quashed_on=self.decided_on,
            appeal_body=self.appeal_body,
        )


# --- a decided case is not reopened ------------------------------------------------------------


class CaseAlreadyDecided(Conflict):
    """Rule 6: a case that has its decision is not reopened by a recommendation or a request for a decision.
    What a decided case may still receive goes through the decision it has: a review (continue, change or stop)
    or, after an appeal, the office's reversal (Tolga 5-6: an emergency measure is raised at the first meeting and
    its decision written afterwards; changes are reviews of that decision, a justified appeal gives a new one)."""


@dataclass(frozen=True)
class CurrentDecision:
    """The decision a case has now: made, and not superseded by a review or a reversal."""

    decision_id: str
    kind: DecisionKind
    decided_on: date


def check_not_reopened(
    case_id: str, current: CurrentDecision | None, *, by: str, quashed: QuashedDecision | None = None
) -> None:
    """A recommendation (`by` = "a recommendation") or a request for a decision is refused for a decided case,
    instead of giving it a second first decision; unless the appeal body quashed its decision (`quashed`), which
    sends the case back to be assessed and decided anew."""
    if current is None or quashed is not None:
        return
    raise CaseAlreadyDecided(
        f"case_id: case {case_id} was decided on {current.decided_on.isoformat()} (decision {current.decision_id}, "
        f"{current.kind.value}); a decided case is not reopened by {by}: review that decision "
        f"(POST /decisions/{current.decision_id}/review), or reverse it after an appeal",
        field="case_id",
    )


# --- meetings and preliminary replies -----------------------------------------------------------


def check_meeting_held(meeting_on: date, today: date, what: str) -> None:
    if today < meeting_on:
        raise Conflict(f"meeting_id: {what} is recorded on or after the day of the meeting ({meeting_on.isoformat()})")


def check_outcome_record(
    result: MeetingResult, outcome: Outcome | None, *, attendees_recorded: bool, agenda_status: AgendaStatus
) -> None:
    if not attendees_recorded:
        raise Conflict("attendees: record who attended before the meeting's conclusions", field="attendees")
    if agenda_status is not AgendaStatus.OPEN:
        raise Conflict(f"case_id: the meeting's outcome for this case is already recorded ({agenda_status.value})")
    if result is MeetingResult.CONCLUDED and outcome is None:
        raise DomainError("outcome: required when the meeting concluded on the case", field="outcome")
    if result is MeetingResult.POSTPONED and outcome is not None:
        raise DomainError("outcome: a postponed case has no conclusion yet", field="outcome")


def check_preliminary_reply(status: CaseStatus, expected_on: date, reason: str, today: date) -> str:
    """forvaltningsloven § 11 a: why the case cannot be answered sooner, and when an answer can be expected."""
    if status is CaseStatus.DECIDED:
        raise Conflict("case_id: the case is decided; no preliminary reply is owed", field="case_id")
    if status is CaseStatus.WITHDRAWN:
        raise Conflict("case_id: the application was withdrawn; no reply is owed", field="case_id")
    if expected_on <= today:
        raise DomainError("expected_decision_on: must be after today", field="expected_decision_on")
    if not reason.strip():
        raise DomainError(
            "reason_for_delay: required: forvaltningsloven § 11 a asks why the case cannot be answered sooner",
            field="reason_for_delay",
        )
    return reason.strip()


# --- the aggregates and read models the repository maps rows to --------------------------------------------------


@dataclass(frozen=True)
class EmergencyMeasure:
    """An emergency measure intake registered (helse- og omsorgstjenesteloven: help given before a decision)."""

    unit: str
    service_code: str
    started_at: datetime
    registered_at: datetime


@dataclass(frozen=True)
class RightRequest:
    """The coordinating unit asks for a decision on a right (contracts.coordination.RequestedRight)."""

    request_id: str
    right: str
    proposed: str
    requested_by: str


@dataclass(frozen=True)
class ExpectedChild:
    """A case about a child not yet born (a child coordinator applied for in pregnancy): its letters go to the
    expecting parents who applied, about the child they expect."""

    due_on: date
    parents: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.parents:
            raise ValueError("an expected child's case names at least the applying parent")


@dataclass(frozen=True)
class Reversal:
    """The office found an appeal justified, or the appeal body reversed the decision (`appeal_body` and
    `outcome_id` then name the body and its outcome; `reversed_on` is the body's decision date): the appealed
    decision is to be superseded by a new one. `partial`: a partial reversal."""

    appeal_id: str
    decision_id: str
    reversed_on: date
    appeal_body: str | None = None
    outcome_id: str | None = None
    partial: bool = False

    @property
    def by_appeal_body(self) -> bool:
        return self.appeal_body is not None


@dataclass(frozen=True)
class QuashedDecision:
    """The appeal body quashed (opphevet) the case's decision: the case awaits a new assessment and a new first
    decision, which follows the quashed one."""

    decision_id: str
    outcome_id: str
    quashed_on: date
    appeal_body: str


@dataclass
class DecisionCase:
    """A case the decision service knows: registered -> awaiting decision (-> on an agenda) -> awaiting approval
    -> decided; or withdrawn. Filled in from the other services' events, in whatever order they come."""

    case_id: str
    municipality: str
    status: CaseStatus
    created_at: datetime
    updated_at: datetime
    person_id: str | None = None
    journal_number: str | None = None
    service_code: str | None = None
    received_on: date | None = None
    route: str | None = None
    emergency_measure: EmergencyMeasure | None = None
    recommendation: dict[str, Any] | None = None  # the assessment's, as it came (shown as it is)
    requests: tuple[RightRequest, ...] = ()
    reversal: Reversal | None = None
    agenda_item_id: str | None = None
    expected_child: ExpectedChild | None = None
    quashed: QuashedDecision | None = None
    due_review: DueReview | None = None

    @property
    def pending(self) -> PendingKind:
        """What the case awaits: a reversal, requested decisions, or its first decision."""
        return PendingKind(
            reversal_of=self.reversal.decision_id if self.reversal else None,
            requested_rights=tuple(r.right for r in self.requests),
            by_appeal_body=self.reversal.by_appeal_body if self.reversal else False,
            follows_quashed=self.quashed.decision_id if self.quashed else None,
        )

    @property
    def reference(self) -> str:
        return self.journal_number or self.case_id

    def awaiting(self) -> CaseStatus:
        """A case that gets something to decide awaits a decision, unless a draft of it already waits for
        approval."""
        if self.status is CaseStatus.AWAITING_APPROVAL:
            return self.status
        return CaseStatus.AWAITING_DECISION

    def check_ready(self) -> None:
        """The case can be decided now (Conflict naming why not)."""
        if self.status is CaseStatus.AWAITING_DECISION:
            return
        problems = {
            CaseStatus.REGISTERED: "the case has no recommendation yet (it is still being assessed)",
            CaseStatus.AWAITING_APPROVAL: "a draft of its decision already waits for the unit leaders' approval",
            CaseStatus.DECIDED: "the case is decided; review that decision (POST /decisions/{id}/review) instead",
            CaseStatus.WITHDRAWN: "the application was withdrawn",
        }
        raise Conflict(f"case_id: {problems[self.status]}", field="case_id")

    @classmethod
    def opened(cls, case_id: str, municipality: str, now: datetime, **known: Any) -> DecisionCase:
        """A case first heard of now, from whichever event came first."""
        return cls(
            case_id=case_id,
            municipality=municipality,
            status=CaseStatus.REGISTERED,
            created_at=now,
            updated_at=now,
            **known,
        )

    def _changed(self, now: datetime, **fields: Any) -> None:
        for name, value in fields.items():
            setattr(self, name, value)
        self.updated_at = now

    def fill_in(
        self,
        now: datetime,
        *,
        person_id: str | None = None,
        journal_number: str | None = None,
        service_code: str | None = None,
        received_on: date | None = None,
        route: str | None = None,
        expected_child: ExpectedChild | None = None,
    ) -> None:
        """What intake tells of the case: events from different topics come in any order, so fill in what is
        missing and never move the case back."""
        self._changed(
            now,
            person_id=self.person_id or person_id,
            journal_number=self.journal_number or journal_number,
            service_code=self.service_code or service_code,
            received_on=self.received_on or received_on,
            route=self.route or route,
            expected_child=self.expected_child or expected_child,
        )

    @property
    def letters_to(self) -> tuple[str, ...]:
        """Whose letters these are, as the person register is asked: the person the case is about, or, for a
        child not yet born, the expecting parents (the child has no entry in the register yet)."""
        if self.expected_child is not None:
            return self.expected_child.parents
        return (self.person_id,) if self.person_id else ()

    @property
    def closed(self) -> bool:
        """Decided or withdrawn: what intake or the assessment tells now changes nothing."""
        return self.status in (CaseStatus.DECIDED, CaseStatus.WITHDRAWN)

    def withdraw(self, now: datetime) -> bool:
        """The application was withdrawn; False when the case was closed already (nothing to do)."""
        if self.closed:
            return False
        self._changed(now, status=CaseStatus.WITHDRAWN)
        return True

    def receive_emergency_measure(self, measure: EmergencyMeasure, now: datetime) -> None:
        self._changed(now, emergency_measure=measure, status=self.awaiting())

    def receive_recommendation(self, recommendation: dict[str, Any], person_id: str, now: datetime) -> None:
        self._changed(now, person_id=self.person_id or person_id, recommendation=recommendation, status=self.awaiting())

    def receive_request(self, request: RightRequest, person_id: str, now: datetime) -> None:
        """The coordinating unit asks for a decision on a right (a newer request on the same right replaces it)."""
        requests = tuple(r for r in self.requests if r.right != request.right)
        self._changed(now, person_id=self.person_id or person_id, requests=(*requests, request), status=self.awaiting())

    def receive_reversal(self, reversal: Reversal, now: datetime) -> None:
        self._changed(now, reversal=reversal, status=self.awaiting())

    def receive_quash(self, quashed: QuashedDecision, now: datetime) -> None:
        """The appeal body quashed the case's decision: the case waits for a new assessment's recommendation (the
        old one is spent) and then for a new first decision."""
        self._changed(now, quashed=quashed, recommendation=None, agenda_item_id=None, status=CaseStatus.REGISTERED)

    def review_falls_due(self, due: DueReview, now: datetime) -> bool:
        """A review or an evaluation of the case's decision is due now: flagged for the office. False when the
        case awaits something else than its decision's follow-up (it is not decided), so nothing is flagged."""
        if self.status is not CaseStatus.DECIDED:
            return False
        self._changed(now, due_review=due)
        return True

    @property
    def needs_agenda_for_review(self) -> bool:
        """The flagged review is not on an agenda yet (a case goes on one agenda at a time)."""
        return self.due_review is not None and self.agenda_item_id is None

    def put_on_agenda(
        self, item_id: str, meeting_id: str, meeting_on: date, *, emergency: bool, now: datetime
    ) -> CaseScheduledForMeeting:
        self._changed(now, agenda_item_id=item_id)
        return CaseScheduledForMeeting(
            case_id=self.case_id, meeting_id=meeting_id, meeting_on=meeting_on, emergency_measure=emergency
        )

    def await_approval(self, now: datetime) -> None:
        """A draft of its decision waits for the unit leaders' final approval."""
        self._changed(now, status=CaseStatus.AWAITING_APPROVAL)

    def draft_returned(self, now: datetime) -> None:
        """A unit leader returned the draft: the office decides anew."""
        self._changed(now, status=CaseStatus.AWAITING_DECISION)

    def decided(self, kind: DecisionKind, now: datetime) -> None:
        """The case has its decision: off the agenda, and what it awaited is answered."""
        fields: dict[str, Any] = {"status": CaseStatus.DECIDED, "agenda_item_id": None}
        if kind is DecisionKind.REVERSAL:
            fields["reversal"] = None
        if kind in (DecisionKind.REVIEW, DecisionKind.REVERSAL):
            fields["due_review"] = None  # the decision it flagged is replaced, and the new one's clocks start
        if kind is DecisionKind.REQUESTED:
            fields["requests"] = ()
        if kind in (DecisionKind.INITIAL, DecisionKind.REQUESTED):
            fields["quashed"] = None  # the new treatment after a quashed decision is done
        self._changed(now, **fields)


@dataclass
class Decision:
    """One decision: drafted (awaiting the unit leaders' approval) or made at once; returned; made; superseded by
    a review or a reversal."""

    id: str
    municipality: str
    case_id: str
    person_id: str
    kind: DecisionKind
    status: DecisionStatus
    outcome: Outcome
    services: tuple[ServiceLine, ...]
    refused_services: tuple[str, ...]
    legal_basis: tuple[str, ...]
    reasons: Reasons
    decided_by: DecidedBy
    drafted_by: str
    created_at: datetime
    required_units: tuple[str, ...] = ()
    order_units: tuple[str, ...] = ()
    decided_on: date | None = None
    appeal: AppealInformation | None = None
    supersedes: str | None = None
    superseded_by: str | None = None
    review_result: ReviewResult | None = None
    meeting_id: str | None = None
    letter_id: str | None = None
    returned_reason: str | None = None
    made_at: datetime | None = None
    appeal_outcomes: tuple[AppealOutcome, ...] = ()
    quashed_on: date | None = None
    quashed_by_outcome: str | None = None

    @classmethod
    def drafted(
        cls,
        decision_id: str,
        case: DecisionCase,
        *,
        kind: DecisionKind,
        by: DecidedBy,
        content: DecisionContent,
        order_units: Sequence[str],
        required_units: Sequence[str],
        person_id: str,
        drafted_by: str,
        now: datetime,
        supersedes: str | None = None,
        review_result: ReviewResult | None = None,
        meeting_id: str | None = None,
    ) -> Decision:
        """A new decision on `case`: it waits for approval until it is made (at once, unless unit leaders
        approve it)."""
        return cls(
            id=decision_id,
            municipality=case.municipality,
            case_id=case.case_id,
            person_id=person_id,
            kind=kind,
            status=DecisionStatus.AWAITING_APPROVAL,
            outcome=content.outcome,
            services=tuple(content.services),
            refused_services=tuple(content.refused),
            legal_basis=tuple(content.legal_basis),
            reasons=content.reasons,
            decided_by=by,
            drafted_by=drafted_by,
            created_at=now,
            required_units=tuple(required_units),
            order_units=tuple(order_units),
            supersedes=supersedes,
            review_result=review_result,
            meeting_id=meeting_id,
        )

    def check_awaiting_approval(self) -> None:
        if self.status is not DecisionStatus.AWAITING_APPROVAL:
            raise Conflict(f"decision_id: the decision does not wait for approval (it is {self.status.value})")

    def approval(
        self,
        unit: str | None,
        approved_by: Iterable[str],
        *,
        approved: bool,
        reason: str | None,
        decided_on: date | None,
    ) -> tuple[str, bool]:
        """A unit leader's answer to the draft: (their unit, whether it is the final approval that makes it).
        A return needs a reason; only the final approval sets the decision date."""
        self.check_awaiting_approval()
        done = list(approved_by)
        approving = check_approver(unit, self.required_units, done)
        if not approved and not (reason or "").strip():
            raise DomainError(
                "reason: required when not approving: the office must know what to change", field="reason"
            )
        final = approved and approvals_complete(self.required_units, [*done, approving])
        if decided_on is not None and not final:
            raise DomainError("decided_on: only the final approval sets the decision date", field="decided_on")
        return approving, final

    def returned(self, reason: str | None) -> None:
        self.status = DecisionStatus.RETURNED
        self.returned_reason = reason

    def withdraw(self) -> None:
        self.status = DecisionStatus.WITHDRAWN

    @property
    def codes(self) -> list[str]:
        """Every service the decision is about, granted or refused."""
        return [*(s.service_code for s in self.services), *self.refused_services]

    def appeal_on(self, decided_on: date, tenant: Tenant, submit_to: str) -> AppealInformation:
        return appeal_information(appeal_route(self.codes, tenant), decided_on, submit_to)

    def appeal_right(self, decided_on: date, tenant: Tenant, submit_to: str) -> AppealInformation | None:
        """The appeal information the decision carries; none when it carries out the appeal body's decision, which
        is final (forvaltningsloven § 28 third paragraph)."""
        if self.decided_by is DecidedBy.APPEAL_BODY:
            return None
        return self.appeal_on(decided_on, tenant, submit_to)

    def record_appeal_outcome(self, outcome: AppealOutcome) -> bool:
        """The appeal body's outcome of an appeal against this decision; False when it is recorded already (the
        same outcome delivered again). Once the body decided the appeal (upheld, reversed, quashed), no other
        outcome is recorded on the decision; after a dismissal or withdrawal a new appeal may still end in one."""
        if any(o.outcome_id == outcome.outcome_id for o in self.appeal_outcomes):
            return False
        decided = [o for o in self.appeal_outcomes if o.outcome in DECIDES_THE_APPEAL]
        if decided:
            earlier = decided[0]
            raise DomainError(
                f"decision_id: the appeal body already decided the appeal against decision {self.id} "
                f"({earlier.outcome.value} on {earlier.decided_on.isoformat()}, outcome {earlier.outcome_id}); "
                f"outcome {outcome.outcome_id} ({outcome.outcome.value}) is not recorded",
                field="decision_id",
            )
        if self.status is not DecisionStatus.MADE:
            raise DomainError(
                f"decision_id: decision {self.id} was never made ({self.status.value}); no appeal outcome is recorded",
                field="decision_id",
            )
        self.appeal_outcomes = (*self.appeal_outcomes, outcome)
        return True

    def quash(self, outcome: AppealOutcome, clocks: Sequence[DecisionClock]) -> list[EventModel]:
        """The appeal body quashed this decision: it is no longer in force, and its running clocks stop."""
        self.status = DecisionStatus.QUASHED
        self.quashed_on = outcome.decided_on
        self.quashed_by_outcome = outcome.outcome_id
        return [
            DeadlineCancelled(deadline_id=c.id, case_id=self.case_id, kind=c.kind, reason="decision_quashed")
            for c in clocks
        ]

    def clocks_due(self, decided_on: date) -> tuple[date | None, date | None]:
        """(review due, evaluation of a time-limited decision due) of the decision made on `decided_on`."""
        review_on = review_due(self.outcome, decided_on, self.services)
        evaluation_on = evaluation_due(decided_on, self.services) if self.outcome is not Outcome.REFUSED else None
        return review_on, evaluation_on

    def supersede(self, by: str, clocks: Sequence[DecisionClock]) -> list[EventModel]:
        """A review or a reversal replaces this decision: its running clocks stop."""
        if self.superseded_by is not None:
            raise Conflict(f"decision_id: decision {self.id} is already superseded", field="decision_id")
        self.superseded_by = by
        return [
            DeadlineCancelled(deadline_id=c.id, case_id=self.case_id, kind=c.kind, reason="decision_superseded")
            for c in clocks
        ]

    def make(
        self,
        *,
        decided_on: date,
        appeal: AppealInformation | None,
        letter_id: str,
        language: str,
        responsible: str,
        new_id: Callable[[], str],
        now: datetime,
    ) -> MadeDecision:
        """The decision takes effect: its services are ordered from their units, its clocks start, and its
        letter is issued."""
        self.status = DecisionStatus.MADE
        self.decided_on = decided_on
        self.appeal = appeal
        self.letter_id = letter_id
        self.made_at = now
        events: list[EventModel] = [
            DecisionMade(
                decision_id=self.id,
                case_id=self.case_id,
                person_id=self.person_id,
                kind=self.kind,
                outcome=self.outcome,
                services=[
                    DecidedService(
                        service_code=s.service_code,
                        hours_per_week=s.hours_per_week,
                        start_on=s.start_on,
                        end_on=s.end_on,
                    )
                    for s in self.services
                ],
                legal_basis=list(self.legal_basis),
                decided_on=decided_on,
                decided_by=self.decided_by,
                appeal=appeal,
                supersedes=self.supersedes,
                review_result=self.review_result,
                letter_id=letter_id,
            )
        ]
        orders = []
        for service, unit in zip(self.services, self.order_units, strict=True):
            order = ServiceOrder(
                id=new_id(),
                municipality=self.municipality,
                decision_id=self.id,
                case_id=self.case_id,
                unit=unit,
                service_code=service.service_code,
                hours_per_week=service.hours_per_week,
                start_on=service.start_on,
                end_on=service.end_on,
                created_at=now,
            )
            orders.append(order)
            events.append(
                ServiceOrdered(
                    order_id=order.id,
                    decision_id=self.id,
                    case_id=self.case_id,
                    unit=unit,
                    service_code=order.service_code,
                    hours_per_week=order.hours_per_week,
                    start_on=order.start_on,
                    end_on=order.end_on,
                )
            )
        events.append(
            LetterIssued(
                letter_id=letter_id, case_id=self.case_id, kind="decision", language=language, decision_id=self.id
            )
        )
        clocks = []
        review_on, evaluation_on = self.clocks_due(decided_on)
        for kind, due_on in (
            (DeadlineKind.DECISION_REVIEW, review_on),
            (DeadlineKind.TIME_LIMITED_EVALUATION, evaluation_on),
        ):
            if due_on is None:
                continue
            clock = DecisionClock(
                id=new_id(),
                municipality=self.municipality,
                decision_id=self.id,
                case_id=self.case_id,
                kind=kind.value,
                due_on=due_on,
                status=CLOCK_SCHEDULED,
                created_at=now,
            )
            clocks.append(clock)
            events.append(
                DeadlineScheduled(
                    deadline_id=clock.id, case_id=self.case_id, kind=clock.kind, due_on=due_on, responsible=responsible
                )
            )
        return MadeDecision(orders=tuple(orders), clocks=tuple(clocks), events=tuple(events))


@dataclass(frozen=True)
class MadeDecision:
    """What making a decision gives: the orders and clocks to store, and the events to emit, in order."""

    orders: tuple[ServiceOrder, ...]
    clocks: tuple[DecisionClock, ...]
    events: tuple[EventModel, ...]


class Attendee(TypedDict):
    """Who attended a meeting, as recorded (stored as JSON)."""

    name: str
    role: str
    unit: str | None


@dataclass(frozen=True)
class Meeting:
    id: str
    municipality: str
    name: str
    meeting_on: date
    starts_at: datetime
    cutoff_at: datetime
    created_at: datetime
    attendees: tuple[Attendee, ...] = ()
    attendees_recorded_at: datetime | None = None
    attendees_recorded_by: str | None = None

    def record_attendees(self, attendees: Sequence[Attendee], *, by: str, now: datetime, today: date) -> Meeting:
        """Who attended (replaces the list), once the meeting is held."""
        check_meeting_held(self.meeting_on, today, "attendance")
        return replace(self, attendees=tuple(attendees), attendees_recorded_at=now, attendees_recorded_by=by)

    @property
    def held(self) -> bool:
        """Its attendees are recorded: only a held meeting decides."""
        return self.attendees_recorded_at is not None


@dataclass(frozen=True)
class AgendaItem:
    id: str
    meeting_id: str
    municipality: str
    case_id: str
    reason: str
    emergency_measure: bool
    submitted_at: datetime
    status: AgendaStatus
    created_at: datetime
    outcome: Outcome | None = None
    note: str | None = None
    recorded_by: str | None = None
    recorded_at: datetime | None = None

    def record(
        self, result: MeetingResult, outcome: Outcome | None, note: str | None, *, held: bool, by: str, now: datetime
    ) -> AgendaItem:
        """The meeting's conclusion on the case, or its postponement."""
        check_outcome_record(result, outcome, attendees_recorded=held, agenda_status=self.status)
        status = AgendaStatus.CONCLUDED if result is MeetingResult.CONCLUDED else AgendaStatus.POSTPONED
        return replace(self, status=status, outcome=outcome, note=note, recorded_by=by, recorded_at=now)


@dataclass(frozen=True)
class AgendaEntry:
    """An agenda item as the meeting's agenda shows it, with its case's person and recommendation."""

    item: AgendaItem
    person_id: str | None
    recommendation: dict[str, Any] | None


@dataclass(frozen=True)
class Approval:
    id: str
    decision_id: str
    unit: str
    approved: bool
    recorded_by: str
    recorded_at: datetime
    reason: str | None = None


@dataclass(frozen=True)
class ServiceOrder:
    id: str
    municipality: str
    decision_id: str
    case_id: str
    unit: str
    service_code: str
    hours_per_week: float | None
    start_on: date
    end_on: date | None
    created_at: datetime


@dataclass(frozen=True)
class DecisionClock:
    """A clock this service started for a decision (review, evaluation), so a superseding decision stops it."""

    id: str
    municipality: str
    decision_id: str
    case_id: str
    kind: str
    due_on: date
    status: str
    created_at: datetime


@dataclass(frozen=True)
class Letter:
    id: str
    municipality: str
    case_id: str
    decision_id: str | None
    kind: str
    language: str
    issued_on: date
    details: dict[str, Any]
    created_by: str
    created_at: datetime
    text: str | None = None
    pdf: bytes | None = None
