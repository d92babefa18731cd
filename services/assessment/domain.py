"""Assessment rules: the state machine, who may act, and the checks on scores, criteria and recommendations."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from contracts.assessment import (
    AssigneeKind,
    InformationSource,
    ProposedOutcome,
    Recommendation,
    RecommendedService,
)
from contracts.intake import ConsentScope
from servicekit.calendar import next_working_day
from servicekit.errors import Conflict, DomainError, Forbidden
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
class Caller:
    municipality: str
    roles: frozenset[str]
    unit: str | None = None


@dataclass(frozen=True)
class Assignment:
    kind: AssigneeKind | None
    assignee: str | None
    writes_own_assessment: bool


@dataclass(frozen=True)
class Actor:
    """Who acts: the office (home or partner) or the unit that writes its own assessment."""

    label: str
    is_unit: bool


def authorize(
    caller: Caller, *, home: str, route: str, assignment: Assignment, partners: Collection[str], action: Action
) -> Actor:
    """The actor `caller` acts as, or Forbidden naming the rule. Visibility (404) is checked before this."""
    if caller.municipality != home and caller.municipality not in partners:
        raise Forbidden(f"municipality {caller.municipality} has no access to this case")
    if "caseworker" in caller.roles:
        if caller.municipality != home:
            if action is Action.HAND_OVER:
                raise Forbidden("only the home municipality's office hands a case over")
            return Actor(label=f"partner_office:{caller.municipality}", is_unit=False)
        return Actor(label=route, is_unit=False)
    if "leader" in caller.roles and action is Action.READ:
        return Actor(label=route, is_unit=False)
    if "unit" in caller.roles:
        return _unit_actor(caller, home=home, assignment=assignment, action=action)
    raise Forbidden("this action needs the role caseworker (or unit, for a unit that writes its own assessments)")


def _unit_actor(caller: Caller, *, home: str, assignment: Assignment, action: Action) -> Actor:
    if caller.unit is None:
        raise Forbidden("a token with the role 'unit' must name its unit (claim 'unit')")
    if caller.municipality != home:
        raise Forbidden(f"unit {caller.unit} of municipality {caller.municipality} has no access to this case")
    if assignment.kind is not AssigneeKind.UNIT or assignment.assignee != caller.unit:
        raise Forbidden(f"the assessment is not assigned to unit {caller.unit}")
    if action is Action.READ:
        return Actor(label=caller.unit, is_unit=True)
    if not assignment.writes_own_assessment:
        raise Forbidden(f"unit {caller.unit} does not write its own assessments; the office records them")
    if action not in UNIT_ACTIONS:
        raise Forbidden(f"'{action.value}' is the office's; a unit records visits, scores and the recommendation")
    return Actor(label=caller.unit, is_unit=True)


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


def check_handover(tenant: Tenant, service_code: str, consent_scope: Collection[str]) -> PartnerOffice:
    """The partner office that takes cases of `service_code`; refused without one or without consent to share."""
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
    return partner
