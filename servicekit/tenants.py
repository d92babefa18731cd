"""Municipality configuration, loaded from deploy/tenants/*.yaml and validated at start-up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError, model_validator

from servicekit.errors import NotFound
from servicekit.types import LetterLine, LetterName, Line, Name

# "HH:MM" as a quoted string: unquoted, YAML 1.1 reads 12:00 as the number 720.
ClockTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="local time HH:MM")]
Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
# Names, legal bases and appeal bodies are printed in letters: a text the letter font cannot print stops the start.
MAX_LEGAL_BASIS = 20


def time_of_day(value: str) -> time:
    """A validated ClockTime ("HH:MM") as a time."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


class Language(StrEnum):
    BOKMAL = "nb"
    NYNORSK = "nn"


class AppealRule(StrEnum):
    """The rule that sets a service's appeal deadline, cited in its decision letters: the patients' and users'
    rights act for the health and care services act's services, the public administration act for the rest."""

    FORVALTNINGSLOVEN_29 = "forvaltningsloven_29"
    PASIENT_OG_BRUKERRETTIGHETSLOVEN_7_5 = "pasient_og_brukerrettighetsloven_7_5"

    @property
    def weeks(self) -> int:
        """How long the person has to appeal, from when the letter reaches them."""
        return _APPEAL_RULES[self][0]

    @property
    def cited(self) -> str:
        """The paragraph as printed in letters."""
        return _APPEAL_RULES[self][1]


_APPEAL_RULES: dict[AppealRule, tuple[int, str]] = {
    AppealRule.FORVALTNINGSLOVEN_29: (3, "forvaltningsloven § 29"),
    AppealRule.PASIENT_OG_BRUKERRETTIGHETSLOVEN_7_5: (4, "pasient- og brukerrettighetsloven § 7-5"),
}
# A legal basis citing either act makes the service one of the health and care services act's (§ 7-5); one that
# cites neither is a service the municipality offers beyond the law (§ 29).
HEALTH_ACTS = ("helse- og omsorgstjenesteloven", "pasient- og brukerrettighetsloven")


def appeal_rule_for(legal_basis: Sequence[str]) -> AppealRule:
    """The appeal rule a service resting on `legal_basis` falls under."""
    laws = " ".join(legal_basis).casefold()
    if any(act in laws for act in HEALTH_ACTS):
        return AppealRule.PASIENT_OG_BRUKERRETTIGHETSLOVEN_7_5
    return AppealRule.FORVALTNINGSLOVEN_29


def _rule_choices() -> str:
    return " or ".join(f"{rule.value} ({rule.cited}, {rule.weeks} weeks)" for rule in AppealRule)


class CatalogueService(BaseModel):
    """One service of the catalogue. Its appeal route is `appeal_body` and `appeal_rule`; the rule alone sets the
    deadline and the paragraph the letters cite, so the two cannot disagree."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: LetterName
    legal_basis: list[LetterLine] = Field(min_length=1, max_length=MAX_LEGAL_BASIS)
    appeal_body: LetterLine
    appeal_rule: AppealRule = Field(description="sets the appeal deadline and the paragraph the letters cite")

    @model_validator(mode="before")
    @classmethod
    def _no_appeal_weeks(cls, data: Any) -> Any:
        # The weeks follow from the rule: a number of its own could only disagree with it.
        if isinstance(data, dict) and "appeal_weeks" in data:
            code = data.get("code", "?")
            given = data.get("appeal_rule")
            if isinstance(given, str) and given in set(AppealRule):
                rule = AppealRule(given)
                fix = f"remove appeal_weeks: appeal_rule {rule.value} gives {rule.weeks} weeks ({rule.cited})"
            else:
                fix = f"replace appeal_weeks with appeal_rule: {_rule_choices()}"
            raise ValueError(f"appeal_weeks: service {code} takes its weeks from appeal_rule; {fix}")
        return data

    @model_validator(mode="after")
    def _rule_fits_the_law(self) -> CatalogueService:
        required = appeal_rule_for(self.legal_basis)
        if self.appeal_rule is required:
            return self
        if required is AppealRule.PASIENT_OG_BRUKERRETTIGHETSLOVEN_7_5:
            why = "its legal_basis cites " + " or ".join(HEALTH_ACTS)
        else:
            why = (
                f"its legal_basis cites neither {' nor '.join(HEALTH_ACTS)} (a service beyond the law; "
                "name the act in full if it rests on one)"
            )
        raise ValueError(
            f"appeal_rule: service {self.code} uses {self.appeal_rule.value}, but {why}, so its appeal deadline is "
            f"{required.cited} ({required.weeks} weeks): set appeal_rule: {required.value}"
        )

    @property
    def appeal_weeks(self) -> int:
        """The appeal deadline in weeks, as the rule sets it."""
        return self.appeal_rule.weeks


class Unit(BaseModel):
    """A service unit that delivers services (and may assess, or write its own assessments)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: LetterName
    writes_own_assessments: bool = False


