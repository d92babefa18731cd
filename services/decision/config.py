"""Decision configuration per municipality (authority, allocation meetings, delivering units), validated at start-up.

It lives in services/decision/municipalities.yaml until servicekit's Tenant model has a `decision:` section;
each municipality's block there is exactly what moves under `decision:` in its deploy/tenants file.
"""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from servicekit.errors import NotFound
from servicekit.tenants import Tenant, Tenants

DEFAULT_FILE = Path(__file__).parent / "municipalities.yaml"

# "HH:MM" as a quoted string: unquoted, YAML 1.1 reads 12:00 as the number 720.
ClockTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="local time HH:MM")]
Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


def clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


class Authority(StrEnum):
    """Who makes an individual decision (initial decisions and reviews)."""

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
    """The agenda closes `days_before` the scheduled meeting day at `time` (Europe/Oslo)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    days_before: int = Field(ge=0, le=28)
    time: ClockTime


class MeetingSchedule(BaseModel):
    """When the allocation meeting is held. A scheduled day that is not a working day moves to the next one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, description="what the municipality calls it, e.g. Tiltaksmøte")
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
        if self.cutoff.days_before == 0 and clock(self.cutoff.time) >= clock(self.time):
            raise ValueError("cutoff.time: on the meeting day itself the agenda must close before the meeting starts")
        return self


class Office(BaseModel):
    """The office that decides and receives appeals (forvaltningsloven § 27: where to appeal)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Code = Field(description="who must act on the office's deadlines, e.g. allocation_office")
    name: str = Field(min_length=1)


class MunicipalityDecisionConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    office: Office
    authority: Authority
    meeting: MeetingSchedule | None = Field(default=None, description="none: the municipality holds no meetings")
    delivering_units: dict[Code, Code] = Field(
        default_factory=dict, description="service code -> the unit code a granted service is ordered from"
    )

    @model_validator(mode="after")
    def _consistent(self) -> MunicipalityDecisionConfig:
        if self.authority is Authority.MEETING and self.meeting is None:
            raise ValueError("meeting: required when the authority is 'meeting'")
        return self

    def unit_for(self, service_code: str) -> str | None:
        return self.delivering_units.get(service_code)


class DecisionConfigError(ValueError):
    pass


class DecisionConfig:
    """The decision configuration of every configured municipality, by number."""

    def __init__(self, by_number: dict[str, MunicipalityDecisionConfig]) -> None:
        self._by_number = by_number

    @classmethod
    def load(cls, path: Path, tenants: Tenants) -> DecisionConfig:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise DecisionConfigError(f"{path.name}: {exc}") from exc
        if not isinstance(raw, dict) or not raw:
            raise DecisionConfigError(f"{path.name}: must map municipality numbers to their decision configuration")
        by_number: dict[str, MunicipalityDecisionConfig] = {}
        for number, section in raw.items():
            key = str(number)
            if not isinstance(number, str) or len(key) != 4 or not key.isdigit():
                raise DecisionConfigError(f"{path.name}: {number!r}: municipality numbers are quoted 4-digit strings")
            try:
                config = MunicipalityDecisionConfig.model_validate(section)
            except ValidationError as exc:
                raise DecisionConfigError(f"{path.name}: {key}: {_describe(exc)}") from exc
            if key not in tenants:
                raise DecisionConfigError(f"{path.name}: {key}: no such municipality in the tenant configuration")
            _check_against_tenant(path, key, config, tenants.get(key))
            by_number[key] = config
        missing = sorted(t for t in _numbers(tenants) if t not in by_number)
        if missing:
            raise DecisionConfigError(f"{path.name}: no decision configuration for municipality {', '.join(missing)}")
        return cls(by_number)

    def get(self, municipality: str) -> MunicipalityDecisionConfig:
        config = self._by_number.get(municipality)
        if config is None:
            raise NotFound(f"municipality {municipality} has no decision configuration on this installation")
        return config


def _numbers(tenants: Tenants) -> list[str]:
    return tenants.numbers()


def _check_against_tenant(path: Path, key: str, config: MunicipalityDecisionConfig, tenant: Tenant) -> None:
    units = {u.code for u in tenant.units} | ({tenant.children_unit.code} if tenant.children_unit else set())
    for service_code, unit in config.delivering_units.items():
        where = f"{path.name}: {key}.delivering_units.{service_code}"
        if tenant.service(service_code) is None:
            raise DecisionConfigError(f"{where}: not a service in the municipality's catalogue")
        if unit not in units:
            raise DecisionConfigError(f"{where}: unit {unit!r} is not one of the municipality's units {sorted(units)}")


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err["loc"]) or "(section)"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)