class ChildrenUnit(BaseModel):
    """A coordinating unit for children under 18 (Holtålen): their inquiries are routed to it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: LetterName


class PartnerOffice(BaseModel):
    """Another municipality's allocation office that handles some of this municipality's cases."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    municipality: str = Field(pattern=r"^[0-9]{4}$")
    name: LetterName
    services: list[str] = Field(min_length=1, description="service codes handed over to this office")


class CriterionGround(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: Line


class CareLadderStep(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    step: int = Field(ge=1, le=4)
    name: Name
    grounds: list[CriterionGround] = Field(min_length=1)


class BtiLevel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    level: int = Field(ge=0, le=3)
    name: Name


class Criteria(BaseModel):
    """The municipality's allocation criteria, as data: they guide, never replace, the assessment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    care_ladder: list[CareLadderStep] = Field(default_factory=list)
    bti_levels: list[BtiLevel] = Field(default_factory=list)
    coordinated_services: list[CriterionGround] = Field(default_factory=list)


# --- decision: who decides, when the allocation meeting is held, which unit delivers ---------------


class Authority(StrEnum):
    """Who makes an individual decision (initial decisions and reviews). Requested decisions (individual plan,
    coordinator, child coordinator) and reversals after an appeal are always the office's alone."""

    OFFICE = "office"  # the allocation office alone
    MEETING = "meeting"  # the allocation meeting: its recorded conclusion is the decision
    UNIT_LEADER = "unit_leader"  # the office drafts; the leader of every delivering unit approves


class Frequency(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class Weekday(StrEnum):
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"

    @property
    def number(self) -> int:
        return list(Weekday).index(self)


class Cutoff(BaseModel):
    """The agenda closes `days_before` the scheduled meeting day at `time` (Europe/Oslo), the minute itself
    included: with 12:00, 12:00:59 is in time and 12:01 is not."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    days_before: int = Field(ge=0, le=28)
    time: ClockTime


class MeetingSchedule(BaseModel):
    """When the allocation meeting is held (Europe/Oslo). A scheduled day that is not a working day moves to the
    next working day; its cut-off stays where the schedule puts it. A recommendation submitted by the cut-off goes
    on that meeting's agenda, a later one on the next; an emergency measure goes on the first meeting that starts
    after it was registered, whatever the cut-off."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: LetterName = Field(description="what the municipality calls it, e.g. Tiltaksmøte")
    frequency: Frequency
    weekday: Weekday
    week_of_month: int | None = Field(default=None, ge=1, le=4, description="monthly only: 1 = the first weekday")
    time: ClockTime
    cutoff: Cutoff

    @model_validator(mode="after")
    def _consistent(self) -> MeetingSchedule:
        if self.frequency is Frequency.MONTHLY and self.week_of_month is None:
            raise ValueError("week_of_month: required for a monthly meeting")
        if self.frequency is Frequency.WEEKLY and self.week_of_month is not None:
            raise ValueError("week_of_month: only a monthly meeting has one")
        if self.cutoff.days_before == 0 and time_of_day(self.cutoff.time) >= time_of_day(self.time):
            raise ValueError("cutoff.time: on the meeting day itself the agenda must close before the meeting starts")
        return self


class Office(BaseModel):
    """The office that decides and receives appeals (forvaltningsloven § 27: where to appeal)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Code = Field(description="who must act on the office's deadlines, e.g. allocation_office")
    name: LetterName


class RouteDecision(BaseModel):
    """Who decides one route's cases (and receives their appeals), and at which meeting, where that is another
    office than the `decision:` section names (Holtålen: the allocation office decides adults' cases alone,
    the coordinating unit for children decides children's at its monthly meeting)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    office: Office
    authority: Authority
    meeting: MeetingSchedule | None = Field(default=None, description="none: the route's office holds no meetings")

    @model_validator(mode="after")
    def _consistent(self) -> RouteDecision:
        if self.authority is Authority.MEETING and self.meeting is None:
            raise ValueError("meeting: required when the authority is 'meeting'")
        return self


class CaseRoute(StrEnum):
    """Intake's routes (contracts.intake.Route): who handles a case."""

    ALLOCATION_OFFICE = "allocation_office"
    CHILDREN_UNIT = "children_unit"
    COORDINATING_UNIT = "coordinating_unit"


class DecisionSettings(BaseModel):
    """A tenant file's `decision:` section: how the municipality makes individual decisions. The decision service
    refuses to start while a configured municipality has none."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    office: Office
    authority: Authority
    meeting: MeetingSchedule | None = Field(default=None, description="none: the municipality holds no meetings")
    delivering_units: dict[Code, Code] = Field(
        default_factory=dict,
        description="service code -> the unit code a granted service is ordered from; individual plan, coordinator "
        "and child coordinator are ordered from the coordinating unit that requested the decision, so not listed",
    )
    routes: dict[CaseRoute, RouteDecision] = Field(
        default_factory=dict,
        description="route -> who decides that route's cases where another office does than this section names; "
        "the same units deliver",
    )

    @model_validator(mode="after")
    def _consistent(self) -> DecisionSettings:
        if self.authority is Authority.MEETING and self.meeting is None:
            raise ValueError("meeting: required when the authority is 'meeting'")
        return self

    def for_route(self, route: str | None) -> DecisionSettings:
        """The settings that decide a case of `route`: the route's own office, authority and meeting where the
        section names one, else the section's."""
        decides = self.routes.get(CaseRoute(route)) if route in set(CaseRoute) else None
        if decides is None:
            return self
        return self.model_copy(
            update={"office": decides.office, "authority": decides.authority, "meeting": decides.meeting, "routes": {}}
        )

    def unit_for(self, service_code: str) -> str | None:
        return self.delivering_units.get(service_code)


# --- coordination: the coordinating units and whom they serve -----------------------------------------


class Serves(StrEnum):
    """Whom a coordinating unit serves: everyone, or only children under 18 (or only adults) where the
    municipality has a unit for children (Holtålen)."""

    ALL = "all"
    UNDER_18 = "under_18"
    ADULTS = "adults"


class CoordinatingUnit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Code
    name: LetterName
    serves: Serves = Serves.ALL


class HomeVisitRule(BaseModel):
    """A newborn or small child referred to the coordinating unit gets a home visit when the referral arrives
    (Ålesund): for a child under `max_age_months`, within `within_days` (the last working day on or before)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_age_months: int = Field(default=12, ge=1, le=72)
    within_days: int = Field(default=14, ge=1, le=90)


class BtiRule(BaseModel):
    """The municipality works by the BTI model (bedre tverrfaglig innsats, Holtålen): each child's level 0-3 and
    its relay log (stafettlogg), kept by the coordinating unit for children."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    relay_log_from_level: int = Field(default=1, ge=0, le=3, description="the lowest level that keeps a relay log")


class CoordinationSettings(BaseModel):
    """A tenant file's `coordination:` section: the coordinating units (koordinerende enhet) and whom they serve."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    units: list[CoordinatingUnit] = Field(min_length=1)
    home_visit_for_small_children: HomeVisitRule | None = Field(
        default=None, description="none: no home visit is planned on arrival"
    )
    arrangement_before_coordinator: bool = Field(
        default=False,
        description="the unit links the services and chooses a responsibility group or a collaboration meeting "
        "before the coordinator is appointed (Selbu)",
    )
    child_coordinator_brings_plan_and_group: bool = Field(
        default=False,
        description="a granted child coordinator creates an individual plan and a responsibility group (Holtålen)",
    )
    minutes_within_days: int = Field(default=7, ge=1, le=60, description="the coordinator sees the minutes written")
    training_within_months: int = Field(default=6, ge=1, le=24, description="training offered after the request")
    bti: BtiRule | None = Field(default=None, description="none: the municipality does not work by the BTI model")
    escalation_response_within_days: int = Field(
        default=14, ge=1, le=90, description="the coordinating unit responds to a need its coordinator raised"
    )

    @model_validator(mode="after")
    def _consistent(self) -> CoordinationSettings:
        codes = [u.code for u in self.units]
        if len(codes) != len(set(codes)):
            raise ValueError("units: codes must be unique")
        for child in (True, False):
            if self.unit_for(child=child) is None:
                whom = "children under 18" if child else "adults"
                raise ValueError(f"units: no coordinating unit serves {whom}")
        return self

    def unit_for(self, *, child: bool) -> CoordinatingUnit | None:
        """The unit that serves a child (under 18) or an adult: the one for that group first, else one for all."""
        own = Serves.UNDER_18 if child else Serves.ADULTS
        return next((u for u in self.units if u.serves is own), None) or next(
            (u for u in self.units if u.serves is Serves.ALL), None
        )

    def unit(self, code: str) -> CoordinatingUnit | None:
        return next((u for u in self.units if u.code == code), None)


class AppealsSettings(BaseModel):
    """How the municipality handles appeals, complaints about delivered services, and deviations."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    postal_delivery_working_days: int = Field(
        default=3,
        ge=0,
        le=10,
        description="a decision letter sent by post is assumed to reach the person this many working days after "
        "its date, until a digital mailbox reports its delivery (forvaltningsloven § 29)",
    )
    handling_within_weeks: int = Field(
        default=3,
        ge=1,
        le=12,
        description="the office re-examines an appeal without undue delay: reversed or forwarded within this",
    )
    complaint_response_within_days: int = Field(
        default=14, ge=1, le=90, description="the unit leader answers a complaint about delivered services"
    )


class RecipientRole(StrEnum):
    """Who a deadline's reminder or alert goes to, relative to the deadline: whoever must act on it (its
    `responsible` office or unit), that office's or unit's leader, or the case's coordinator."""

    RESPONSIBLE = "responsible"
    LEADER = "leader"
    COORDINATOR = "coordinator"


class DeadlineKindSettings(BaseModel):
    """One deadline kind's settings in a tenant file's `notification.kinds`; what is left out keeps the default
    the notification service holds for the kind (or for every kind it has no default of)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    remind_days_before: int | None = Field(
        default=None,
        ge=0,
        le=120,
        description="calendar days before the due day that the reminder goes out (on the last working day on or "
        "before); 0: on the due day's alert only",
    )
    recipients: list[RecipientRole] | None = Field(
        default=None, min_length=1, description="who gets the reminder and the alert"
    )
    escalates: bool | None = Field(
        default=None, description="an overdue deadline escalates to the responsible's leader until it is done"
    )
    escalate_every_days: int | None = Field(
        default=None, ge=1, le=90, description="the rhythm of the escalation after the first, at the due day"
    )

    @model_validator(mode="after")
    def _consistent(self) -> DeadlineKindSettings:
        if self.recipients is not None and len(set(self.recipients)) != len(self.recipients):
            raise ValueError("recipients: each role once")
        if self.escalates is False and self.escalate_every_days is not None:
            raise ValueError("escalate_every_days: a kind that does not escalate has no rhythm (escalates: false)")
        return self


# A staff recipient of a notification: an office's or unit's code (or `coordinator`), or `leader_of:<code>`.
StaffRecipient = Annotated[str, Field(pattern=r"^(leader_of:)?[a-z][a-z0-9_]*$", max_length=80)]
# Recipients that are persons, not staff: they have no configured address.
PERSON_RECIPIENTS = frozenset({"applicant"})


class NotificationSettings(BaseModel):
    """A tenant file's `notification:` section: per deadline kind, the reminder's lead time, its recipients and
    the escalation of an overdue deadline (kinds are open codes: a kind not listed keeps its defaults); and the
    e-mail address of each office, unit and leader that staff notifications are sent to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kinds: dict[Code, DeadlineKindSettings] = Field(
        default_factory=dict, description="deadline kind (e.g. preliminary_reply) -> what differs from its defaults"
    )
    addresses: dict[StaffRecipient, EmailStr] = Field(
        default_factory=dict,
        description="staff recipient (an office or unit code, or leader_of:<code> for its leader) -> the e-mail "
        "address its reminders, alerts and escalations are sent to; a recipient left out gets them in the inbox only",
    )

    @model_validator(mode="after")
    def _no_person_addresses(self) -> NotificationSettings:
        # A person's own notices are letters and mailbox messages, never configured addresses.
        persons = sorted(set(self.addresses) & PERSON_RECIPIENTS)
        if persons:
            raise ValueError(f"addresses: {', '.join(persons)} is a person, not an office or unit; remove it")
        return self

    def address_of(self, recipient: str) -> str | None:
        """The e-mail address configured for a staff recipient, if any."""
        return self.addresses.get(recipient)


class Tenant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    municipality: str = Field(pattern=r"^[0-9]{4}$")
    name: LetterName
    language: Language = Language.BOKMAL
    services: list[CatalogueService] = Field(min_length=1)
    units: list[Unit] = Field(default_factory=list)
    children_unit: ChildrenUnit | None = None
    partner_offices: list[PartnerOffice] = Field(default_factory=list)
    criteria: Criteria = Field(default_factory=Criteria)
    decision: DecisionSettings | None = Field(
        default=None, description="how decisions are made; the decision service refuses to start without it"
    )
    coordination: CoordinationSettings | None = Field(
        default=None, description="the coordinating units; referrals wait for none where it is absent"
    )
    appeals: AppealsSettings = Field(default_factory=AppealsSettings)
    notification: NotificationSettings = Field(default_factory=NotificationSettings)

    @model_validator(mode="after")
    def _consistent(self) -> Tenant:
        codes = [s.code for s in self.services]
        if len(codes) != len(set(codes)):
            raise ValueError("services: codes must be unique")
        unit_codes = [u.code for u in self.units]
        if len(unit_codes) != len(set(unit_codes)):
            raise ValueError("units: codes must be unique")
        for office in self.partner_offices:
            unknown = set(office.services) - set(codes)
            if unknown:
                raise ValueError(f"partner_offices[{office.municipality}]: unknown service codes {sorted(unknown)}")
            if office.municipality == self.municipality:
                raise ValueError("partner_offices: a municipality cannot be its own partner office")
        steps = [s.step for s in self.criteria.care_ladder]
        if len(steps) != len(set(steps)):
            raise ValueError("criteria.care_ladder: steps must be unique")
        if self.decision is not None:
            self._check_delivering_units(self.decision)
            if CaseRoute.CHILDREN_UNIT in self.decision.routes and self.children_unit is None:
                raise ValueError("decision.routes.children_unit: the municipality has no children_unit to route to")
        return self

    def _check_delivering_units(self, decision: DecisionSettings) -> None:
        units = {u.code for u in self.units} | ({self.children_unit.code} if self.children_unit else set())
        for service_code, unit in decision.delivering_units.items():
            where = f"decision.delivering_units.{service_code}"
            if self.service(service_code) is None:
                raise ValueError(f"{where}: not a service in the municipality's catalogue")
            if unit not in units:
                raise ValueError(f"{where}: unit {unit!r} is not one of the municipality's units {sorted(units)}")

    def unit(self, code: str) -> Unit | None:
        return next((u for u in self.units if u.code == code), None)

    def partner_for(self, service_code: str) -> PartnerOffice | None:
        """The partner office this municipality sends cases of `service_code` to, if any."""
        return next((o for o in self.partner_offices if service_code in o.services), None)

    def service(self, code: str) -> CatalogueService | None:
        return next((s for s in self.services if s.code == code), None)

    def _receivers(self) -> dict[str, str]:
        found: dict[str, str] = {}
        if self.decision is not None:
            found[self.decision.office.code] = self.decision.office.name
            for route in self.decision.routes.values():
                found[route.office.code] = route.office.name
        if self.children_unit is not None:
            found.setdefault(self.children_unit.code, self.children_unit.name)
        return found

    def appeal_receivers(self) -> tuple[str, ...]:
        """Who receives appeals: the offices that decide (an appeal goes to the office that decided,
        forvaltningsloven § 32) and the children's unit (Holtålen: appeals go to its coordinating unit)."""
        return tuple(self._receivers())

    def receiver_name(self, code: str) -> str:
        """The name of an office or unit that receives appeals, as the configuration calls it (else the code)."""
        return self._receivers().get(code, code)


class TenantConfigError(ValueError):
    pass


class Tenants:
    """All configured municipalities, by number."""

    def __init__(self, tenants: list[Tenant]) -> None:
        self._by_number = {t.municipality: t for t in tenants}

    @classmethod
    def load(cls, directory: Path) -> Tenants:
        tenants = []
        for path in sorted(directory.glob("*.yaml")):
            try:
                tenants.append(Tenant.model_validate(yaml.safe_load(path.read_text())))
            except (ValidationError, yaml.YAMLError) as exc:
                raise TenantConfigError(f"{path.name}: {exc}") from exc
        if not tenants:
            raise TenantConfigError(f"no municipality configuration (*.yaml) in {directory}")
        numbers = [t.municipality for t in tenants]
        if len(numbers) != len(set(numbers)):
            raise TenantConfigError("two configuration files for the same municipality")
        return cls(tenants)

    def get(self, municipality: str) -> Tenant:
        tenant = self._by_number.get(municipality)
        if tenant is None:
            raise NotFound(f"municipality {municipality} is not configured on this installation")
        return tenant

    def __contains__(self, municipality: str) -> bool:
        return municipality in self._by_number

    def numbers(self) -> list[str]:
        """The configured municipality numbers, in order."""
        return sorted(self._by_number)
